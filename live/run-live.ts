import { InputError } from '../src/core/input-errors.ts';
import type { Scenario } from '../src/scenario/types.ts';
import { scenarioIdText } from '../src/core/ids.ts';
import { RandomStreams } from '../sim/kernel/random.ts';
import { TraceRecorder } from '../sim/recorder.ts';
import { buildWorld } from '../sim/world.ts';
import { makeScheduler } from '../sim/pipeline/batcher-choice.ts';
import { requestPrefixes } from '../sim/pipeline/request-ids.ts';
import { finishRun, stopOf } from '../sim/pipeline/run-pipeline.ts';
import { encodeLiveOptions, type LiveRunSettings } from '../sim/pipeline/header-options.ts';
import type { RunEnd } from '../sim/oracles/types.ts';
import { scheduleLifecycle, type LifecycleProgress } from '../sim/lifecycle.ts';
import type { CheckedTrace } from '../sim/oracles/types.ts';
import { RealLoop, type LiveOutcome } from './real-loop.ts';
import { OrtExecutor, type BatchTiming } from './ort-executor.ts';
import { openSession, openSessions, type ProviderName, type ProviderRequest } from './execution-provider.ts';
import { InstanceSessions } from './instance-sessions.ts';
import type { ModelConfig } from '../src/config/types.ts';
import { liveTensorSpec, type LiveTensorSpec } from './tensor-spec.ts';
import { buildAccumulatorOnnx } from './onnx/accumulator-onnx.ts';
import type { LoadSpec } from './load.ts';
import { wallClockMs } from './wall-clock.ts';
import { Stopwatch } from './stopwatch.ts';
import { ortThreadOptions, threadSettings } from './ort-threads.ts';
import type { Timers } from '../src/core/ports.ts';
import type { SequenceBatchScheduler } from '../src/batcher/index.ts';
import type * as ort from 'onnxruntime-node';
import { batchFeeds, checkFeedable } from './feeds.ts';
import { paddingState } from '../src/batcher/implicit-state.ts';
import { corridInteger } from '../src/model/reference.ts';

/** A live run records at most this many events: the same bound the simulator's budget implies. */
export const LIVE_MAX_EVENTS = 2_000_000;
/**
 * Real timers fire late (a busy event loop, GC, a loaded CI machine); the reaper-timing oracle
 * allows this much lateness (early is still wrong).
 */
export const LIVE_TIMER_SLACK_US = 500_000;

/** How a live loop's ending reads to the oracles: a run past its real-time limit is out of budget. */
export const LIVE_RUN_END: Readonly<Record<LiveOutcome, RunEnd>> = { quiescent: 'quiescent', timeout: 'budget-exhausted', failed: 'aborted' };

export interface UserModel {
  readonly bytes: Uint8Array;
  /** The file, for messages and the trace header (its base name only: no absolute paths). */
  readonly name: string;
}

export interface LiveOptions {
  readonly seed: number;
  readonly provider: ProviderRequest;
  /** Real-time limit: a run with work still pending after this is a liveness violation. */
  readonly durationMs: number;
  /** The user's own ONNX model; undefined runs the generated accumulator. */
  readonly userModel?: UserModel;
  /** What the caller left out of the scenario (load mode), each a sentence for the report. */
  readonly notes?: readonly string[];
  /** Dense layers of synthetic work per row in the generated model (`--model-work`); 0: none. */
  readonly modelWorkLayers?: number;
  /** Closed-loop load (perf_analyzer's sequence mode) instead of the scenario's timed sends. */
  readonly load?: LoadSpec;
  readonly batcher?: string;
  /** Keep each batch's feeds for the raw session.run comparison. */
  readonly keepFeeds?: boolean;
}

export interface LiveResult extends CheckedTrace {
  readonly outcome: LiveOutcome;
  readonly provider: ProviderName;
  readonly timings: readonly BatchTiming[];
  readonly wallMs: number;
  /** Wall time spent in the batcher and the executor's host-side work (see stopwatch.ts). */
  readonly batcherMs: number;
  readonly sessions: readonly ort.InferenceSession[];
  readonly spec: LiveTensorSpec;
  /** What the run left out of the scenario, each a sentence for the report. */
  readonly notes: readonly string[];
}

/**
 * Live mode: the scenario's workload against the real batcher, with ONNX Runtime executing the
 * batches on a real clock. The trace has the simulator's format (times are real µs since start,
 * `clock: "real"` in the header) and the same oracles check it.
 */
