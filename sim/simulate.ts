import type { TraceEvent } from '../src/core/events.ts';
import type { Timers } from '../src/core/ports.ts';
import { scenarioIdText } from '../src/core/ids.ts';
import type { Scenario, ScenarioSequence } from '../src/scenario/types.ts';
import { SequenceBatchScheduler, type BatcherOptions } from '../src/batcher/index.ts';
import { EventLoop, seededChooser, type Chooser, type RecordedChoice, type RunOutcome, type SimLoop } from './kernel/event-queue.ts';
import { RandomStreams, type RandomStream } from './kernel/random.ts';
import { ChoosingStream } from './kernel/choosing-stream.ts';
import { TraceRecorder } from './recorder.ts';
import { SimExecutor } from './executor.ts';
import { buildWorld } from './world.ts';
import { analyzeTrace, type LifecycleReport, type Violation } from './oracles/index.ts';
import type { CheckedTrace } from './oracles/types.ts';
import { assert, InvariantError } from '../src/core/assert.ts';
import { finishTrace, makeHeader } from '../traces/writer.ts';
import { scheduleLifecycle } from './lifecycle.ts';
import { zooBug, type ZooBug } from './zoo/variants.ts';
import { FaultInjector } from './faults.ts';
import { stallWatch } from './stall.ts';
import { ScriptedChooser, type ScheduleDivergence } from './check/scripted-chooser.ts';
import type { FaultKind } from '../src/scenario/faults.ts';

export interface SimulateOptions {
  readonly seed: number;
  /** Event budget: a run that has not become quiescent after this many tasks is a liveness violation. */
  readonly maxEvents?: number;
  readonly slotOrder?: BatcherOptions['slotOrder'];
  /** Overrides the seeded same-instant choices (model checking). */
  readonly chooser?: Chooser;
  /**
   * A schedule: at each same-instant choice point, the option to take — an index, or the label
   * of the task to run ("reaper", "arrive:7:2"); then the first option. Recorded in the trace
   * header so `replay` re-runs the same interleaving.
   */
  readonly schedule?: readonly (number | string)[];
  /**
   * Fault decisions and latency draws become choice points that the chooser decides (as a
   * scenario's `"draws": "chosen"` does), instead of draws from the seed's `faults`, `transport`
   * and `executor` streams (`check --choose-draws`). Recorded in the trace header.
   */
  readonly chooseDraws?: boolean;
  /** Keep this many decisions (orderings, and chosen draws), named by their options' labels (0 = none). */
  readonly recordChoices?: number;
  /** Replaces the event loop (benchmarks compare kernels on the same workload). */
  readonly makeLoop?: (chooser: Chooser) => SimLoop;
  /**
   * false: check the oracles but do not serialise the trace (no lines, empty hash). Explorers use
   * it for the many clean seeds and re-run a failing seed in full.
   */
  readonly serialize?: boolean;
  /** "real" (default) or "bug:<name>" from the bug zoo (sim/zoo). */
  readonly batcher?: string;
  /**
   * End a run that can only spin (nothing but the idle reaper's polling, no progress for longer
   * than any timeout: sim/stall.ts) as 'stalled' instead of running to the event budget. Default
   * true; `replay` turns it on only for traces that stalled (`options.stalled`), so traces
   * recorded before it existed replay to their budget as they did.
   */
  readonly stallStop?: boolean;
  /** Every sequence a reload or unload interrupts is a violation (`seqsim run --strict-lifecycle`). */
  readonly strictLifecycle?: boolean;
  /**
   * false: run the world without recording a trace or checking oracles — only for benchmarks
   * that measure the kernel and batcher alone. The result then has no events, lines or hash.
   */
  readonly record?: boolean;
  /**
   * Hands a model checker the running world before the first task runs, so its chooser can take
   * state digests at choice points. Ordinary runs never set it.
   */
  readonly inspect?: (probe: WorldProbe) => void;
}

/** What a model checker may look at while a run is under way (read-only by contract). */
export interface WorldProbe {
  readonly loop: EventLoop;
  readonly scenario: Scenario;
  /** The world's mutable objects: scheduler, clients (with their connections), executor, faults. */
  readonly roots: readonly object[];
  /** Objects a digest must not walk into: the loop, the recorder, static configuration. */
  readonly ignore: ReadonlySet<object>;
  /** The trace so far. */
  readonly events: readonly TraceEvent[];
}

export interface RunResult extends CheckedTrace {
  readonly seed: number;
  readonly outcome: RunEnd;
  readonly choices: readonly RecordedChoice[];
  readonly tasksExecuted: number;
  readonly endUs: number;
  /** When the last response reached its client: the workload's own duration. */
  readonly lastResponseUs: number;
  /** How often each injected fault kind fired (fault accountability). */
  readonly faultsFired: Readonly<Partial<Record<FaultKind, number>>>;
  /** The first recorded decision of `schedule` that this run could not follow, if any. */
  readonly scheduleDivergence: ScheduleDivergence | undefined;
  /** Model switches (scenarios with a lifecycle load or unload): interruptions, held STARTs. */
  readonly lifecycle: LifecycleReport | undefined;
}

