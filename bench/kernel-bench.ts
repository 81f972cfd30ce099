import { wallClockMs } from '../live/wall-clock.ts';
import { parseScenario } from '../src/scenario/load.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simulate, simulateToFile, type SimulateOptions } from '../sim/simulate.ts';
import type { Scenario } from '../src/scenario/types.ts';
import { benchScenarioJson } from './workload.ts';
import { runBareHeapLoop } from './bare-heap.ts';
import { FakeTimersLoop } from './fake-timers-loop.ts';

export interface KernelBenchFigures {
  readonly concurrent: number;
  readonly requests: number;
  readonly tasks: number;
  readonly wallMs: number;
  readonly simulatedRequestsPerSec: number;
  readonly eventsPerSec: number;
  /** Simulated time until the last response (the reaper's final wake-ups excluded). */
  readonly simulatedUs: number;
  /** Simulated time / wall time. */
  readonly timeCompression: number;
  readonly bareHeapEventsPerSec: number;
  /** The same run as `seqsim run` does it: trace streamed to a file, every oracle checked online. */
  readonly streamedWallMs: number;
  /** Trace events (lines) of the run. */
  readonly traceEvents: number;
  /** Trace events per second of the streamed run (issue 19's goal: 1 M). */
  readonly streamedTraceEventsPerSec: number;
  /** The streamed run's tasks/s over the bare heap's (issue 19's goal: ≥ 1/8). */
  readonly streamedVsBareHeap: number;
  /** The same run without trace or oracles: the kernel and batcher alone. */
  readonly leanWallMs: number;
  readonly leanEventsPerSec: number;
  /** Lean events/s over the bare heap's (target ≥ 1/3). */
  readonly vsBareHeap: number;
  readonly fakeTimersWallMs: number;
  /** fake-timers' time per event over ours, both lean (target ≥ 5× at 10k sequences). */
  readonly vsFakeTimers: number;
}

/** Benchmarks wall time, not a test: real time comes from live's clock, never inside a run. */
export function benchKernel(concurrent: number, totalRequests: number, withFakeTimers: boolean, repeats = 3): KernelBenchFigures {
  const scenario = parseScenario(benchScenarioJson(concurrent, totalRequests), `bench-${concurrent}`, '.');
  const maxEvents = 50_000_000;
  // Both kernels run same-instant tasks in schedule order, so they execute the identical run.
  const fifo = { choose: () => 0 };
  const started = wallClockMs();
  const run = simulate(scenario, { seed: 1, maxEvents, chooser: fifo });
  const wallMs = wallClockMs() - started;
  const requests = run.events.reduce((n, e) => n + (e.type === 'send' ? 1 : 0), 0);
  const streamedMs = streamedRunMs(scenario, { seed: 1, maxEvents, chooser: fifo });

  // The kernel and batcher alone (no trace, no oracles): what the bare heap loop compares with.
  // Each of these is the best of `repeats` runs: single runs of a GC-heavy loop vary by ±40 %.
  const bestOf = (work: () => unknown): number => bestOfRuns(work, repeats);
  const lean = simulate(scenario, { seed: 1, maxEvents, chooser: fifo, record: false });
  const leanMs = bestOf(() => simulate(scenario, { seed: 1, maxEvents, chooser: fifo, record: false }));
  const bareMs = bestOf(() => runBareHeapLoop(run.tasksExecuted, Math.min(concurrent, 10_000)));

  let fakeTimersMsPerEvent = Number.NaN;
  let fakeTimersWallMs = Number.NaN;
  if (withFakeTimers) {
    // Same lean world on fake-timers. Its zero-delay rules reorder a few same-instant tasks, so
    // the runs differ slightly: compare time per event, not totals.
    const fakeRun = simulate(scenario, { seed: 1, maxEvents, chooser: fifo, record: false, makeLoop: () => new FakeTimersLoop() });
    fakeTimersWallMs = bestOf(() => simulate(scenario, { seed: 1, maxEvents, chooser: fifo, record: false, makeLoop: () => new FakeTimersLoop() }));
    fakeTimersMsPerEvent = fakeTimersWallMs / fakeRun.tasksExecuted;
  }
  const eventsPerSec = run.tasksExecuted / (wallMs / 1000);
  const leanEventsPerSec = lean.tasksExecuted / (leanMs / 1000);
  const bareHeapEventsPerSec = run.tasksExecuted / (bareMs / 1000);
  return {
    concurrent,
    requests,
    tasks: run.tasksExecuted,
    wallMs,
    simulatedRequestsPerSec: requests / (wallMs / 1000),
    eventsPerSec,
    simulatedUs: run.lastResponseUs,
    timeCompression: run.lastResponseUs / 1000 / wallMs,
    bareHeapEventsPerSec,
    streamedWallMs: streamedMs,
    traceEvents: run.events.length,
    streamedTraceEventsPerSec: run.events.length / (streamedMs / 1000),
    streamedVsBareHeap: run.tasksExecuted / (streamedMs / 1000) / bareHeapEventsPerSec,
    leanWallMs: leanMs,
    leanEventsPerSec,
    vsBareHeap: leanEventsPerSec / bareHeapEventsPerSec,
    fakeTimersWallMs,
    vsFakeTimers: fakeTimersMsPerEvent / (leanMs / lean.tasksExecuted),
  };
}

