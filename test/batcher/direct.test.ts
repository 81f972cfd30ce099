import { describe, expect, it } from 'vitest';
import { Harness, makeModel, makeRequest } from './harness.ts';

describe('slot assignment (spec §3)', () => {
  it('spreads new sequences across instances in libstdc++ heap order (2 instances × 3 slots)', () => {
    const h = new Harness(makeModel({ instanceCount: 2, maxBatchSize: 3 }));
    for (const id of [1, 2, 3, 4, 5, 6]) h.sequence(id, [0]);
    h.run();
    expect(h.assigns()).toEqual(['0 1→I0s0', '0 2→I1s0', '0 3→I1s1', '0 4→I0s1', '0 5→I1s2', '0 6→I0s2']);
  });

  it('instance-major order hands out the lowest slot, then the lowest instance', () => {
    const h = new Harness(makeModel({ instanceCount: 2, maxBatchSize: 3 }), { slotOrder: 'instance-major' });
    for (const id of [1, 2, 3, 4, 5, 6]) h.sequence(id, [0]);
    h.run();
    expect(h.assigns()).toEqual(['0 1→I0s0', '0 2→I1s0', '0 3→I0s1', '0 4→I1s1', '0 5→I0s2', '0 6→I1s2']);
  });

  it('each instance executes its own slots in its own batch', () => {
    const h = new Harness(makeModel({ instanceCount: 2, maxBatchSize: 2 }));
    for (const id of [1, 2, 3]) h.sequence(id, [0]);
    h.run();
    expect(h.batches()).toEqual(['0 I0 [1:0 3:0]', '0 I1 [2:0]']);
  });

  it('a released slot is reused lowest-slot-first', () => {
    const h = new Harness(makeModel({ maxBatchSize: 3 }));
    h.sequence(1, [0, 500]);
    h.sequence(2, [0]);
    h.sequence(3, [0, 500]);
    h.sequence(4, [300]);
    h.run();
    expect(h.assigns()).toEqual(['0 1→I0s0', '0 2→I0s1', '0 3→I0s2', '300 4→I0s1']);
  });
});

describe('Direct batches (spec §5A)', () => {
  it('batch size is the highest pending slot + 1, padded below with READY=0 rows, nothing above', () => {
    const h = new Harness(makeModel({ maxBatchSize: 4 }));
    h.sequence(1, [0, 300]);
    h.sequence(2, [0, 400]);
    h.sequence(3, [0, 150, 450]);
    h.run();
    expect(h.batches()).toEqual(['0 I0 [1:0 2:0 3:0]', '150 I0 [- - 3:1]', '300 I0 [1:1]', '400 I0 [- 2:1]', '500 I0 [- - 3:2]']);
    const padded = h.ofType('execute')[1]!.rows;
    expect(padded[0]).toEqual({ slot: 0, request: null, sequence: null, start: false, end: false, ready: false, corrid: 0 });
    expect(padded[2]).toEqual({ slot: 2, request: '3:1', sequence: 3, start: false, end: false, ready: true, corrid: 3 });
  });

  it('keeps one batch in flight per instance and one request per slot per batch', () => {
    const h = new Harness(makeModel({ maxBatchSize: 2 }));
    h.sequence(1, [0, 10, 20]);
    h.sequence(2, [30]);
    h.run();
    expect(h.batches()).toEqual(['0 I0 [1:0]', '100 I0 [1:1 2:0]', '200 I0 [1:2]']);
    expect(h.ofType('complete').map((e) => `${e.t} b${e.batch} ${e.ok}`)).toEqual(['100 b0 true', '200 b1 true', '300 b2 true']);
  });

  it('outputs follow the slot state: START resets it, padding never touches it', () => {
    const h = new Harness(makeModel({ maxBatchSize: 2, initialStateValue: 100 }));
    h.sequence(1, [0, 200, 400], { inputs: [1, 2, 3] });
    h.sequence(2, [0, 150], { inputs: [10, 20] });
    h.sequence(3, [500], { inputs: [5] });
    h.run();
    expect([h.outputOf('1:0'), h.outputOf('1:1'), h.outputOf('1:2')]).toEqual([101, 103, 106]);
    expect([h.outputOf('2:0'), h.outputOf('2:1')]).toEqual([110, 130]);
    // Sequence 3 takes slot 0 after sequence 1 ended: it starts from initial_state, not from 106.
    expect(h.assigns()).toContain('500 3→I0s0');
    expect(h.outputOf('3:0')).toBe(105);
  });

  it('START and END flags become row controls; a START+END request is a whole sequence', () => {
    const h = new Harness(makeModel());
    h.send(0, makeRequest(7, 0, { start: true, end: true, input: 4 }));
    h.run();
    expect(h.ofType('execute')[0]!.rows[0]).toMatchObject({ start: true, end: true, ready: true, corrid: 7 });
    expect(h.releases()).toEqual(['0 7 I0s0 end']);
    expect(h.outputOf('7:0')).toBe(4);
    expect(h.scheduler.inflightSequenceCount()).toBe(0);
  });

  it('with max_batch_size 0 there is one slot per instance and batch size 0 is accepted', () => {
    const h = new Harness(makeModel({ maxBatchSize: 0 }));
    h.send(0, makeRequest(1, 0, { start: true, batchSize: 0 }));
    h.send(10, makeRequest(2, 0, { start: true, end: true, batchSize: 0 }));
    h.send(20, makeRequest(1, 1, { end: true, batchSize: 0 }));
    h.run();
    expect(h.batches()).toEqual(['0 I0 [1:0]', '100 I0 [1:1]', '200 I0 [2:0]']);
    expect(h.ofType('backlog').map((e) => e.sequence)).toEqual([2]);
  });

  it('a failed execution answers every real row with the batch error', () => {
    const h = new Harness(makeModel({ maxBatchSize: 3 }), { failBatches: [1] });
    h.sequence(1, [0, 100]);
    h.sequence(2, [0]);
    h.sequence(3, [0, 100]);
    h.run();
    expect(h.batches()[1]).toBe('100 I0 [1:1 - 3:1]');
    expect(h.errorOf('1:1')).toEqual({ code: 'INTERNAL', message: 'batch 1 failed' });
    expect(h.errorOf('3:1')).toEqual({ code: 'INTERNAL', message: 'batch 1 failed' });
    expect(h.ofType('complete').map((e) => e.ok)).toEqual([true, false]);
    h.assertEveryRequestAnsweredOnce();
  });

  it('a backlog sequence moved in by END becomes eligible only in the next batch', () => {
    const h = new Harness(makeModel({ maxBatchSize: 1 }));
    h.sequence(1, [0, 10]);
    h.sequence(2, [20, 30]);
    h.run();
    expect(h.assigns()).toEqual(['0 1→I0s0', '100 2→I0s0']);
    expect(h.batches()).toEqual(['0 I0 [1:0]', '100 I0 [1:1]', '200 I0 [2:0]', '300 I0 [2:1]']);
  });
});

