import type { TraceEvent } from '../src/core/events.ts';
import type { Timers } from '../src/core/ports.ts';
import type { Scenario, ScenarioSequence } from '../src/scenario/types.ts';
import { EventLoop, seededChooser, type Chooser, type RecordedChoice, type SimLoop } from './kernel/event-queue.ts';
import { RandomStreams, type RandomStream } from './kernel/random.ts';
import { ChoosingStream } from './kernel/choosing-stream.ts';
import { TraceRecorder } from './recorder.ts';
import { SimExecutor } from './executor.ts';
import { buildWorld } from './world.ts';
import type { LifecycleReport } from './oracles/index.ts';
import type { CheckedTrace, RunEnd } from './oracles/types.ts';
import { assert } from '../src/core/assert.ts';
import { scheduleLifecycle } from './lifecycle.ts';
import { FaultInjector } from './faults.ts';
import { stallWatch } from './stall.ts';
import { ScriptedChooser, type ScheduleDivergence } from './check/scripted-chooser.ts';
import type { FaultKind } from '../src/scenario/faults.ts';
import { defaultMaxEvents, encodeSimOptions, type SimRunSettings } from './pipeline/header-options.ts';
import { finishRun, judgeOnline, runUntilStopped, type OracleVerdict, type RecordedRun, type RunStop } from './pipeline/run-pipeline.ts';
import { TraceChecker } from './oracles/index.ts';
import type { OracleContext } from './oracles/types.ts';
import { DeferredHeaderTraceFile } from '../traces/deferred-header-file.ts';
import type { TraceCounts } from '../traces/trace-stream.ts';
import { makeHeader, violationEvents, type TraceHeader } from '../traces/writer.ts';
import { makeScheduler, swapHook } from './pipeline/batcher-choice.ts';
import { requestPrefixes } from './pipeline/request-ids.ts';

export type { RunEnd } from './oracles/types.ts';
export { DEFAULT_MAX_EVENTS, defaultMaxEvents } from './pipeline/header-options.ts';

