import { describe, expect, it } from 'vitest';
import type { TraceEvent } from '../../src/core/events.ts';
import type { ScenarioId } from '../../src/core/ids.ts';
import { Harness, makeModel, makeRequest, seeded, workloadStream, type ModelOptions } from './harness.ts';

const CONFIGS: readonly (readonly [string, ModelOptions])[] = [
  ['direct 1×2', { maxBatchSize: 2 }],
  ['direct 2×3 delayed', { maxBatchSize: 3, instanceCount: 2, direct: { maxQueueDelayUs: 300, minimumSlotUtilization: 0.6 } }],
  ['direct mbs0 ×2', { maxBatchSize: 0, instanceCount: 2 }],
  ['oldest 1×3 of 2', { maxBatchSize: 2, oldest: { maxCandidateSequences: 3 } }],
  ['oldest 2×2 preferred', { maxBatchSize: 4, instanceCount: 2, oldest: { maxCandidateSequences: 2, preferredBatchSizes: [2, 4], maxQueueDelayUs: 200 } }],
];

/**
 * Every executed row sits in a slot its sequence id was assigned before. (An id reused after END
 * may hold two slots at once, so this cannot demand the latest assignment.)
 */
function checkAffinity(events: readonly TraceEvent[]): void {
  const slotsOf = new Map<string, Set<string>>();
  for (const event of events) {
    if (event.type === 'assign') {
      const key = JSON.stringify(event.sequence);
      const slots = slotsOf.get(key) ?? new Set<string>();
      slots.add(`I${event.instance}s${event.slot}`);
      slotsOf.set(key, slots);
    }
    if (event.type === 'execute') {
      for (const row of event.rows) {
        if (row.sequence === null) continue;
        expect(slotsOf.get(JSON.stringify(row.sequence))?.has(`I${event.instance}s${row.slot}`)).toBe(true);
      }
    }
  }
}

/** Without id reuse, each sequence's rows all sit in the one slot it was assigned. */
function checkSingleSlot(events: readonly TraceEvent[]): void {
  const slotOf = new Map<string, string>();
  for (const event of events) {
    if (event.type === 'assign') {
      const key = JSON.stringify(event.sequence);
      expect(slotOf.has(key)).toBe(false);
      slotOf.set(key, `I${event.instance}s${event.slot}`);
    }
    if (event.type === 'execute') {
      for (const row of event.rows) if (row.sequence !== null) expect(slotOf.get(JSON.stringify(row.sequence))).toBe(`I${event.instance}s${row.slot}`);
    }
  }
}

/**
 * Slots still held after quiescence must be explained by Triton's own leak (spec §5 step 1, §8;
 * test/conformance/known-triton-leak.test.ts): a cancel-release of id K erases K's slot-map entry
 * and idle clock even when a newer sequence with id K holds (or is just getting) another slot.
 */
function checkHeldSlotsAreTritonLeaks(events: readonly TraceEvent[], heldSlots: number): void {
  const holder = new Map<string, { sequence: string; t: number }>();
  for (const event of events) {
    if (event.type === 'assign') holder.set(`I${event.instance}s${event.slot}`, { sequence: JSON.stringify(event.sequence), t: event.t });
    if (event.type === 'release' && event.instance !== null) holder.delete(`I${event.instance}s${event.slot}`);
  }
  expect(holder.size).toBe(heldSlots);
  for (const { sequence, t } of holder.values()) {
    const erased = events.some(
      (e) => e.type === 'release' && e.reason === 'cancel' && e.instance !== null && JSON.stringify(e.sequence) === sequence && e.t >= t,
    );
    expect(erased, `slot held by ${sequence} since ${t}`).toBe(true);
  }
}

/** Sequences that all complete normally: every output must be the running sum of its inputs. */
function cleanWorkload(h: Harness, seed: number): Map<string, number> {
  const random = workloadStream(seed);
  const expected = new Map<string, number>();
  const sequenceCount = random.int(1, 12);
  for (let s = 1; s <= sequenceCount; s++) {
    const steps = random.int(1, 5);
    let t = random.int(0, 400);
    let sum = 0;
    for (let step = 0; step < steps; step++) {
      const input = random.int(-5, 20);
      sum += input;
      h.send(t, makeRequest(s, step, { start: step === 0, end: step === steps - 1, input }), `client:${s}`);
      expected.set(`${s}:${step}`, sum);
      // Often the same µs as other events: a choice point for the seeded chooser.
      t += random.chance(0.3) ? 0 : random.int(1, 150);
    }
  }
  return expected;
}

describe('seeded runs (choice points decided by the seed)', () => {
  for (const [name, options] of CONFIGS) {
    it(`${name}: complete sequences get exact outputs, every request one answer, all slots free at the end`, () => {
      for (let seed = 1; seed <= 60; seed++) {
        const h = new Harness(makeModel(options), { chooser: seeded(seed), latencyUs: (batch) => 50 + ((batch.batch * 37) % 90) });
        const expected = cleanWorkload(h, seed);
        h.run();
        for (const [id, output] of expected) expect(h.outputOf(id), `seed ${seed} ${id}`).toBe(output);
        h.assertEveryRequestAnsweredOnce();
        checkSingleSlot(h.events);
        const total = h.model.instanceCount * h.model.slotsPerInstance;
        expect(h.scheduler.occupancy()).toEqual({ heldSlots: 0, freeSlots: total, backlogQueues: 0, queuedRequests: 0, batchesInFlight: 0 });
        expect(h.loop.pending).toBe(0);
      }
    });

    it(`${name}: with cancels, timeouts, conflicts and abandoned sequences every request is still answered once`, () => {
      for (let seed = 1; seed <= 60; seed++) {
        const h = new Harness(makeModel({ ...options, maxSequenceIdleUs: 2000 }), { chooser: seeded(seed), latencyUs: 120 });
        const random = workloadStream(seed);
        const ids: ScenarioId[] = [1, 2, 3, 'a', 'b', '1'];
        for (let n = 0; n < 40; n++) {
          const id = ids[random.int(0, ids.length - 1)]!;
          const request = h.send(
            random.int(0, 6000),
            makeRequest(id, n, { start: random.chance(0.4), end: random.chance(0.3), timeoutUs: random.chance(0.3) ? random.int(1, 800) : 0 }),
          );
          if (random.chance(0.15)) h.cancelAt(random.int(0, 6500), request);
        }
        if (random.chance(0.3)) h.stopAt(random.int(0, 6000));
        h.run();
        h.assertEveryRequestAnsweredOnce();
        checkAffinity(h.events);
        const occupancy = h.scheduler.occupancy();
        checkHeldSlotsAreTritonLeaks(h.events, occupancy.heldSlots);
        expect(occupancy.queuedRequests, `seed ${seed}`).toBe(0);
        expect(occupancy.backlogQueues).toBe(0);
        expect(occupancy.batchesInFlight).toBe(0);
        expect(h.loop.pending).toBe(0);
      }
    });
  }

  it('an arrival at the instant a batch forms may or may not join it, as the seed decides', () => {
    const firstBatchSizes = new Set<number>();
    for (let seed = 1; seed <= 40; seed++) {
      const h = new Harness(makeModel({ maxBatchSize: 2 }), { chooser: seeded(seed) });
      h.sequence(1, [0, 500]);
      h.sequence(2, [0, 500]);
      h.run();
      firstBatchSizes.add(h.ofType('execute')[0]!.rows.filter((row) => row.ready).length);
    }
    expect([...firstBatchSizes].sort()).toEqual([1, 2]);
  });
});
