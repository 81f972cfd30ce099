import { describe, expect, it } from 'vitest';
import { Harness, makeModel } from './harness.ts';

/**
 * The scheduler's in-place update bookkeeping (spec triton-model-update.md rules 2–4), driven
 * directly: what occupancy reports and when a removed instance is destroyed.
 */
describe('in-place update: slots of added and removed instances', () => {
  it('added instances bring free slots; removed ones lose their free slots at once and their held ones on release', () => {
    const destroyed: [number, number][] = [];
    const h = new Harness(makeModel({ maxBatchSize: 2, instanceCount: 2 }), { onInstanceDestroyed: (instance) => destroyed.push([instance, h.loop.nowUs()]) });
    h.sequence(1, [0, 500]);
    h.loop.runUntil(10, 1000);
    expect(h.scheduler.occupancy()).toMatchObject({ heldSlots: 1, freeSlots: 3 });
    h.loop.schedule(20, { label: 'update' }, () => h.scheduler.addInstances([2]));
    h.loop.runUntil(20, 1000);
    expect(h.scheduler.occupancy()).toMatchObject({ heldSlots: 1, freeSlots: 5 });
    // Sequence 1 sits in I0s0: removing I0 and I1 drops their three free slots now, I0's held one later.
    h.loop.schedule(30, { label: 'update' }, () => h.scheduler.removeInstances([0, 1]));
    h.loop.runUntil(30, 1000);
    expect(h.scheduler.occupancy()).toMatchObject({ heldSlots: 1, freeSlots: 2 });
    expect(destroyed).toEqual([[1, 30]]);
    expect(h.scheduler.isRemoving(0)).toBe(true);
    h.run();
    // The END released I0s0: deleted, not returned to the pool; I0 destroyed after its last batch.
    expect(h.scheduler.occupancy()).toMatchObject({ heldSlots: 0, freeSlots: 2 });
    expect(destroyed.map(([instance]) => instance)).toEqual([1, 0]);
    expect(h.scheduler.isRemoving(0)).toBe(false);
    expect(h.scheduler.liveInstances()).toEqual([2]);
  });

  it('a removed instance with queued work is destroyed only after that work has run', () => {
    const destroyed: number[] = [];
    const h = new Harness(makeModel({ maxBatchSize: 1, instanceCount: 2 }), {
      latencyUs: 100,
      onInstanceDestroyed: (_instance) => destroyed.push(h.loop.nowUs()),
    });
    h.sequence(1, [0, 10, 20]);
    h.loop.schedule(30, { label: 'update' }, () => h.scheduler.removeInstances([0]));
    h.run();
    // Steps 1:1 and 1:2 queue behind 1:0 on I0; the END goes out in the batch at 200, done at 300.
    expect(h.batches()).toEqual(['0 I0 [1:0]', '100 I0 [1:1]', '200 I0 [1:2]']);
    expect(destroyed).toEqual([300]);
  });
});

describe('batch numbers shared across model objects', () => {
  it('a scheduler given a run-wide counter numbers its batches from it (a reloaded model continues the sequence)', () => {
    let next = 100;
    const h = new Harness(makeModel({ maxBatchSize: 1 }), { nextBatchNumber: () => next++ });
    h.sequence(1, [0, 10]);
    h.run();
    expect(h.ofType('execute').map((e) => e.batch)).toEqual([100, 101]);
    expect(next).toBe(102);
    const own = new Harness(makeModel({ maxBatchSize: 1 }));
    own.sequence(1, [0, 10]);
    own.run();
    expect(own.ofType('execute').map((e) => e.batch)).toEqual([0, 1]);
  });
});
