import type { ModelConfig } from './types.ts';
import { readControls } from './controls.ts';
import { readStates } from './implicit-state.ts';
import { platformOf, readInstanceGroups } from './instance-groups.ts';
import { checkBatchIo } from './batch-io.ts';
import { accumulatorType, readTensors } from './io.ts';
import { JsonReader } from './json-reader.ts';
import { MAX_CONFIG_US, normalizeStrategy, readStrategy } from './strategy.ts';
import { configMessages as msg, unsupportedMessages as unsupported } from './triton-messages.ts';

/** Triton's SEQUENCE_IDLE_DEFAULT_MICROSECONDS: 0 / unset means one second. */
export const SEQUENCE_IDLE_DEFAULT_US = 1_000_000;
/** Idle timeouts are clamped here (see MAX_CONFIG_US). */
export const MAX_SEQUENCE_IDLE_US = MAX_CONFIG_US;
/** Largest max_batch_size, and most slots over all instances, that seqsim simulates. */
export const MAX_BATCH_SIZE = 1 << 20;
export const MAX_TOTAL_SLOTS = 1 << 20;

/**
 * ModelConfig fields, in the order the normalised form writes the ones kept as written. Fields
 * seqsim does not simulate are type-checked and kept, so configs copied from a model repository load.
 */
const MODEL_FIELDS = [
  'name',
  'platform',
  'backend',
  'runtime',
  'version_policy',
  'max_batch_size',
  'input',
  'output',
  'batch_input',
  'batch_output',
  'optimization',
  'instance_group',
  'default_model_filename',
  'cc_model_filenames',
  'metric_tags',
  'parameters',
  'model_warmup',
  'model_operations',
  'model_transaction_policy',
  'model_repository_agents',
  'response_cache',
  'model_metrics',
  'sequence_batching',
  'dynamic_batching',
  'ensemble_scheduling',
] as const;
const KEPT_AS_WRITTEN: Readonly<Record<string, 'string' | 'object' | 'array'>> = {
  platform: 'string',
  backend: 'string',
  runtime: 'string',
  version_policy: 'object',
  batch_input: 'array',
  batch_output: 'array',
  optimization: 'object',
  default_model_filename: 'string',
  cc_model_filenames: 'object',
  metric_tags: 'object',
  parameters: 'object',
  model_warmup: 'array',
  model_operations: 'object',
  model_transaction_policy: 'object',
  model_repository_agents: 'object',
  response_cache: 'object',
  model_metrics: 'object',
};
const SEQUENCE_FIELDS = ['max_sequence_idle_microseconds', 'control_input', 'direct', 'oldest', 'state', 'iterative_sequence'] as const;
const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;

export interface ConfigSource {
  /** File named in errors. */
  readonly file: string;
  /** JSON path of the config inside that file ("model", or "" for a config file). */
  readonly field: string;
  /** Folder holding `initial_state/<data_file>`; without it a data_file needs seqsim_initial_value. */
  readonly modelDir?: string;
}

export interface NormalizedModel {
  readonly config: ModelConfig;
  /** Triton JSON with every default filled in; normalising it again gives the same, byte for byte. */
  readonly normalized: Record<string, unknown>;
}

/**
 * Triton's JSON model configuration → defaults applied (spec §1), validated with Triton's messages
 * (spec §13) in the order Triton checks them, so the first problem reported is Triton's. Throws
 * InputError(file, JSON path, message).
 */
