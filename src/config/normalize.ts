import type { ModelConfig } from './types.ts';
import { readControls } from './controls.ts';
import { readStates } from './implicit-state.ts';
import { readInstanceGroups } from './instance-groups.ts';
import { accumulatorType, readTensors } from './io.ts';
import { JsonReader } from './json-reader.ts';
import { MAX_CONFIG_US, normalizeStrategy, readStrategy } from './strategy.ts';
import { configMessages as msg } from './triton-messages.ts';

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
  const inputs = readTensors(root, 'input', name);
  const outputs = readTensors(root, 'output', name);
  const tensorDataType = accumulatorType(root, inputs);
  const groups = readInstanceGroups(root);
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

/** sequence_batching is required: the scheduler oneof holds one of three, and seqsim simulates this one. */
function sequenceBatching(root: JsonReader): JsonReader {
  for (const other of ['dynamic_batching', 'ensemble_scheduling']) {
    if (root.has(other)) {
      root
        .child(other)
        .fail(
          `seqsim simulates the sequence batcher: sequence_batching, dynamic_batching and ensemble_scheduling are one oneof (scheduling_choice) in ModelConfig`,
        );
    }
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

function checkType(reader: JsonReader, type: 'string' | 'object' | 'array'): void {
  if (type === 'string') reader.string();
  else if (type === 'object') reader.object();
  else reader.array();
}