describe('Direct queue delay (spec §5A step 3)', () => {
  it('minimum_slot_utilization 0 fires at once even with a delay configured', () => {
    const h = new Harness(makeModel({ maxBatchSize: 4, direct: { maxQueueDelayUs: 1000, minimumSlotUtilization: 0 } }));
    h.sequence(1, [0]);
    h.run();
    expect(h.batches()).toEqual(['0 I0 [1:0]']);
  });

  it('utilisation 0.5 fires as soon as half the slots are ready (>=)', () => {
    const h = new Harness(makeModel({ maxBatchSize: 4, direct: { maxQueueDelayUs: 1000, minimumSlotUtilization: 0.5 } }));
    h.sequence(1, [0]);
    h.sequence(2, [300]);
    h.run();
    expect(h.batches()).toEqual(['300 I0 [1:0 2:0]']);
  });

  it('below the utilisation the oldest request waits until its age exceeds the delay (strict >)', () => {
    const h = new Harness(makeModel({ maxBatchSize: 4, direct: { maxQueueDelayUs: 1000, minimumSlotUtilization: 0.5 } }));
    h.sequence(1, [0]);
    h.run();
    expect(h.batches()).toEqual(['1001 I0 [1:0]']);
  });

  it('an age equal to the delay does not fire; one µs more does', () => {
    const h = new Harness(makeModel({ maxBatchSize: 4, direct: { maxQueueDelayUs: 1000, minimumSlotUtilization: 0.75 } }));
    h.sequence(1, [0]);
    // Wakes the batcher at exactly age 1000 with 2/4 < 0.75 ready.
    h.sequence(2, [1000]);
    h.run();
    expect(h.batches()).toEqual(['1001 I0 [1:0 2:0]']);
  });

  it('utilisation 1.0 needs every slot ready; the delay releases a partial batch', () => {
    const h = new Harness(makeModel({ maxBatchSize: 2, direct: { maxQueueDelayUs: 1000, minimumSlotUtilization: 1 } }));
    h.sequence(1, [0, 1200]);
    h.sequence(2, [500, 1300]);
    h.run();
    // 1:0 waits past the delay; later both slots are ready at 1300 and fire at once.
    expect(h.batches()).toEqual(['500 I0 [1:0 2:0]', '1300 I0 [1:1 2:1]']);
    const lone = new Harness(makeModel({ maxBatchSize: 2, direct: { maxQueueDelayUs: 1000, minimumSlotUtilization: 1 } }));
    lone.sequence(1, [0, 1200]);
    lone.run();
    expect(lone.batches()).toEqual(['1001 I0 [1:0]', '2201 I0 [1:1]']);
  });
});

describe('Direct batch shape after releases (spec §5A)', () => {
  it('a batch covers slots up to the highest occupied one: a freed top slot stops getting padding rows', () => {
    const h = new Harness(makeModel({ maxBatchSize: 2 }));
    h.sequence(1, [0, 200, 400]);
    h.sequence(2, [0]);
    h.run();
    expect(h.batches()).toEqual(['0 I0 [1:0 2:0]', '200 I0 [1:1]', '400 I0 [1:2]']);
  });

  it('a freed low slot below an occupied one is a padding row', () => {
    const h = new Harness(makeModel({ maxBatchSize: 2 }));
    h.sequence(1, [0]);
    h.sequence(2, [0, 200, 400]);
    h.run();
    expect(h.batches()).toEqual(['0 I0 [1:0 2:0]', '200 I0 [- 2:1]', '400 I0 [- 2:2]']);
  });

  it('a zero queue delay fires at once even when slot utilisation is asked for', () => {
    const h = new Harness(makeModel({ maxBatchSize: 2, direct: { maxQueueDelayUs: 0, minimumSlotUtilization: 1 } }));
    h.sequence(1, [0]);
    h.run();
    expect(h.batches()).toEqual(['0 I0 [1:0]']);
  });
});