export function normalizeModelConfig(json: unknown, source: ConfigSource): NormalizedModel {
  const root = new JsonReader(source.file, source.field, json);
  root.object();
  root.onlyKeys(MODEL_FIELDS);
  const name = root.optional('name', (r) => r.string(), '');
  if (name.length === 0) root.fail(msg.nameRequired(), root.pathOf('name'));
  refuseEnsemble(root);
  // Triton checks instance groups when it creates the backend model, before the rest of the config.
  const groups = readInstanceGroups(root, name);
  const maxBatchSize = readMaxBatchSize(root, name);
  const sb = sequenceBatching(root);
  for (const [key, type] of Object.entries(KEPT_AS_WRITTEN)) if (root.has(key)) checkType(root.child(key), type);

  if (root.has('response_cache') && root.child('response_cache').optional('enable', (r) => r.boolean(), false)) {
    root.child('response_cache').fail(msg.responseCache(name));
  }
  const maxSequenceIdleUs = sb.optional('max_sequence_idle_microseconds', (r) => r.protoUint64(MAX_SEQUENCE_IDLE_US), 0) || SEQUENCE_IDLE_DEFAULT_US;
  const controls = readControls(sb, name);
  const strategy = readStrategy(sb, maxBatchSize, name);
  const iterativeSequence = sb.optional('iterative_sequence', (r) => r.boolean(), false);
  checkModelMetrics(root);
  const tensorContext = { model: name, maxBatchSize, platform: platformOf(root) };
  const inputs = readTensors(root, 'input', tensorContext);
  const outputs = readTensors(root, 'output', tensorContext);
  checkBatchIo(root, inputs, outputs, name);
  const tensorDataType = accumulatorType(root, inputs);
  const slotsPerInstance = strategy.kind === 'direct' ? Math.max(1, maxBatchSize) : strategy.maxCandidateSequences;
  if (groups.instanceCount * slotsPerInstance > MAX_TOTAL_SLOTS) {
    root.fail(
      `${groups.instanceCount} instances × ${slotsPerInstance} slots is more than the ${MAX_TOTAL_SLOTS} slots seqsim simulates`,
      root.pathOf('instance_group'),
    );
  }
  const states = readStates(sb, source.modelDir);
  checkBatchStrategyPath(root);

  const config: ModelConfig = {
    name,
    maxBatchSize,
    instanceCount: groups.instanceCount,
    tensorDataType,
    maxSequenceIdleUs,
    controls: controls.controls,
    strategy,
    states: states.map((s) => s.spec),
    initialStateValue: states[0]?.spec.initialValue ?? 0,
    iterativeSequence,
    slotsPerInstance,
  };
  const normalized: Record<string, unknown> = {
    name,
    max_batch_size: maxBatchSize,
    input: inputs,
    output: outputs,
    instance_group: groups.normalized,
    sequence_batching: {
      max_sequence_idle_microseconds: maxSequenceIdleUs,
      control_input: controls.normalized,
      ...normalizeStrategy(strategy),
      state: states.map((s) => s.normalized),
      iterative_sequence: iterativeSequence,
    },
  };
  for (const key of Object.keys(KEPT_AS_WRITTEN)) if (root.has(key)) normalized[key] = root.child(key).copy();
  return { config, normalized };
}

function readMaxBatchSize(root: JsonReader, name: string): number {
  if (!root.has('max_batch_size')) return 0;
  const reader = root.child('max_batch_size');
  const value = reader.protoInt(INT32_MIN, INT32_MAX);
  if (value < 0) reader.fail(msg.maxBatchSizeNegative(name));
  if (value > MAX_BATCH_SIZE) reader.fail(`seqsim simulates max_batch_size up to ${MAX_BATCH_SIZE}, got ${value}`);
  return value;
}

/** The platform of an ensemble (Triton's kEnsemblePlatform). */
const ENSEMBLE_PLATFORM = 'ensemble';

/**
 * An ensemble is refused first and plainly: seqsim simulates one sequence-batched model, not a
 * pipeline of models (Triton runs an ensemble's steps through each step model's own scheduler).
 */
function refuseEnsemble(root: JsonReader): void {
  const platform = root.has('platform') ? root.child('platform').string() : '';
  if (root.has('ensemble_scheduling') || platform === ENSEMBLE_PLATFORM) {
    root.child(root.has('ensemble_scheduling') ? 'ensemble_scheduling' : 'platform').fail(unsupported.ensembleNotSimulated());
  }
}

