import { describe, expect, it } from 'vitest';
import { Harness, makeModel, makeRequest } from './harness.ts';

describe('Oldest strategy (spec §5B)', () => {
  it('batches oldest-first by entry into the dynamic batcher, one request per sequence, no padding', () => {
    const h = new Harness(makeModel({ maxBatchSize: 2, oldest: { maxCandidateSequences: 3 } }));
    for (const id of [1, 2, 3]) h.sequence(id, [0, 1]);
    h.run();
    // 3:0 entered at 0 and is older than 1:1 / 2:1, which enter when 1:0 / 2:0 are released.
    expect(h.batches()).toEqual(['0 I0 [1:0 2:0]', '100 I0 [3:0 1:1]', '200 I0 [2:1 3:1]']);
    expect(h.ofType('execute')[1]!.rows.map((row) => row.slot)).toEqual([2, 0]);
    expect(
      h
        .ofType('execute')
        .flatMap((e) => e.rows)
        .every((row) => row.ready && row.request !== null),
    ).toBe(true);
    expect(['1:1', '2:1', '3:1'].map((id) => h.outputOf(id))).toEqual([3, 3, 3]);
  });

  it("dispatches a sequence's next request only after the previous one is released", () => {
    const h = new Harness(makeModel({ maxBatchSize: 4, oldest: { maxCandidateSequences: 4 } }));
    h.sequence(1, [0, 1, 2]);
    h.run();
    expect(h.batches()).toEqual(['0 I0 [1:0]', '100 I0 [1:1]', '200 I0 [1:2]']);
    expect(h.outputOf('1:2')).toBe(6);
  });

  it('waits up to max_queue_delay for a preferred size, sending at once when one is reached', () => {
    const waiting = new Harness(makeModel({ maxBatchSize: 4, oldest: { maxCandidateSequences: 4, preferredBatchSizes: [3], maxQueueDelayUs: 500 } }));
    waiting.sequence(1, [0, 2000]);
    waiting.sequence(2, [100, 2000]);
    waiting.run();
    expect(waiting.batches()).toEqual(['500 I0 [1:0 2:0]', '2500 I0 [1:1 2:1]']);
    const preferred = new Harness(makeModel({ maxBatchSize: 4, oldest: { maxCandidateSequences: 4, preferredBatchSizes: [3], maxQueueDelayUs: 500 } }));
    for (const [id, t] of [
      [1, 0],
      [2, 10],
      [3, 20],
    ] as const)
      preferred.sequence(id, [t, 2000]);
    preferred.run();
    expect(preferred.batches()).toEqual(['20 I0 [1:0 2:0 3:0]', '2000 I0 [1:1 2:1 3:1]']);
  });

  it('with delay 0 sends the largest preferred size reached, not everything pending', () => {
    const h = new Harness(makeModel({ maxBatchSize: 4, oldest: { maxCandidateSequences: 4, preferredBatchSizes: [2, 4] } }));
    for (const id of [1, 2, 3]) h.sequence(id, [0, 1000]);
    h.run();
    expect(h.batches()).toEqual(['0 I0 [1:0 2:0]', '100 I0 [3:0]', '1000 I0 [1:1 2:1]', '1100 I0 [3:1]']);
  });

  it('END releases the slot at dispatch; the backlog sequence moved in waits for the END to be released', () => {
    const h = new Harness(makeModel({ maxBatchSize: 1, oldest: { maxCandidateSequences: 1 }, initialStateValue: 10 }));
    h.sequence(1, [0, 10]);
    h.sequence(2, [20]);
    h.run();
    expect(h.releases()).toEqual(['100 1 I0s0 end', '200 2 I0s0 end']);
    expect(h.assigns()).toEqual(['0 1→I0s0', '100 2→I0s0']);
    expect(h.batches()).toEqual(['0 I0 [1:0]', '100 I0 [1:1]', '200 I0 [2:0]']);
    expect([h.outputOf('1:1'), h.outputOf('2:0')]).toEqual([13, 11]);
  });

  it("a one-request sequence frees its slot at dispatch; the next occupant waits for that request's release", () => {
    const h = new Harness(makeModel({ maxBatchSize: 2, oldest: { maxCandidateSequences: 1 } }));
    h.sequence(1, [0]);
    h.sequence(2, [10]);
    h.run();
    expect(h.assigns()).toEqual(['0 1→I0s0', '10 2→I0s0']);
    expect(h.batches()).toEqual(['0 I0 [1:0]', '100 I0 [2:0]']);
  });

  it('max_candidate_sequences is per instance and may exceed max_batch_size', () => {
    const h = new Harness(makeModel({ instanceCount: 2, maxBatchSize: 2, oldest: { maxCandidateSequences: 3 } }));
    for (const id of [1, 2, 3, 4, 5, 6, 7]) h.sequence(id, [0, 1000]);
    h.run();
    expect(h.assigns().slice(0, 6)).toEqual(['0 1→I0s0', '0 2→I1s0', '0 3→I1s1', '0 4→I0s1', '0 5→I1s2', '0 6→I0s2']);
    expect(h.ofType('backlog').map((e) => e.sequence)).toEqual([7]);
    expect(h.batches().slice(0, 2)).toEqual(['0 I0 [1:0 4:0]', '0 I1 [2:0 3:0]']);
  });

  it('the reaper marker is released when it reaches the front after the in-flight request', () => {
    const h = new Harness(makeModel({ maxBatchSize: 1, maxSequenceIdleUs: 1000, oldest: { maxCandidateSequences: 1 } }), { latencyUs: 5000 });
    h.sequence(1, [0, 10], { end: false });
    h.send(20_000, makeRequest(1, 2));
    h.run();
    expect(h.ofType('reap').map((e) => e.t)).toEqual([1010]);
    expect(h.releases()).toEqual(['10000 1 I0s0 idle-timeout']);
    expect(h.outputOf('1:1')).toBe(3);
    expect(h.rejects.get('1:2')?.code).toBe('INVALID_ARG');
  });

  it('a failed batch answers its rows with the error and still releases them', () => {
    const h = new Harness(makeModel({ maxBatchSize: 2, oldest: { maxCandidateSequences: 2 } }), { failBatches: [0] });
    h.sequence(1, [0, 10]);
    h.run();
    expect(h.errorOf('1:0')).toEqual({ code: 'INTERNAL', message: 'batch 0 failed' });
    expect(h.batches()).toEqual(['0 I0 [1:0]', '100 I0 [1:1]']);
  });
});
