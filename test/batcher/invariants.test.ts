import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { EventLoop } from '../../sim/kernel/event-queue.ts';
import { SequenceBatchScheduler, corridValue, makeFreeSlotPool } from '../../src/batcher/index.ts';
import { DirectBatcher } from '../../src/batcher/direct.ts';
import { OldestBatcher } from '../../src/batcher/oldest.ts';
import { paddingState } from '../../src/batcher/implicit-state.ts';
import type { SchedulerContext } from '../../src/batcher/scheduler-context.ts';
import type { Executor } from '../../src/core/ports.ts';
import type { ModelConfig } from '../../src/config/types.ts';
import { u64Id } from '../../src/core/ids.ts';
import { parseScenario } from '../../src/scenario/load.ts';
import { simulate } from '../../sim/simulate.ts';
import { Harness, makeModel, makeRequest } from './harness.ts';

/** A scheduler on a bare loop with the given executor; one START+END request at t 0. */
function runWith(model: ModelConfig, executor: (loop: EventLoop) => Executor): () => void {
  const loop = new EventLoop({ choose: () => 0 });
  const scheduler = new SequenceBatchScheduler(
    model,
    { clock: loop, timers: loop, executor: executor(loop), responses: { respond: () => undefined }, events: { enabled: false, emit: () => undefined } },
    {},
  );
  loop.schedule(0, { label: 'send' }, () => scheduler.enqueue(makeRequest(1, 0, { start: true, end: true })));
  return () => loop.run(1000);
}

describe('the batcher asserts its invariants (Tiger Style): a broken peer fails loudly, at the fault', () => {
  it('an executor that completes a batch twice', () => {
    const run = runWith(makeModel({ maxBatchSize: 1 }), (loop) => ({
      execute: (batch, done) =>
        loop.schedule(loop.nowUs() + 10, { label: 'complete' }, () => {
          const result = { ok: true as const, outputs: batch.rows.map((row) => (row.request === null ? null : 1)) };
          done(result);
          done(result);
        }),
    }));
    expect(run).toThrow(/an executor completes a batch once/);
  });

  it('an executor that gives a real row no output', () => {
    const run = runWith(makeModel({ maxBatchSize: 1 }), (loop) => ({
      execute: (batch, done) => loop.schedule(loop.nowUs() + 10, { label: 'complete' }, () => done({ ok: true, outputs: batch.rows.map(() => null) })),
    }));
    expect(run).toThrow(/the executor answers every real row/);
  });

  it('a model without instances or slots, or a batcher of the wrong strategy, is refused at construction', () => {
    expect(() => runWith({ ...makeModel(), instanceCount: 0 }, () => ({ execute: () => undefined }))).toThrow(/a model has at least one instance/);
    expect(() => makeFreeSlotPool('triton-heap', 0, 1)).toThrow(/a model has at least one slot/);
    expect(() => makeFreeSlotPool('triton-heap', 1, 0)).toThrow(/a model has at least one slot/);
    const context = (model: ModelConfig): SchedulerContext =>
      new SequenceBatchScheduler(
        model,
        {
          clock: { nowUs: () => 0 },
          timers: { schedule: () => ({ id: 0 }), cancel: () => undefined },
          executor: { execute: () => undefined },
          responses: { respond: () => undefined },
          events: { enabled: false, emit: () => undefined },
        },
        {},
      ) as unknown as SchedulerContext;
    expect(() => new DirectBatcher(context(makeModel({ oldest: {} })), 0)).toThrow(/DirectBatcher runs the direct/);
    expect(() => new OldestBatcher(context(makeModel()), 0)).toThrow(/OldestBatcher runs the oldest/);
  });

  it('a reaped sequence must occupy its slot: the double-release bug trips it', () => {
    const json = JSON.parse(readFileSync(fileURLToPath(new URL('../../sim/zoo/minimal/double-release-after-cancel.json', import.meta.url)), 'utf8')) as unknown;
    const run = simulate(parseScenario(json, 'min.json', '.'), { seed: 1, batcher: 'bug:double-release-after-cancel' });
    expect(run.violations.map((v) => v.message)).toContain('the batcher broke an invariant: a reaped sequence occupies its slot');
  });
});

const EXPECTED_NAMES = ['batch:I0', 'batch:I0:delay', 'batch:I1', 'cleanup', 'reaper'];