/** sequence_batching is required; dynamic_batching is the other scheduler a model can have. */
function sequenceBatching(root: JsonReader): JsonReader {
  if (root.has('dynamic_batching')) {
    const conflict = root.has('sequence_batching');
    root
      .child('dynamic_batching')
      .fail(
        conflict
          ? 'sequence_batching and dynamic_batching are one oneof (scheduling_choice) in ModelConfig: give one of them'
          : 'seqsim simulates the sequence batcher, and this model uses the dynamic batcher (dynamic_batching)',
      );
  }
  const sb = root.required('sequence_batching', 'seqsim simulates models that use the sequence batcher (sequence_batching: {} for its defaults)');
  sb.object();
  sb.onlyKeys(SEQUENCE_FIELDS);
  return sb;
}

/** Triton refuses a custom batch strategy on a sequence model when it loads the model. */
function checkBatchStrategyPath(root: JsonReader): void {
  if (!root.has('parameters')) return;
  const parameters = root.child('parameters');
  if (parameters.has('TRITON_BATCH_STRATEGY_PATH')) parameters.child('TRITON_BATCH_STRATEGY_PATH').fail(msg.batchStrategyPath());
}

/** model_metrics: each metric_control names a metric family and gives histogram buckets (Triton's ValidateModelMetrics). */
function checkModelMetrics(root: JsonReader): void {
  if (!root.has('model_metrics')) return;
  for (const control of root.child('model_metrics').optionalArray('metric_control')) {
    control.object();
    if (!control.has('metric_identifier')) control.fail(msg.metricIdentifier());
    if (control.child('metric_identifier').optional('family', (r) => r.string(), '') === '') control.child('metric_identifier').fail(msg.metricFamily());
    if (!control.has('histogram_options')) control.fail(msg.metricHistogram());
    if (control.child('histogram_options').optionalArray('buckets').length === 0) control.child('histogram_options').fail(msg.metricBuckets());
  }
}

function checkType(reader: JsonReader, type: 'string' | 'object' | 'array'): void {
  if (type === 'string') reader.string();
  else if (type === 'object') reader.object();
  else reader.array();
}

/**
 * normalizeModelConfig memoised by the config's JSON text (and the folder its state files would be
 * read from): a campaign of generated scenarios draws its models from a few thousand, and
 * normalising each seed's anew cost some 5 % of a seed. Only for configs that are plain JSON
 * (JSON.stringify must show everything normalisation reads), and state files that do not change
 * while the cache lives. A config Triton refuses is never kept:
 * its error names this caller's file and field. What is kept is deep-frozen, since every scenario
 * that hits it shares it: code that changed a scenario's model would throw, not corrupt the next seed's.
 */
export class ModelConfigCache {
  private readonly entries = new Map<string, NormalizedModel>();

  constructor(private readonly maxEntries = 2048) {}

  normalize(json: unknown, source: ConfigSource): NormalizedModel {
    // No folder and an empty one differ: without one, an initial_state data_file is refused.
    const key = `${source.modelDir === undefined ? '-' : `+${source.modelDir}`}\n${JSON.stringify(json)}`;
    const hit = this.entries.get(key);
    if (hit !== undefined) return hit;
    const normalized = deepFreeze(normalizeModelConfig(json, source));
    sharedModels.add(normalized.normalized);
    // Bounded: a long campaign with lifecycle blocks draws more models than it repeats.
    if (this.entries.size >= this.maxEntries) this.entries.clear();
    this.entries.set(key, normalized);
    return normalized;
  }
}

/** Normalised configs a ModelConfigCache handed out: deep-frozen, so what is derived from one holds for good. */
const sharedModels = new WeakSet<object>();

/** Whether `normalized` came from a ModelConfigCache (deep-frozen): facts derived from it may be kept with it. */
export function isSharedModel(normalized: object): boolean {
  return sharedModels.has(normalized);
}

function deepFreeze<T>(value: T): T {
  if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return value;
  Object.freeze(value);
  for (const child of Object.values(value)) deepFreeze(child);
  return value;
}