export const DEFAULT_MAX_EVENTS = 2_000_000;

/** How a run ended: quiescent, out of event budget, or stopped by a broken batcher invariant. */
export type RunEnd = RunOutcome | 'aborted';

/** Options as they go into the trace header, so `replay` re-runs with exactly these. */
export function headerOptions(options: SimulateOptions): Record<string, unknown> {
  return {
    max_events: options.maxEvents ?? DEFAULT_MAX_EVENTS,
    slot_order: options.slotOrder ?? 'triton-heap',
    ...(options.batcher !== undefined && options.batcher !== 'real' ? { batcher: options.batcher } : {}),
    ...(options.schedule !== undefined ? { schedule: [...options.schedule] } : {}),
    ...(options.chooseDraws === true ? { choose_draws: true } : {}),
    ...(options.strictLifecycle === true ? { strict_lifecycle: true } : {}),
  };
}

/** The real batcher, or a bug-zoo variant named "bug:<name>". */
export function makeScheduler(batcher: string): ZooBug['make'] {
  if (batcher === 'real') return (model, deps, options) => new SequenceBatchScheduler(model, deps, options);
  const bug = batcher.startsWith('bug:') ? zooBug(batcher.slice(4)) : undefined;
  if (bug === undefined) throw new UnknownBatcherError(batcher);
  return bug.make;
}

/** A lifecycle bug's swap hook, if the chosen batcher has one. */
function swapHook(batcher: string): { onSwap?: NonNullable<ZooBug['onSwap']> } {
  const onSwap = batcher.startsWith('bug:') ? zooBug(batcher.slice(4))?.onSwap : undefined;
  return onSwap === undefined ? {} : { onSwap };
}

export class UnknownBatcherError extends Error {
  constructor(readonly batcher: string) {
    super(`unknown batcher ${JSON.stringify(batcher)}: use "real" or bug:<name> (seqsim explore --list-bugs)`);
    this.name = 'UnknownBatcherError';
  }
}

