import { describe, expect, it } from 'vitest';
import { Harness, makeModel, makeRequest } from './harness.ts';

const CANCELLED = { code: 'CANCELLED', message: '' };

describe('cancellation (spec §8)', () => {
  it('Direct: a cancelled slot-queue front releases the slot and cancels everything behind it', () => {
    const h = new Harness(makeModel({ maxBatchSize: 1 }));
    const [, first, second] = h.sequence(1, [0, 10, 20], { end: false });
    h.sequence(2, [30]);
    h.cancelAt(50, first!);
    h.send(150, makeRequest(1, 3));
    h.run();
    expect(h.answerOf('1:1')).toEqual({ t: 100, result: { error: CANCELLED } });
    expect(h.answerOf('1:2')).toEqual({ t: 100, result: { error: CANCELLED } });
    expect(second!.cancelled).toBe(false);
    expect(h.releases()).toEqual(['100 1 I0s0 cancel', '100 2 I0s0 end']);
    // The backlog sequence gets the slot in the same formation pass and runs at once.
    expect(h.batches()).toEqual(['0 I0 [1:0]', '100 I0 [2:0]']);
    expect(h.rejects.get('1:3')?.code).toBe('INVALID_ARG');
    h.assertEveryRequestAnsweredOnce();
  });

  it('a cancelled request behind a live front waits until it reaches the front', () => {
    const h = new Harness(makeModel({ maxBatchSize: 1 }));
    const [, , second] = h.sequence(1, [0, 10, 20, 30]);
    h.cancelAt(50, second!);
    h.run();
    expect(h.batches()).toEqual(['0 I0 [1:0]', '100 I0 [1:1]']);
    expect(h.answerOf('1:2').t).toBe(200);
    expect(h.errorOf('1:3')).toEqual(CANCELLED);
    expect(h.releases()).toEqual(['200 1 I0s0 cancel']);
  });

  it('a cancelled backlog sequence is dropped when it would get a slot; the next backlog queue takes it', () => {
    const h = new Harness(makeModel({ maxBatchSize: 1 }));
    h.sequence(1, [0, 50]);
    const [b0] = h.sequence(2, [10, 20], { end: false });
    h.sequence(3, [40]);
    h.cancelAt(30, b0!);
    h.run();
    expect(h.errorOf('2:0')).toEqual(CANCELLED);
    expect(h.errorOf('2:1')).toEqual(CANCELLED);
    expect(h.ofType('release').find((e) => e.sequence === 2)).toEqual({
      t: 100,
      type: 'release',
      sequence: 2,
      instance: null,
      slot: null,
      reason: 'cancel',
      first_request: '2:0',
    });
    expect(h.assigns()).toEqual(['0 1→I0s0', '100 3→I0s0']);
    expect(h.outputOf('3:0')).toBe(1);
  });

  it('cancelling a request that is executing or already answered changes nothing', () => {
    const h = new Harness(makeModel({ maxBatchSize: 1 }));
    const [first, second] = h.sequence(1, [0, 10, 300]);
    h.cancelAt(50, first!);
    h.cancelAt(250, second!);
    h.run();
    expect(h.outputOf('1:0')).toBe(1);
    expect(h.outputOf('1:1')).toBe(3);
    expect(h.outputOf('1:2')).toBe(6);
    expect(second!.cancelled).toBe(false);
  });

  it('Oldest: a cancelled request inside the dynamic batcher is answered alone and its sequence goes on', () => {
    const h = new Harness(makeModel({ maxBatchSize: 1, oldest: { maxCandidateSequences: 2 } }), { latencyUs: 100 });
    h.sequence(1, [0, 500]);
    const [b0] = h.sequence(2, [10, 60], { inputs: [5, 7] });
    h.cancelAt(50, b0!);
    h.run();
    expect(h.answerOf('2:0')).toEqual({ t: 100, result: { error: CANCELLED } });
    expect(h.batches()).toEqual(['0 I0 [1:0]', '100 I0 [2:1]', '500 I0 [1:1]']);
    // 2:0 (START) reset the slot state when it was dispatched, so 2:1 continues from 0.
    expect(h.outputOf('2:1')).toBe(7);
    expect(h.releases()).toEqual(['100 2 I0s1 end', '500 1 I0s0 end']);
  });

  it('Oldest: a cancelled slot-queue front releases the slot and cancels the rest', () => {
    const h = new Harness(makeModel({ maxBatchSize: 1, oldest: { maxCandidateSequences: 1 } }));
    const [, first] = h.sequence(1, [0, 10, 20]);
    h.sequence(2, [30]);
    h.cancelAt(50, first!);
    h.run();
    expect(h.errorOf('1:1')).toEqual(CANCELLED);
    expect(h.errorOf('1:2')).toEqual(CANCELLED);
    expect(h.releases()).toEqual(['100 1 I0s0 cancel', '100 2 I0s0 end']);
    expect(h.batches()).toEqual(['0 I0 [1:0]', '100 I0 [2:0]']);
  });
});