export async function runLive(scenario: Scenario, file: string, options: LiveOptions): Promise<LiveResult> {
  const notes: string[] = [...(options.notes ?? [])];
  if (scenario.faults !== undefined)
    notes.push("the scenario's faults block was ignored: injected faults need the virtual clock (simulate them: npx seqsim run <scenario>)");
  const spec = liveTensorSpec(scenario.model, scenario.normalized['model'] as Record<string, unknown>, { file, field: 'model' });
  if (options.userModel === undefined) {
    checkStringCorrids(scenario, file);
    checkGeneratedModels(scenario, spec, file);
  }
  const modelBytesFor = (tensors: LiveTensorSpec): Uint8Array =>
    options.userModel?.bytes ?? buildAccumulatorOnnx(tensors, { workLayers: options.modelWorkLayers ?? 0 });
  const threads = ortThreadOptions(scenario.normalized['model'] as Record<string, unknown>, file);
  const modelBytes = modelBytesFor(spec);
  const opened = await openSessions(
    modelBytes,
    options.userModel?.name ?? `${scenario.model.name} (generated accumulator)`,
    scenario.model.instanceCount,
    options.provider,
    threads,
  );

  await warmUp(opened.sessions, spec);
  const loop = new RealLoop();
  const recorder = new TraceRecorder(loop, LIVE_MAX_EVENTS);
  const stopwatch = new Stopwatch();
  const executorOptions = {
    keepFeeds: options.keepFeeds ?? false,
    hold: () => loop.hold(),
    onLoop: (task: () => void) => loop.post(task),
    stopwatch,
  };
  // Later model objects (a lifecycle reload) get sessions of the model their own config generates.
  const firstSessions = new InstanceSessions(
    () => openSession(modelBytes, opened.provider, threads),
    new Map(opened.sessions.map((session, instance) => [instance, session])),
  );
  const executors = [new OrtExecutor(firstSessions, spec, executorOptions)];
  const makeExecutor = (model: ModelConfig, normalized: Readonly<Record<string, unknown>>): OrtExecutor => {
    const tensors = liveTensorSpec(model, normalized);
    const bytes = modelBytesFor(tensors);
    const executor = new OrtExecutor(new InstanceSessions(() => openSession(bytes, opened.provider, threads)), tensors, executorOptions);
    executors.push(executor);
    return executor;
  };
  const streams = new RandomStreams(options.seed);
  const baseScheduler = makeScheduler(options.batcher ?? 'real');
  const world = buildWorld({
    scenario,
    loop,
    timers: timedTimers(loop, stopwatch),
    executor: executors[0]!,
    makeExecutor,
    recorder,
    faults: undefined,
    transportStream: streams.stream('transport'),
    // Every model object's scheduler, the first and any a reload builds, is timed.
    makeScheduler: (model, deps, schedulerOptions) => timeEntryPoints(baseScheduler(model, deps, schedulerOptions), stopwatch),
    slotOrder: 'triton-heap',
  });
  const prefixes = requestPrefixes(scenario);
  let clientsDone = 0;
  const addClient = (sequence: Scenario['sequences'][number], prefix: string, onDone?: () => void): void =>
    world.addClient(sequence, prefix, () => {
      clientsDone++;
      onDone?.();
    });
  let lifecycle: LifecycleProgress | undefined;
  // The run may end with only housekeeping timers left (the reaper's next check): once every
  // client is done, every lifecycle action took effect and no model object holds or runs work.
  loop.finishWhen(() => {
    if (clientsDone < scenario.sequences.length || lifecycle === undefined || !lifecycle.settled()) return false;
    return world.server.generations.every((generation) => {
      if (generation.state === 'destroyed') return true;
      const occupancy = generation.scheduler.occupancy();
      return generation.state === 'ready' && occupancy.heldSlots === 0 && occupancy.queuedRequests === 0 && occupancy.batchesInFlight === 0;
    });
  });
  const startedMs = wallClockMs();
  loop.startClock();
  loop.post(() => {
    if (options.load === undefined) for (const [index, sequence] of scenario.sequences.entries()) addClient(sequence, prefixes[index]!);
    else startLoadLanes(scenario, prefixes, options.load.concurrency, loop, addClient);
    lifecycle = scheduleLifecycle(scenario, loop, recorder, world.server);
  });
  const ended = await loop.whenIdle(options.durationMs);
  const wallMs = wallClockMs() - startedMs;
  loop.shutdown();

  const stop = stopOf(LIVE_RUN_END[ended], loop.error);
  const finished = finishRun({
    events: recorder.events,
    stop,
    endUs: loop.nowUs(),
    oracles: {
      model: scenario.model,
      maxEvents: LIVE_MAX_EVENTS,
      realClock: { timerSlackUs: LIVE_TIMER_SLACK_US, durationMs: options.durationMs },
      referenceOutputs: options.userModel === undefined,
      // A managed model's oracles check each model object against its own config.
      ...(world.server.managed ? { generationModels: world.server.generations.map((generation) => generation.model) } : {}),
    },
    header: {
      seed: options.seed,
      scenario: scenario.normalized,
      options: encodeLiveOptions({ ...liveSettings(options, opened.provider), ...threadSettings(threads) }),
      clock: 'real',
    },
  });
  const { lifecycle: _lifecycle, ...trace } = finished;
  return {
    ...trace,
    outcome: stop.broken !== undefined ? 'failed' : ended,
    provider: opened.provider,
    timings: executors.flatMap((executor) => executor.timings),
    wallMs,
    batcherMs: stopwatch.ms,
    sessions: (await Promise.all(executors.map((executor) => executor.sessions.all()))).flat(),
    spec,
    notes,
  };
}