/** One deterministic run: a pure function of (scenario, seed, options). */
export function simulate(scenario: Scenario, options: SimulateOptions): RunResult {
  const maxEvents = options.maxEvents ?? DEFAULT_MAX_EVENTS;
  const streams = new RandomStreams(options.seed);
  const ties = streams.stream('ties');
  // An explicit schedule wins over one pinned in the scenario (a shrunk reproducer's).
  const schedule = options.schedule ?? scenario.schedule;
  const scripted = options.chooser === undefined && schedule !== undefined ? new ScriptedChooser(schedule) : undefined;
  const chooser = options.chooser ?? scripted ?? seededChooser(() => ties.next());
  const loop = options.makeLoop ? options.makeLoop(chooser) : new EventLoop(chooser, options.recordChoices ?? 0);
  const recording = options.record ?? true;
  const recorder = recording ? new TraceRecorder(loop, maxEvents) : new TraceRecorder(loop, maxEvents, false);
  const drawn = drawStreams(streams, loop, options.chooseDraws === true || scenario.draws === 'chosen');
  const faults = scenario.faults === undefined ? undefined : new FaultInjector(scenario.faults, drawn.faults, recorder);
  const executorStream = drawn.executor;
  const executor = new SimExecutor(loop, scenario.model, scenario.executorLatencyUs, executorStream, faults);

  // Timer jitter (a fault) makes the batcher's and reaper's future wake-ups fire late.
  const jitters = faults !== undefined && (faults.plan.timerJitter.rate > 0 || faults.plan.scheduled.some((f) => f.kind === 'timer_jitter'));
  const timers: Timers = jitters ? jitteredTimers(loop, faults) : loop;
  const world = buildWorld({
    scenario,
    loop,
    timers,
    executor,
    recorder,
    faults,
    transportStream: drawn.transport,
    makeScheduler: makeScheduler(options.batcher ?? 'real'),
    ...swapHook(options.batcher ?? 'real'),
    makeExecutor: (model) => new SimExecutor(loop, model, scenario.executorLatencyUs, executorStream, faults),
    slotOrder: options.slotOrder ?? 'triton-heap',
  });
  const prefixes = requestPrefixes(scenario);
  const bursts = faults?.burstStarts(scenario.sequences) ?? new Map<number, number>();
  for (const [index, sequence] of scenario.sequences.entries()) world.addClient(burstAt(sequence, bursts.get(index)), prefixes[index]!);
  scheduleLifecycle(scenario, loop, recorder, world.server);
  if (options.inspect !== undefined) {
    assert(loop instanceof EventLoop, 'a model checker inspects the real event loop');
    const scheduler = world.scheduler;
    const ignore = new Set<object>([loop, recorder, scenario, scenario.model, scheduler.deps, ...scenario.sequences]);
    if (faults !== undefined) ignore.add(faults.plan);
    const roots: object[] = [world.server, ...world.clients, executor, ...(faults === undefined ? [] : [faults])];
    options.inspect({ loop, scenario, roots, ignore, events: recorder.events });
  }

  let outcome: RunEnd;
  let broken: InvariantError | undefined;
  try {
    outcome = loop.run(maxEvents, recording && options.stallStop !== false ? stallWatch(scenario, recorder) : undefined);
  } catch (error) {
    // A batcher assertion fails at the bug (Tiger Style): report it like an oracle, with the
    // trace up to that point, instead of crashing the explorer.
    if (!(error instanceof InvariantError)) throw error;
    broken = error;
    outcome = 'aborted';
  }
  const events = recorder.events;
  const violations: Violation[] = [];
  let lifecycle: LifecycleReport | undefined;
  if (recording) {
    if (broken !== undefined) violations.push({ oracle: 'invariant', message: `the batcher broke an invariant: ${broken.invariant}`, events: [events.length] });
    const managed = world.server.managed
      ? { generationModels: world.server.generations.map((g) => g.model), strictLifecycle: options.strictLifecycle === true }
      : {};
    const analysis = analyzeTrace(events, { model: scenario.model, runEnded: outcome, maxEvents, ...managed });
    violations.push(...analysis.violations);
    lifecycle = analysis.lifecycle;
  }
  const endUs = loop.nowUs();
  const header = makeHeader(options.seed, scenario.normalized, { ...headerOptions(options), ...(outcome === 'stalled' ? { stalled: true } : {}) });
  const summaryExtra = lifecycle !== undefined ? { interrupted: lifecycle.interrupted.length } : undefined;
  const trace = finishTrace(header, events, violations, endUs, {
    serialize: recording && options.serialize !== false,
    ...(summaryExtra ? { summaryExtra } : {}),
  });
  return {
    seed: options.seed,
    header,
    ...trace,
    violations,
    outcome,
    choices: loop.choices,
    tasksExecuted: loop.eventsExecuted,
    endUs,
    lastResponseUs: world.lastResponseUs(),
    faultsFired: { ...(faults?.fired ?? {}) },
    scheduleDivergence: scripted?.divergence,
    lifecycle,
  };
}

/**
 * The streams that fault decisions and latencies draw from: the seed's, or (choose-draws mode) one
 * ChoosingStream that makes each draw a recorded choice point. Streams are seeded by name, so
 * leaving three out never shifts another (the ties, or the workload's).
 */
function drawStreams(streams: RandomStreams, loop: SimLoop, chosen: boolean): Record<'faults' | 'transport' | 'executor', RandomStream> {
  if (!chosen) return { faults: streams.stream('faults'), transport: streams.stream('transport'), executor: streams.stream('executor') };
  assert(loop instanceof EventLoop, 'chosen draws are asked through the real event loop');
  const choosing = new ChoosingStream(loop);
  return { faults: choosing, transport: choosing, executor: choosing };
}

/** A sequence in a burst sends its first request exactly at the burst's instant. */
export function burstAt(sequence: ScenarioSequence, atUs: number | undefined): ScenarioSequence {
  if (atUs === undefined) return sequence;
  const [first, ...rest] = sequence.steps;
  return { ...sequence, startUs: atUs, steps: first === undefined ? [] : [{ ...first, gapUs: 0 }, ...rest] };
}

function jitteredTimers(loop: SimLoop, faults: FaultInjector): Timers {
  return {
    schedule: (atUs, options, task) => {
      if (atUs <= loop.nowUs()) return loop.schedule(atUs, options, task);
      const label = typeof options.label === 'string' ? options.label : options.label();
      return loop.schedule(atUs + faults.timerJitterUs(label), options, task);
    },
    cancel: (handle) => loop.cancel(handle),
  };
}

/**
 * Request ids are "<sequence id>:<step>". When several scenario entries reuse one id (id reuse
 * after END, or uint64 5 next to string "5"), later entries get "<id>#<n>" before the colon so request ids stay unique.
 */
export function requestPrefixes(scenario: Scenario): string[] {
  // Keyed by text, not by id: uint64 5 and string "5" are different sequences but print alike.
  const seen = new Map<string, number>();
  return scenario.sequences.map((sequence) => {
    const text = scenarioIdText(sequence.id);
    const count = seen.get(text) ?? 0;
    seen.set(text, count + 1);
    return count === 0 ? text : `${text}#${count}`;
  });
}