/**
 * Time compression for a steady 1k req/s and 10 req/s workload follows from events/s: each request
 * costs about tasks/requests events, so one second of such traffic takes that many events.
 */
export function compressionAtRate(figures: KernelBenchFigures, requestsPerSecond: number, eventsPerSec = figures.leanEventsPerSec): number {
  const eventsPerSimulatedSecond = (figures.tasks / figures.requests) * requestsPerSecond;
  return eventsPerSec / eventsPerSimulatedSecond;
}

/** One streamed run (trace to a temporary file, oracles online), in ms; the file is removed. */
function streamedRunMs(scenario: Scenario, options: SimulateOptions): number {
  const dir = mkdtempSync(join(tmpdir(), 'seqsim-bench-'));
  try {
    const started = wallClockMs();
    simulateToFile(scenario, options, join(dir, 'trace.jsonl'));
    return wallClockMs() - started;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The fastest of `repeats` timed calls, in ms. */
function bestOfRuns(work: () => unknown, repeats: number): number {
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0; i < repeats; i++) {
    const started = wallClockMs();
    work();
    best = Math.min(best, wallClockMs() - started);
  }
  return best;
}

export interface BurstBenchFigures {
  readonly sequences: number;
  readonly tasks: number;
  readonly wallMs: number;
  readonly usPerTask: number;
}

/**
 * `sequences` two-step sequences that all start at t = 0 with no transport latency: every arrival
 * is due at the same microsecond, so each pick is a same-instant choice among up to `sequences`
 * tasks. Lean (no trace, no oracles): this measures the kernel's choice alone.
 */
export function benchSameInstantBurst(sequences: number): BurstBenchFigures {
  const json = {
    name: `burst-${sequences}`,
    model: {
      name: 'burst',
      max_batch_size: 8,
      instance_group: [{ count: 2, kind: 'KIND_CPU' }],
      sequence_batching: { max_sequence_idle_microseconds: 2_000_000_000, direct: {} },
    },
    executor: { latency_us: 100 },
    transport: { latency_us: 0 },
    sequences: Array.from({ length: sequences }, (_, s) => ({
      id: s + 1,
      steps: [
        { value: 1, start: true },
        { value: 2, end: true },
      ],
    })),
  };
  const scenario = parseScenario(json, `burst-${sequences}`, '.');
  const started = wallClockMs();
  const run = simulate(scenario, { seed: 1, record: false });
  const wallMs = wallClockMs() - started;
  return { sequences, tasks: run.tasksExecuted, wallMs, usPerTask: (wallMs * 1000) / run.tasksExecuted };
}
