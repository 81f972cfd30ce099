import { wallClockMs } from '../live/wall-clock.ts';
import { parseScenario } from '../src/scenario/load.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simulate, simulateToFileInParts, type SimulateOptions, type StreamedRunParts } from '../sim/simulate.ts';
import { DeferredHeaderTraceFile } from '../traces/deferred-header-file.ts';
import type { TraceEvent } from '../src/core/events.ts';
import type { TraceHeader } from '../traces/writer.ts';
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
  /** The same run as `seqsim run` does it: trace streamed to a file, every oracle checked online (best of several, warm). */
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
  /** Where a checked trace event's time goes (issue 19 §1's profile, measured in the same run); undefined when not split. */
  readonly eventCost: CheckedEventCost | undefined;
}

/**
 * µs per trace event of the streamed run with parts of its per-event work left out (each the best
 * of `warmRuns` runs after a warm-up): what a part adds is its difference from `recordedUs`.
 * `traceBytesAloneUs` is the trace format's own cost: the same run's events, already built,
 * serialised, hashed and written with no simulation at all.
 */
export interface CheckedEventCost {
  /** Each combination's figure is the best of this many runs after a warm-up run. */
  readonly warmRuns: number;
  /** The kernel, batcher and simulated world (clients, transport, executor), no event built. */
  readonly worldUs: number;
  /** + recording: trace events built and stamped (handed to no one), the stall watch, the header. */
  readonly recordedUs: number;
  /** Recorded + the trace's bytes: serialised, hashed and written (no oracle). */
  readonly tracedUs: number;
  /** Recorded + the oracles' online check (no trace bytes). */
  readonly checkedUs: number;
  /** Everything: what `seqsim run` does per event. */
  readonly fullUs: number;
  readonly traceBytesAloneUs: number;
  /** V8's own JSON.stringify of the same events, one string each, nothing written: the serialiser's yardstick. */
  readonly stringifyAloneUs: number;
}

/**
 * Benchmarks wall time, not a test: real time comes from live's clock, never inside a run.
 * `splitCost`: also time the streamed run without its oracles, its trace bytes or both (KernelBenchFigures.eventCost).
 */
export function benchKernel(concurrent: number, totalRequests: number, withFakeTimers: boolean, repeats = 3, splitCost = true): KernelBenchFigures {
  const scenario = parseScenario(benchScenarioJson(concurrent, totalRequests), `bench-${concurrent}`, '.');
  const maxEvents = 50_000_000;
  // Both kernels run same-instant tasks in schedule order, so they execute the identical run.
  const fifo = { choose: () => 0 };
  const started = wallClockMs();
  const run = simulate(scenario, { seed: 1, maxEvents, chooser: fifo });
  const wallMs = wallClockMs() - started;
  const requests = run.events.reduce((n, e) => n + (e.type === 'send' ? 1 : 0), 0);

  // The kernel and batcher alone (no trace, no oracles): what the bare heap loop compares with, and
  // the world alone of the checked run's parts. Each of these is the best of several runs after a
  // warm-up: single runs of a GC-heavy loop vary by ±40 %.
  const bestOf = (work: () => unknown): number => bestOfRuns(work, repeats);
  const lean = simulate(scenario, { seed: 1, maxEvents, chooser: fifo, record: false });
  const leanMs = bestOfRuns(() => simulate(scenario, { seed: 1, maxEvents, chooser: fifo, record: false }), Math.max(2, repeats));
  // The bare loop warmed first: its first two passes run at a half to a third of its speed, and it is the limit.
  const bare = (): number => runBareHeapLoop(run.tasksExecuted, Math.min(concurrent, 10_000));
  bare();
  bare();
  const bareMs = bestOfRuns(bare, Math.max(3, repeats));
  const streamedMs = (parts: StreamedRunParts): number => streamedRunMs(scenario, { seed: 1, maxEvents, chooser: fifo }, parts);
  const traceEvents = run.events.length;
  const perEvent = (ms: number): number => (ms * 1000) / traceEvents;
  let eventCost: CheckedEventCost | undefined;
  let fullMs: number;
  if (splitCost) {
    // Parts are differences of runs, so each combination runs in a block of its own, a warm-up run
    // then the best of `warmRuns`, from the least garbage made to the most: taken in turns, each
    // run paid for the previous one's garbage (the full run's oracle books most) and a cold or
    // noisy run showed up as a part.
    const warmRuns = Math.max(2, repeats);
    const combinations: StreamedRunParts[] = [
      { oracles: false, trace: false },
      { oracles: false, trace: true },
      { oracles: true, trace: false },
      { oracles: true, trace: true },
    ];
    const bestMs = combinations.map((parts) => {
      streamedMs(parts);
      return bestOfRuns(() => streamedMs(parts), warmRuns);
    });
    const [noPartsMs, traceMs, oraclesMs, allMs] = bestMs as [number, number, number, number];
    fullMs = allMs;
    eventCost = {
      warmRuns,
      worldUs: perEvent(leanMs),
      recordedUs: perEvent(noPartsMs),
      tracedUs: perEvent(traceMs),
      checkedUs: perEvent(oraclesMs),
      fullUs: perEvent(allMs),
      traceBytesAloneUs: perEvent(bestOfRuns(() => traceBytesMs(run.header, run.events), warmRuns)),
      stringifyAloneUs: perEvent(bestOfRuns(() => stringifyEach(run.events), warmRuns)),
    };
  } else {
    fullMs = bestOfRuns(() => streamedMs({ oracles: true, trace: true }), Math.max(2, repeats));
  }

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
    streamedWallMs: fullMs,
    traceEvents,
    streamedTraceEventsPerSec: traceEvents / (fullMs / 1000),
    streamedVsBareHeap: run.tasksExecuted / (fullMs / 1000) / bareHeapEventsPerSec,
    leanWallMs: leanMs,
    leanEventsPerSec,
    vsBareHeap: leanEventsPerSec / bareHeapEventsPerSec,
    fakeTimersWallMs,
    vsFakeTimers: fakeTimersMsPerEvent / (leanMs / lean.tasksExecuted),
    eventCost,
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

/** One streamed run (trace to a temporary file, oracles online: `parts` of them), in ms; the file is removed. */
function streamedRunMs(scenario: Scenario, options: SimulateOptions, parts: StreamedRunParts): number {
  return inTemporaryDir((dir) => {
    const started = wallClockMs();
    simulateToFileInParts(scenario, options, join(dir, 'trace.jsonl'), parts);
    return wallClockMs() - started;
  });
}

/** The trace format's own cost: `events`, already built, serialised, hashed and written as a streamed run does; in ms. */
function traceBytesMs(header: TraceHeader, events: readonly TraceEvent[]): number {
  return inTemporaryDir((dir) => {
    const started = wallClockMs();
    const file = new DeferredHeaderTraceFile(join(dir, 'trace.jsonl'), header);
    try {
      for (const event of events) file.event(event);
      file.finish(header);
    } finally {
      file.abort();
    }
    return wallClockMs() - started;
  });
}

/** JSON.stringify of each event (the lengths summed so the work is not dropped). */
function stringifyEach(events: readonly TraceEvent[]): number {
  let chars = 0;
  for (const event of events) chars += JSON.stringify(event).length;
  return chars;
}

function inTemporaryDir<T>(work: (dir: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), 'seqsim-bench-'));
  try {
    return work(dir);
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