export interface SimulateOptions extends SimRunSettings {
  readonly seed: number;
  /** Overrides the seeded same-instant choices (model checking). */
  readonly chooser?: Chooser;
  /** Keep this many decisions (orderings, and chosen draws), named by their options' labels (0 = none). */
  readonly recordChoices?: number;
  /** Replaces the event loop (benchmarks compare kernels on the same workload). */
  readonly makeLoop?: (chooser: Chooser) => SimLoop;
  /**
   * false: check the oracles but do not serialise the trace (no lines, empty hash). Explorers use
   * it for the many clean seeds and re-run a failing seed in full.
   */
  readonly serialize?: boolean;
  /**
   * End a run that can only spin (nothing but the idle reaper's polling, no progress for longer
   * than any timeout: sim/stall.ts) as 'stalled' instead of running to the event budget. Default
   * true; `replay` turns it on only for traces that stalled (`options.stalled`), so traces
   * recorded before it existed replay to their budget as they did.
   */
  readonly stallStop?: boolean;
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

/** A world set up and not yet run. */
interface PreparedRun {
  readonly loop: SimLoop;
  readonly recorder: TraceRecorder;
  readonly world: ReturnType<typeof buildWorld>;
  readonly faults: FaultInjector | undefined;
  readonly scripted: ScriptedChooser | undefined;
  readonly maxEvents: number;
  readonly recording: boolean;
}

/** One deterministic run: a pure function of (scenario, seed, options). */
export function simulate(scenario: Scenario, options: SimulateOptions): RunResult {
  const prepared = prepareRun(scenario, options);
  const { loop, recorder, maxEvents, recording } = prepared;
  const stop = runPrepared(scenario, options, prepared);
  const endUs = loop.nowUs();
  const finished = finishRun({
    events: recorder.events,
    stop,
    endUs,
    oracles: recording ? oracleContextOf(scenario, options, prepared) : undefined,
    header: headerOf(scenario, options, maxEvents, stop.ended === 'stalled'),
    ...(options.serialize === false ? { serialize: false } : {}),
  });
  return { ...finished, ...runFacts(options, prepared, stop, endUs) };
}

/** A run whose trace went straight to a file: what `run` reports, without the events. */
export interface StreamedRunResult extends Omit<RunResult, 'events' | 'lines'> {
  /** The trace file written. */
  readonly path: string;
  /** The run's events counted (violation events not included). */
  readonly counts: TraceCounts;
}

/**
 * simulate, with the trace streamed to `path` as the run goes and every oracle checked online
 * (sim/oracles/index.ts's TraceChecker): memory holds the world's live state and the oracles'
 * books, never the run's events. The file's bytes equal simulate's trace for the same inputs.
 */
export function simulateToFile(scenario: Scenario, options: StreamedRunOptions, path: string): StreamedRunResult {
  return simulateToFileInParts(scenario, options, path, ALL_PARTS);
}

type StreamedRunOptions = Omit<SimulateOptions, 'serialize' | 'record' | 'inspect'>;

/** The per-event work of a streamed run: the oracles' online check, the trace's bytes (serialise, hash, write). */
export interface StreamedRunParts {
  readonly oracles: boolean;
  readonly trace: boolean;
}

const ALL_PARTS: StreamedRunParts = { oracles: true, trace: true };

/**
 * simulateToFile doing only `parts` of its per-event work: benchmarks split a checked run's cost
 * with it (`seqsim bench`'s "where a checked event's time goes"). Left-out oracles see no event
 * (the verdict is then meaningless); a left-out trace writes the header and summary only.
 */
export function simulateToFileInParts(scenario: Scenario, options: StreamedRunOptions, path: string, parts: StreamedRunParts): StreamedRunResult {
  const prepared = prepareRun(scenario, options);
  const { loop, recorder, maxEvents } = prepared;
  const oracles = onlineOracles(scenario, options, prepared);
  // The header is known before the run but for whether it stalls: expect a run that does not.
  const expectedHeader = traceHeaderOf(headerOf(scenario, options, maxEvents, false));
  const file = new DeferredHeaderTraceFile(path, expectedHeader);
  try {
    // One closure per combination: the full run's (every product run's) has no per-event branch.
    if (parts.oracles && parts.trace)
      recorder.streamTo((event) => {
        oracles.observe(event);
        file.event(event);
      });
    else if (parts.oracles) recorder.streamTo(oracles.observe);
    else if (parts.trace) recorder.streamTo((event) => file.event(event));
    else recorder.streamTo(() => {});
    const stop = runPrepared(scenario, options, prepared);
    const endUs = loop.nowUs();
    const { violations, lifecycle } = oracles.judge(stop);
    const counts = file.counts();
    for (const violation of violationEvents(violations, endUs)) file.event(violation);
    const header = stop.ended === 'stalled' ? traceHeaderOf(headerOf(scenario, options, maxEvents, true)) : expectedHeader;
    const hash = file.finish(header, lifecycle !== undefined ? { interrupted: lifecycle.interrupted.length } : undefined);
    return { path, header, hash, violations, lifecycle, counts, ...runFacts(options, prepared, stop, endUs) };
  } finally {
    file.abort();
  }
}

/**
 * simulate for its verdict alone, as explorers judge their many clean seeds: every oracle checks
 * each event as the run emits it and no event is kept (no second walk over the trace, nothing
 * outliving its check) but the lifecycle events (`events` holds only those; explore counts the
 * actions). No lines, no hash: re-run a seed with a violation through simulate for its trace.
 * Its verdict, facts and fault counts equal simulate's for the same inputs.
 */
export function simulateVerdict(scenario: Scenario, options: StreamedRunOptions): RunResult {
  const prepared = prepareRun(scenario, options);
  const { loop, recorder, maxEvents } = prepared;
  const oracles = onlineOracles(scenario, options, prepared);
  const lifecycleEvents: TraceEvent[] = [];
  recorder.streamTo((event) => {
    oracles.observe(event);
    if (event.type === 'lifecycle') lifecycleEvents.push(event);
  });
  const stop = runPrepared(scenario, options, prepared);
  const endUs = loop.nowUs();
  const { violations, lifecycle } = oracles.judge(stop);
  const header = traceHeaderOf(headerOf(scenario, options, maxEvents, stop.ended === 'stalled'));
  return { header, events: lifecycleEvents, lines: [], hash: '', violations, lifecycle, ...runFacts(options, prepared, stop, endUs) };
}

/**
 * Every oracle as one online checker for a prepared run: `observe` each event as it is emitted,
 * `judge` once the run stopped. The checker reads each model generation as the run creates it.
 */
function onlineOracles(
  scenario: Scenario,
  options: SimulateOptions,
  prepared: PreparedRun,
): { observe: (event: TraceEvent) => void; judge: (stop: RunStop) => OracleVerdict } {
  const context = oracleContextOf(scenario, options, prepared);
  const generationModels = context.generationModels === undefined ? undefined : [...context.generationModels];
  const checker = new TraceChecker(generationModels === undefined ? context : { ...context, generationModels });
  const generations = prepared.world.server.generations;
  const syncGenerations = (): void => {
    if (generationModels === undefined) return;
    while (generationModels.length < generations.length) generationModels.push(generations[generationModels.length]!.model);
  };
  return {
    observe: (event) => {
      syncGenerations();
      checker.observe(event);
    },
    judge: (stop) => {
      // A generation the run created after its last event is still judged (lifecycle).
      syncGenerations();
      return judgeOnline(checker, stop);
    },
  };
}

/** What every run reports besides its trace and verdict. */
function runFacts(options: SimulateOptions, prepared: PreparedRun, stop: RunStop, endUs: number) {
  const { loop, world } = prepared;
  return {
    seed: options.seed,
    outcome: stop.ended,
    choices: loop.choices,
    tasksExecuted: loop.eventsExecuted,
    endUs,
    lastResponseUs: world.lastResponseUs(),
    faultsFired: { ...(prepared.faults?.fired ?? {}) },
    scheduleDivergence: prepared.scripted?.divergence,
  };
}

function prepareRun(scenario: Scenario, options: SimulateOptions): PreparedRun {
  const maxEvents = options.maxEvents ?? defaultMaxEvents(requestCount(scenario));
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
  return { loop, recorder, world, faults, scripted, maxEvents, recording };
}

function runPrepared(scenario: Scenario, options: SimulateOptions, prepared: PreparedRun): RunStop {
  const { loop, recorder, world, maxEvents, recording } = prepared;
  const stop = runUntilStopped(() => loop.run(maxEvents, recording && options.stallStop !== false ? stallWatch(scenario, recorder) : undefined));
  // The exited server's models go with its process (spec §4.2): destroyed once the run is over.
  if (stop.ended === 'quiescent' && world.server.exited) world.server.destroyAtExit();
  return stop;
}

function oracleContextOf(scenario: Scenario, options: SimulateOptions, prepared: PreparedRun): Omit<OracleContext, 'runEnded'> {
  const server = prepared.world.server;
  return {
    model: scenario.model,
    maxEvents: prepared.maxEvents,
    ...(server.managed ? { generationModels: server.generations.map((g) => g.model), strictLifecycle: options.strictLifecycle === true } : {}),
  };
}

function headerOf(scenario: Scenario, options: SimulateOptions, maxEvents: number, stalled: boolean): RecordedRun['header'] {
  return {
    seed: options.seed,
    scenario: scenario.normalized,
    options: encodeSimOptions(headerSettings(options, maxEvents), { stalled }),
    clock: 'virtual',
  };
}

/**
 * The settings a header records, field by field rather than a copy of every option (each explored
 * seed builds a header); typed so that a new SimRunSettings field cannot be left out here.
 */
function headerSettings(options: SimulateOptions, maxEvents: number): { readonly [K in keyof Required<SimRunSettings>]: SimRunSettings[K] } {
  return {
    maxEvents,
    slotOrder: options.slotOrder,
    batcher: options.batcher,
    schedule: options.schedule,
    chooseDraws: options.chooseDraws,
    strictLifecycle: options.strictLifecycle,
  };
}

function traceHeaderOf(recorded: RecordedRun['header']): TraceHeader {
  return makeHeader(recorded.seed, recorded.scenario, recorded.options, recorded.clock);
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

/** How many requests the scenario sends (what the default event budget scales with). */
function requestCount(scenario: Scenario): number {
  let count = 0;
  for (const sequence of scenario.sequences) count += sequence.steps.length;
  return count;
}
