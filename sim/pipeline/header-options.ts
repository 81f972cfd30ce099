/*
 * The run options a trace header records (its `options` object), written and read in this one
 * place. A simulated run records what `replay` needs to re-run it byte for byte; a live or served
 * run records how it ran (nothing can replay the real clock). Adding a run option that a trace
 * must remember: a field in SimRunSettings or LiveRunSettings, one line in its encoder and its
 * decoder here, and a case in test/pipeline/header-options.test.ts.
 *
 * Old traces keep replaying: a field a header lacks decodes to the value the run used before the
 * field existed, and an encoder writes a field only when it differs from that value (except
 * max_events and slot_order, which every simulated trace has carried).
 */
import { InputError } from '../../src/core/input-errors.ts';
import type { SlotOrder } from '../../src/batcher/index.ts';

/** The smallest default event budget of a simulated run (every scenario up to 50k requests gets exactly this). */
export const DEFAULT_MAX_EVENTS = 2_000_000;

/**
 * Tasks a request may cost before a run counts as not finishing: arrival, transport, batching,
 * execution, response, and the reaper's polls and backlog moves around it take about 10 per
 * request; 40 leaves room for retries, faults and long idle periods without hiding a livelock.
 */
export const BUDGET_EVENTS_PER_REQUEST = 40;

/**
 * The event budget of a run unless told otherwise: it grows with the scenario, so a 1M-request
 * run is not stopped as a liveness violation by a budget sized for small ones. The header records
 * the budget used, so a replay never depends on this rule.
 */
export function defaultMaxEvents(requestCount: number): number {
  return Math.max(DEFAULT_MAX_EVENTS, BUDGET_EVENTS_PER_REQUEST * requestCount);
}

/** The simulate() options a trace header records: `replay` re-runs with exactly these. */
export interface SimRunSettings {
  /** Event budget: a run that has not become quiescent after this many tasks is a liveness violation. */
  readonly maxEvents?: number;
  readonly slotOrder?: SlotOrder;
  /** "real" (default) or "bug:<name>" from the bug zoo (sim/zoo). */
  readonly batcher?: string;
  /**
   * A schedule: at each same-instant choice point, the option to take — an index, or the label
   * of the task to run ("reaper", "arrive:7:2"); then the first option.
   */
  readonly schedule?: readonly (number | string)[];
  /**
   * Fault decisions and latency draws become choice points that the chooser decides (as a
   * scenario's `"draws": "chosen"` does), instead of draws from the seed's `faults`, `transport`
   * and `executor` streams (`check --choose-draws`).
   */
  readonly chooseDraws?: boolean;
  /** Every sequence a reload or unload interrupts is a violation (`seqsim run --strict-lifecycle`). */
  readonly strictLifecycle?: boolean;
}

/** A simulated run's header options, decoded: its settings with every default filled in, and how it ended. */
export interface RecordedSimRun {
  readonly settings: Required<Omit<SimRunSettings, 'schedule'>> & Pick<SimRunSettings, 'schedule'>;
  /** The run ended stalled (sim/stall.ts): its replay stops at the stall too. */
  readonly stalled: boolean;
}

/** The header options of a simulated run; `stalled`: it ended as a stall. Key order is part of the trace's bytes. */
export function encodeSimOptions(settings: SimRunSettings, ended: { readonly stalled: boolean }): Record<string, unknown> {
  // Fields set one by one, in the header's order: every simulated run (each explored seed) encodes
  // its options, and spreading a small object per optional field cost more than the rest.
  const options: Record<string, unknown> = { max_events: settings.maxEvents ?? DEFAULT_MAX_EVENTS, slot_order: settings.slotOrder ?? 'triton-heap' };
  if (settings.batcher !== undefined && settings.batcher !== 'real') options['batcher'] = settings.batcher;
  if (settings.schedule !== undefined) options['schedule'] = [...settings.schedule];
  if (settings.chooseDraws === true) options['choose_draws'] = true;
  if (settings.strictLifecycle === true) options['strict_lifecycle'] = true;
  if (ended.stalled) options['stalled'] = true;
  return options;
}

/** Reads a simulated run's header options (`file` names the trace in errors: line 1 is the header). */
export function decodeSimOptions(options: Readonly<Record<string, unknown>>, file: string): RecordedSimRun {
  const field = fieldReader(options, file);
  const maxEvents = field('max_events', (v) => Number.isSafeInteger(v) && (v as number) > 0, 'must be a positive integer');
  const slotOrder = field('slot_order', (v) => v === 'triton-heap' || v === 'instance-major', 'must be "triton-heap" or "instance-major"');
  const batcher = field('batcher', (v) => typeof v === 'string', 'must be a string');
  const schedule = field(
    'schedule',
    (v) => Array.isArray(v) && v.every((i) => typeof i === 'string' || (Number.isSafeInteger(i) && (i as number) >= 0)),
    'must be an array of task or draw labels or non-negative integers',
  );
  const chooseDraws = field('choose_draws', (v) => v === true, 'must be true when present');
  const strictLifecycle = field('strict_lifecycle', (v) => v === true, 'must be true when present');
  const stalled = field('stalled', (v) => v === true, 'must be true when present');
  return {
    settings: {
      maxEvents: (maxEvents as number | undefined) ?? DEFAULT_MAX_EVENTS,
      slotOrder: (slotOrder as SlotOrder | undefined) ?? 'triton-heap',
      batcher: (batcher as string | undefined) ?? 'real',
      ...(schedule !== undefined ? { schedule: [...(schedule as (number | string)[])] } : {}),
      chooseDraws: chooseDraws === true,
      strictLifecycle: strictLifecycle === true,
    },
    stalled: stalled === true,
  };
}