/** The batcher's own wake-ups (batch formation, reaper, clean-up), timed for the overhead figure. */
function timedTimers(loop: RealLoop, stopwatch: Stopwatch): Timers {
  return {
    schedule: (atUs, options, task) => loop.schedule(atUs, options, () => stopwatch.time(task)),
    cancel: (handle) => loop.cancel(handle),
  };
}

/** The scheduler's entry points from the server side, timed the same way. */
function timeEntryPoints(scheduler: SequenceBatchScheduler, stopwatch: Stopwatch): SequenceBatchScheduler {
  const enqueue = scheduler.enqueue.bind(scheduler);
  const cancel = scheduler.cancel.bind(scheduler);
  scheduler.enqueue = (request) => stopwatch.time(() => enqueue(request));
  scheduler.cancel = (request) => stopwatch.time(() => cancel(request));
  return scheduler;
}

/**
 * One padding-row batch through every session before the clock starts: the first session.run
 * allocates and plans, which would otherwise stall the first milliseconds of the workload.
 */
async function warmUp(sessions: readonly ort.InferenceSession[], spec: LiveTensorSpec): Promise<void> {
  const row = { slot: 0, request: null, start: false, end: false, ready: false, corrid: spec.corrid?.onnxType === 'STRING' ? '' : 0, state: paddingState() };
  for (const session of sessions) await session.run(batchFeeds(spec, [row]));
}

/** What the header records about how this live run ran. */
function liveSettings(options: LiveOptions, provider: ProviderName): LiveRunSettings {
  return {
    executionProvider: provider,
    requestedProvider: options.provider,
    durationMs: options.durationMs,
    ...(options.userModel !== undefined ? { modelFile: options.userModel.name } : {}),
    ...(options.modelWorkLayers !== undefined ? { modelWorkLayers: options.modelWorkLayers } : {}),
    ...(options.load !== undefined ? { load: options.load } : {}),
    ...(options.batcher !== undefined ? { batcher: options.batcher } : {}),
  };
}

/**
 * perf_analyzer's sequence mode: `concurrency` sequences in flight; when one ends the next one
 * starts at once, until every sequence of the scenario has run.
 */
function startLoadLanes(
  scenario: Scenario,
  prefixes: readonly string[],
  concurrency: number,
  loop: RealLoop,
  addClient: (sequence: Scenario['sequences'][number], prefix: string, onDone?: () => void) => void,
): void {
  let next = 0;
  const startNext = (): void => {
    const index = next++;
    const sequence = scenario.sequences[index];
    if (sequence === undefined) return;
    addClient({ ...sequence, startUs: loop.nowUs() }, prefixes[index]!, startNext);
  };
  for (let lane = 0; lane < concurrency; lane++) startNext();
}

/**
 * Every config the run will generate a model for (the scenario's, and each one its lifecycle
 * loads) must be one live mode can serve: refused up front, not halfway through the run.
 */
function checkGeneratedModels(scenario: Scenario, spec: LiveTensorSpec, file: string): void {
  checkFeedable(spec, { file, field: 'model' });
  scenario.lifecycle.forEach((event, index) => {
    if (event.kind !== 'load' || !('config' in event.config)) return;
    const source = { file, field: `lifecycle[${index}].load` };
    checkFeedable(liveTensorSpec(event.config.config, event.config.normalized, source), source);
  });
}

/**
 * The generated model adds a TYPE_STRING CORRID on END as the integer it spells (ONNX Runtime's
 * Cast): an id that is not one would fail its batch, which the reference cannot foresee.
 */
function checkStringCorrids(scenario: Scenario, file: string): void {
  if (scenario.model.controls.corrid?.dataType !== 'TYPE_STRING' || scenario.model.controls.end === undefined) return;
  scenario.sequences.forEach((sequence, index) => {
    const text = scenarioIdText(sequence.id);
    if (corridInteger(text) === undefined) {
      throw new InputError(
        file,
        `sequences[${index}].id`,
        `live mode's generated model adds a TYPE_STRING CORRID on END as the integer it spells, but ${JSON.stringify(text)} ` +
          'is not numeric (a decimal integer within int64; or run it in the simulator)',
      );
    }
  });
}