describe('task names are part of the contract: reproducers record schedules by label', () => {
  it('batch formation, delay, clean-up and reaper tasks carry their documented labels', () => {
    const h = new Harness(makeModel({ maxBatchSize: 2, instanceCount: 2, maxSequenceIdleUs: 500, direct: { maxQueueDelayUs: 50, minimumSlotUtilization: 1 } }));
    const labels: string[] = [];
    h.loop.observeTasks((label) => labels.push(label));
    h.sequence(1, [0, 10], { end: false });
    const [cancelled] = h.sequence(2, [0]);
    h.cancelAt(0, cancelled!);
    h.run();
    const names = new Set(labels.filter((l) => !l.startsWith('send:') && !l.startsWith('complete:') && !l.startsWith('cancel:')));
    expect([...names].sort()).toEqual(EXPECTED_NAMES);
    expect(labels.every((l) => typeof l === 'string' && l.length > 0)).toBe(true);
  });

  it('one batcher wake-up per instant and instance, however many requests arrive (no duplicate batch tasks)', () => {
    const h = new Harness(makeModel({ maxBatchSize: 4, instanceCount: 1 }));
    const wakeUps: number[] = [];
    h.loop.observeTasks((label) => {
      if (label === 'batch:I0') wakeUps.push(h.loop.nowUs());
    });
    for (const id of [1, 2, 3, 4]) h.sequence(id, [0]);
    h.run();
    // One at the arrivals, one when the batch completes (to look for more work).
    expect(wakeUps).toEqual([0, 100]);
    expect(h.batches()).toEqual(['0 I0 [1:0 2:0 3:0 4:0]']);
  });
});

describe('occupancy: what the stop poll and live mode read', () => {
  it('counts queued requests in slot queues and backlog, and batches in flight', () => {
    const h = new Harness(makeModel({ maxBatchSize: 1 }), { latencyUs: 100 });
    h.sequence(1, [0, 1, 2]);
    h.sequence(2, [3, 4]);
    h.loop.runUntil(50, 1000);
    expect(h.scheduler.occupancy()).toEqual({ heldSlots: 1, freeSlots: 0, backlogQueues: 1, queuedRequests: 4, batchesInFlight: 1 });
    h.run();
    expect(h.scheduler.occupancy()).toEqual({ heldSlots: 0, freeSlots: 1, backlogQueues: 0, queuedRequests: 0, batchesInFlight: 0 });
  });

  it('Oldest counts requests waiting in its dynamic batcher too', () => {
    const h = new Harness(makeModel({ maxBatchSize: 2, oldest: { maxCandidateSequences: 2, maxQueueDelayUs: 1000, preferredBatchSizes: [2] } }), {
      latencyUs: 100,
    });
    h.sequence(1, [0, 1]);
    h.loop.runUntil(20, 1000);
    expect(h.scheduler.occupancy().queuedRequests).toBe(2);
  });
});

describe('small pieces', () => {
  it('a padding row gets a fresh, uninitialised throw-away state', () => {
    expect(paddingState()).toEqual({ initialized: false, value: 0 });
    expect(paddingState()).not.toBe(paddingState());
  });

  it('CORRID values stay JSON numbers exactly up to 2^53 − 1 and become strings beyond', () => {
    const safe = BigInt(Number.MAX_SAFE_INTEGER);
    const int64 = { kind: 'CONTROL_SEQUENCE_CORRID' as const, tensorName: 'C', dataType: 'TYPE_INT64' as const };
    expect(corridValue(undefined, u64Id(safe))).toBe(Number.MAX_SAFE_INTEGER);
    expect(corridValue(undefined, u64Id(safe + 1n))).toEqual({ u64: (safe + 1n).toString() });
    expect(corridValue(int64, u64Id(safe))).toBe(Number.MAX_SAFE_INTEGER);
    expect(corridValue(int64, u64Id(safe + 1n))).toEqual({ i64: (safe + 1n).toString() });
    // The same 8 bytes read as signed: 2^64 − (2^53 − 1) is −(2^53 − 1), still exact.
    expect(corridValue(int64, u64Id((1n << 64n) - safe))).toBe(-Number.MAX_SAFE_INTEGER);
    expect(corridValue(int64, u64Id((1n << 64n) - safe - 1n))).toEqual({ i64: (-safe - 1n).toString() });
  });
});