/** Closed-loop load (perf_analyzer's sequence mode) a live run used instead of the scenario's timed sends. */
export interface RecordedLoad {
  readonly sequences: number;
  readonly sequenceLength: number;
  readonly concurrency: number;
}

/** How a live (`seqsim live`) or served (`seqsim serve`) run ran: recorded for reports, never replayed. */
export interface LiveRunSettings {
  /** The execution provider ONNX Runtime used ("cpu", "cuda", …). */
  readonly executionProvider: string;
  /** The one asked for ("auto" picks). */
  readonly requestedProvider: string;
  /** Requests came through a front end ("kserve-v2-http"), not the scenario's clients. */
  readonly frontEnd?: string;
  /** Real-time limit of a live run (ms; `--duration 1.5ms` gives a fraction). */
  readonly durationMs?: number;
  /** The user's ONNX model (base name); absent: the generated accumulator. */
  readonly modelFile?: string;
  /** Dense layers of synthetic work per row in the generated model (0: none). */
  readonly modelWorkLayers?: number;
  readonly load?: RecordedLoad;
  readonly batcher?: string;
  /** ONNX Runtime thread pools the model config set (absent: its defaults). */
  readonly intraOpThreads?: number;
  readonly interOpThreads?: number;
}

/** The header options of a live or served run. */
export function encodeLiveOptions(settings: LiveRunSettings): Record<string, unknown> {
  const load = settings.load;
  return {
    execution_provider: settings.executionProvider,
    requested_provider: settings.requestedProvider,
    ...(settings.frontEnd !== undefined ? { front_end: settings.frontEnd } : {}),
    ...(settings.durationMs !== undefined ? { duration_ms: settings.durationMs } : {}),
    ...(settings.modelFile !== undefined ? { model_file: settings.modelFile } : {}),
    ...((settings.modelWorkLayers ?? 0) > 0 ? { model_work_layers: settings.modelWorkLayers } : {}),
    ...(load !== undefined ? { load: { sequences: load.sequences, sequence_length: load.sequenceLength, concurrency: load.concurrency } } : {}),
    ...(settings.batcher !== undefined && settings.batcher !== 'real' ? { batcher: settings.batcher } : {}),
    ...(settings.intraOpThreads !== undefined ? { intra_op_threads: settings.intraOpThreads } : {}),
    ...(settings.interOpThreads !== undefined ? { inter_op_threads: settings.interOpThreads } : {}),
  };
}

/** Reads a live or served run's header options. */
export function decodeLiveOptions(options: Readonly<Record<string, unknown>>, file: string): LiveRunSettings {
  const field = fieldReader(options, file);
  const text = (v: unknown): boolean => typeof v === 'string';
  const count = (v: unknown): boolean => Number.isSafeInteger(v) && (v as number) >= 0;
  const provider = field('execution_provider', text, 'must be a string', true) as string;
  const requested = field('requested_provider', text, 'must be a string', true) as string;
  const frontEnd = field('front_end', text, 'must be a string');
  const durationMs = field('duration_ms', (v) => typeof v === 'number' && Number.isFinite(v) && v >= 0, 'must be a non-negative number');
  const modelFile = field('model_file', text, 'must be a string');
  const workLayers = field('model_work_layers', count, 'must be a non-negative integer');
  const load = field(
    'load',
    (v) =>
      typeof v === 'object' &&
      v !== null &&
      ['sequences', 'sequence_length', 'concurrency'].every((key) => Number.isSafeInteger((v as Record<string, unknown>)[key])),
    'must be { "sequences", "sequence_length", "concurrency" } (integers)',
  ) as Record<string, number> | undefined;
  const batcher = field('batcher', text, 'must be a string');
  const intra = field('intra_op_threads', count, 'must be a non-negative integer');
  const inter = field('inter_op_threads', count, 'must be a non-negative integer');
  return {
    executionProvider: provider,
    requestedProvider: requested,
    ...(frontEnd !== undefined ? { frontEnd: frontEnd as string } : {}),
    ...(durationMs !== undefined ? { durationMs: durationMs as number } : {}),
    ...(modelFile !== undefined ? { modelFile: modelFile as string } : {}),
    ...(workLayers !== undefined ? { modelWorkLayers: workLayers as number } : {}),
    ...(load !== undefined ? { load: { sequences: load['sequences']!, sequenceLength: load['sequence_length']!, concurrency: load['concurrency']! } } : {}),
    ...(batcher !== undefined ? { batcher: batcher as string } : {}),
    ...(intra !== undefined ? { intraOpThreads: intra as number } : {}),
    ...(inter !== undefined ? { interOpThreads: inter as number } : {}),
  };
}

/** Reads one header option, checking it; a bad value is an InputError naming line 1 and the field. */
function fieldReader(options: Readonly<Record<string, unknown>>, file: string) {
  return (name: string, valid: (value: unknown) => boolean, problem: string, required = false): unknown => {
    const value = options[name];
    if (value === undefined) {
      if (required) throw new InputError(file, `line 1: options.${name}`, 'missing');
      return undefined;
    }
    if (!valid(value)) throw new InputError(file, `line 1: options.${name}`, problem);
    return value;
  };
}
