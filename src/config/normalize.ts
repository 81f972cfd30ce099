import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type {
  BooleanControl,
  BooleanControlDataType,
  Controls,
  CorridControl,
  CorridDataType,
  DirectStrategy,
  ImplicitStateSpec,
  ModelConfig,
  OldestStrategy,
  TensorDataType,
} from './types.ts';
import { JsonReader } from './json-reader.ts';
import { configMessages as msg } from './triton-messages.ts';

/** Triton's SEQUENCE_IDLE_DEFAULT_MICROSECONDS: 0 / unset means one second. */
export const SEQUENCE_IDLE_DEFAULT_US = 1_000_000;
/** Idle timeouts are clamped here: Triton adds them to `now` without overflow protection. */
export const MAX_SEQUENCE_IDLE_US = 2 ** 52;

const MODEL_FIELDS = [
  'name', 'platform', 'backend', 'runtime', 'version_policy', 'max_batch_size', 'input', 'output', 'batch_input', 'batch_output',
  'optimization', 'instance_group', 'default_model_filename', 'cc_model_filenames', 'metric_tags', 'parameters', 'model_warmup',
  'model_operations', 'model_transaction_policy', 'model_repository_agents', 'response_cache', 'sequence_batching',
  'dynamic_batching', 'ensemble_scheduling',
] as const;
const SEQUENCE_FIELDS = ['max_sequence_idle_microseconds', 'control_input', 'direct', 'oldest', 'state', 'iterative_sequence'] as const;
const BOOLEAN_KINDS = ['CONTROL_SEQUENCE_START', 'CONTROL_SEQUENCE_READY', 'CONTROL_SEQUENCE_END'] as const;
const CORRID_TYPES: readonly CorridDataType[] = ['TYPE_UINT64', 'TYPE_INT64', 'TYPE_UINT32', 'TYPE_INT32', 'TYPE_STRING'];
const FALSE_TRUE_LISTS = [
  ['int32_false_true', 'TYPE_INT32'],
  ['fp32_false_true', 'TYPE_FP32'],
  ['bool_false_true', 'TYPE_BOOL'],
] as const;

export interface ConfigSource {
  /** File named in errors. */
  readonly file: string;
  /** JSON path of the config inside that file ("model", or "" for a config file). */
  readonly field: string;
  /** Folder holding `initial_state/<data_file>`. */
  readonly modelDir: string;
}

export interface NormalizedModel {
  readonly config: ModelConfig;
  /** Triton JSON with every default filled in; normalising it again gives the same. */
  readonly normalized: Record<string, unknown>;
}

/** Triton's JSON model configuration → defaults applied, validated (spec §1, §13). */
export function normalizeModelConfig(json: unknown, source: ConfigSource): NormalizedModel {
  const root = new JsonReader(source.file, source.field, json);
  root.object();
  root.onlyKeys(MODEL_FIELDS);
  const name = root.has('name') ? root.child('name').string() : 'model';
  if (name.length === 0) root.child('name').fail('must not be empty');
  if (root.has('dynamic_batching') || root.has('ensemble_scheduling')) {
    root.child(root.has('dynamic_batching') ? 'dynamic_batching' : 'ensemble_scheduling').fail(
      'a model has one scheduler: sequence_batching, dynamic_batching and ensemble_scheduling are one oneof in ModelConfig',
    );
  }
  if (!root.has('sequence_batching')) root.fail('no sequence_batching: seqsim simulates models that use the sequence batcher', root.path ? `${root.path}.sequence_batching` : 'sequence_batching');

  const maxBatchSize = root.optional('max_batch_size', (r) => r.nonNegativeInt(1 << 20), 0);
  checkPassThrough(root, name);
  const input = tensorList(root, 'input', 'INPUT');
  const output = tensorList(root, 'output', 'OUTPUT');
  const tensorDataType = accumulatorType(root, input);
  const groups = instanceGroups(root);

  const sb = root.child('sequence_batching');
  sb.object();
  sb.onlyKeys(SEQUENCE_FIELDS);
  const idleRaw = sb.optional('max_sequence_idle_microseconds', (r) => r.nonNegativeInt(Number.MAX_SAFE_INTEGER), 0);
  const maxSequenceIdleUs = Math.min(idleRaw === 0 ? SEQUENCE_IDLE_DEFAULT_US : idleRaw, MAX_SEQUENCE_IDLE_US);
  const controlInputs = sb.has('control_input') ? sb.child('control_input').array() : undefined;
  const { controls, normalizedControls } = controlInputs === undefined ? defaultControls() : readControls(controlInputs, name);
  if (sb.has('direct') && sb.has('oldest')) sb.child('oldest').fail('direct and oldest are one oneof: choose one strategy');
  const strategy = sb.has('oldest') ? readOldest(sb.child('oldest'), maxBatchSize, name) : readDirect(sb.has('direct') ? sb.child('direct') : undefined, name);
  const states = sb.optionalArray('state').map((r) => readState(r, source));
  const iterativeSequence = sb.optional('iterative_sequence', (r) => r.boolean(), false);

  const slotsPerInstance = strategy.kind === 'direct' ? Math.max(1, maxBatchSize) : strategy.maxCandidateSequences;
  const config: ModelConfig = {
    name,
    maxBatchSize,
    instanceCount: groups.reduce((sum, g) => sum + (g['count'] as number), 0),
    tensorDataType,
    maxSequenceIdleUs,
    controls,
    strategy,
    states: states.map((s) => s.spec),
    initialStateValue: states[0]?.spec.initialValue ?? 0,
    iterativeSequence,
    slotsPerInstance,
  };
  const normalizedSb: Record<string, unknown> = {
    max_sequence_idle_microseconds: maxSequenceIdleUs,
    control_input: normalizedControls,
    ...(strategy.kind === 'direct'
      ? { direct: { max_queue_delay_microseconds: strategy.maxQueueDelayUs, minimum_slot_utilization: strategy.minimumSlotUtilization } }
      : {
          oldest: {
            max_candidate_sequences: strategy.maxCandidateSequences,
            preferred_batch_size: [...strategy.preferredBatchSizes],
            max_queue_delay_microseconds: strategy.maxQueueDelayUs,
            preserve_ordering: strategy.preserveOrdering,
          },
        }),
    state: states.map((s) => s.normalized),
    iterative_sequence: iterativeSequence,
  };
  const normalized: Record<string, unknown> = { name, max_batch_size: maxBatchSize, input, output, instance_group: groups, sequence_batching: normalizedSb };
  for (const key of MODEL_FIELDS) {
    if (key in normalized || !root.has(key) || key === 'dynamic_batching' || key === 'ensemble_scheduling') continue;
    normalized[key] = root.object()[key];
  }
  return { config, normalized };
}

function checkPassThrough(root: JsonReader, name: string): void {
  if (root.has('response_cache')) {
    const cache = root.child('response_cache');
    if (cache.object()['enable'] === true) cache.fail(msg.responseCache(name));
  }
  if (root.has('parameters')) {
    const parameters = root.child('parameters');
    if (parameters.object()['TRITON_BATCH_STRATEGY_PATH'] !== undefined) parameters.child('TRITON_BATCH_STRATEGY_PATH').fail(msg.batchStrategyPath());
  }
}

/** input / output lists: kept as written; absent means the QA accumulator's INT32 tensor of dims [1]. */
function tensorList(root: JsonReader, key: 'input' | 'output', defaultName: string): Record<string, unknown>[] {
  if (!root.has(key)) return [{ name: defaultName, data_type: 'TYPE_INT32', dims: [1] }];
  const list = root.child(key).array();
  if (list.length === 0) root.child(key).fail(`must list at least one ${key} tensor`);
  return list.map((tensor) => {
    const object = tensor.object();
    const tensorName = tensor.child('name').string();
    if (tensorName.length === 0) tensor.child('name').fail('must not be empty');
    const dataType = tensor.child('data_type').string();
    const dims = tensor.has('dims') ? tensor.child('dims').array().map((d) => d.integer()) : [1];
    return { ...object, name: tensorName, data_type: dataType, dims };
  });
}

function accumulatorType(root: JsonReader, input: Record<string, unknown>[]): TensorDataType {
  const dataType = input[0]!['data_type'];
  if (dataType === 'TYPE_INT32' || dataType === 'TYPE_FP32') return dataType;
  return root.fail(
    `seqsim's accumulator model computes in TYPE_INT32 or TYPE_FP32, got ${JSON.stringify(dataType)}`,
    root.path ? `${root.path}.input[0].data_type` : 'input[0].data_type',
  );
}

/** instance_group: a group's count 0 / unset means 1; no groups means one group of one instance. */
function instanceGroups(root: JsonReader): Record<string, unknown>[] {
  const groups = root.optionalArray('instance_group');
  if (groups.length === 0) return [{ count: 1, kind: 'KIND_CPU' }];
  return groups.map((group) => {
    const object = group.object();
    const count = group.optional('count', (r) => r.nonNegativeInt(4096), 0);
    const kind = group.optional('kind', (r) => r.string(), 'KIND_CPU');
    if (!['KIND_AUTO', 'KIND_GPU', 'KIND_CPU', 'KIND_MODEL'].includes(kind)) group.child('kind').fail('expected KIND_AUTO, KIND_GPU, KIND_CPU or KIND_MODEL');
    return { ...object, count: count === 0 ? 1 : count, kind };
  });
}

/** The QA accumulator's controls: START and READY as INT32 [0, 1]. */
function defaultControls(): { controls: Controls; normalizedControls: Record<string, unknown>[] } {
  const start: BooleanControl = { kind: 'CONTROL_SEQUENCE_START', tensorName: 'START', dataType: 'TYPE_INT32', falseValue: 0, trueValue: 1 };
  const ready: BooleanControl = { kind: 'CONTROL_SEQUENCE_READY', tensorName: 'READY', dataType: 'TYPE_INT32', falseValue: 0, trueValue: 1 };
  return {
    controls: { start, ready },
    normalizedControls: [
      { name: 'START', control: [{ kind: 'CONTROL_SEQUENCE_START', int32_false_true: [0, 1] }] },
      { name: 'READY', control: [{ kind: 'CONTROL_SEQUENCE_READY', int32_false_true: [0, 1] }] },
    ],
  };
}

function readControls(inputs: JsonReader[], model: string): { controls: Controls; normalizedControls: Record<string, unknown>[] } {
  const controls: { start?: BooleanControl; end?: BooleanControl; ready?: BooleanControl; corrid?: CorridControl } = {};
  const seenNames = new Set<string>();
  const normalizedControls: Record<string, unknown>[] = [];
  for (const input of inputs) {
    input.object();
    input.onlyKeys(['name', 'control']);
    const tensorName = input.has('name') ? input.child('name').string() : '';
    if (tensorName.length === 0) input.fail(msg.controlNeedsName(model));
    const list = input.optionalArray('control');
    if (seenNames.has(tensorName) || list.length > 1) input.fail(msg.tensorForMultipleKinds(tensorName, model));
    seenNames.add(tensorName);
    const normalizedList: Record<string, unknown>[] = [];
    for (const entry of list) {
      entry.object();
      entry.onlyKeys(['kind', 'int32_false_true', 'fp32_false_true', 'bool_false_true', 'data_type']);
      const kind = entry.child('kind').string();
      if (kind === 'CONTROL_SEQUENCE_CORRID') {
        if (controls.corrid !== undefined) entry.fail(msg.multipleKindTensors(kind, model));
        if (FALSE_TRUE_LISTS.some(([list]) => entry.has(list) && entry.child(list).array().length > 0)) entry.fail(msg.corridNoFalseTrue(model));
        const dataType = entry.has('data_type') ? entry.child('data_type').string() : 'TYPE_INVALID';
        if (!CORRID_TYPES.includes(dataType as CorridDataType)) entry.fail(msg.corridDataType(model));
        controls.corrid = { kind, tensorName, dataType: dataType as CorridDataType };
        normalizedList.push({ kind, data_type: dataType });
        continue;
      }
      if (!(BOOLEAN_KINDS as readonly string[]).includes(kind)) {
        entry.child('kind').fail('expected CONTROL_SEQUENCE_START, CONTROL_SEQUENCE_READY, CONTROL_SEQUENCE_END or CONTROL_SEQUENCE_CORRID');
      }
      const booleanKind = kind as BooleanControl['kind'];
      const slot = booleanKind === 'CONTROL_SEQUENCE_START' ? 'start' : booleanKind === 'CONTROL_SEQUENCE_END' ? 'end' : 'ready';
      if (controls[slot] !== undefined) entry.fail(msg.multipleKindTensors(kind, model));
      const present = FALSE_TRUE_LISTS.filter(([list]) => entry.has(list) && entry.child(list).array().length > 0);
      if (present.length === 0) entry.fail(msg.needsFalseTrue(kind, model));
      if (present.length > 1) entry.fail(msg.moreThanOneFalseTrue(kind, model));
      const [listName, dataType] = present[0]!;
      const values = entry.child(listName).array();
      if (values.length !== 2) entry.fail(msg.exactlyTwoEntries(listName, kind, model));
      const read = (r: JsonReader): number | boolean => (dataType === 'TYPE_BOOL' ? r.boolean() : dataType === 'TYPE_INT32' ? r.integer() : r.number());
      const falseValue = read(values[0]!);
      const trueValue = read(values[1]!);
      controls[slot] = { kind: booleanKind, tensorName, dataType: dataType as BooleanControlDataType, falseValue, trueValue };
      normalizedList.push({ kind, [listName]: [falseValue, trueValue] });
    }
    normalizedControls.push({ name: tensorName, control: normalizedList });
  }
  return { controls, normalizedControls };
}

function readDirect(reader: JsonReader | undefined, model: string): DirectStrategy {
  if (reader === undefined) return { kind: 'direct', maxQueueDelayUs: 0, minimumSlotUtilization: 0 };
  reader.object();
  reader.onlyKeys(['max_queue_delay_microseconds', 'minimum_slot_utilization']);
  const maxQueueDelayUs = reader.optional('max_queue_delay_microseconds', (r) => r.nonNegativeInt(), 0);
  const minimumSlotUtilization = reader.optional('minimum_slot_utilization', (r) => r.number(), 0);
  // Triton's text says "(0.0, 1.0]" but accepts 0.0 (spec §1.3).
  if (minimumSlotUtilization < 0 || minimumSlotUtilization > 1) reader.child('minimum_slot_utilization').fail(msg.minimumSlotUtilization(model));
  return { kind: 'direct', maxQueueDelayUs, minimumSlotUtilization };
}

function readOldest(reader: JsonReader, maxBatchSize: number, model: string): OldestStrategy {
  reader.object();
  reader.onlyKeys(['max_candidate_sequences', 'preferred_batch_size', 'max_queue_delay_microseconds', 'preserve_ordering']);
  const candidates = reader.optional('max_candidate_sequences', (r) => r.nonNegativeInt(1 << 20), 0);
  const preferred = reader.optionalArray('preferred_batch_size').map((r) => {
    const size = r.integer();
    if (size <= 0) r.fail(msg.preferredPositive(model));
    if (size > maxBatchSize) r.fail(msg.preferredAtMostMax(model));
    return size;
  });
  return {
    kind: 'oldest',
    maxCandidateSequences: candidates > 0 ? candidates : Math.max(1, maxBatchSize),
    preferredBatchSizes: preferred.length === 0 && maxBatchSize > 0 ? [maxBatchSize] : preferred,
    maxQueueDelayUs: reader.optional('max_queue_delay_microseconds', (r) => r.nonNegativeInt(), 0),
    preserveOrdering: reader.optional('preserve_ordering', (r) => r.boolean(), false),
  };
}

function readState(reader: JsonReader, source: ConfigSource): { spec: ImplicitStateSpec; normalized: Record<string, unknown> } {
  reader.object();
  reader.onlyKeys(['input_name', 'output_name', 'data_type', 'dims', 'initial_state', 'use_same_buffer_for_input_output', 'use_growable_memory']);
  const inputName = reader.child('input_name').string();
  const outputName = reader.child('output_name').string();
  const dataType = reader.child('data_type').string();
  const dims = reader.optionalArray('dims').map((d) => d.integer());
  const initialStates = reader.optionalArray('initial_state');
  if (initialStates.length > 1) reader.child('initial_state').fail(msg.initialStateCount(inputName, initialStates.length));
  let initialValue = 0;
  const normalizedInitial: Record<string, unknown>[] = [];
  const initial = initialStates[0];
  if (initial !== undefined) {
    initial.object();
    initial.onlyKeys(['data_type', 'dims', 'zero_data', 'data_file', 'name', 'seqsim_initial_value']);
    const name = initial.has('name') ? initial.child('name').string() : '';
    if (name.length === 0) initial.fail(msg.initialStateName(inputName));
    const initialType = initial.has('data_type') ? initial.child('data_type').string() : dataType;
    if (initialType !== dataType) initial.child('data_type').fail(`initial_state data_type ${initialType} does not match state data_type ${dataType} for state input '${inputName}'`);
    const initialDims = initial.optionalArray('dims').map((d) => d.integer());
    if (initialDims.length !== dims.length) initial.child('dims').fail(`initial_state dims count ${initialDims.length} does not match the state's ${dims.length} for state input '${inputName}'`);
    initialDims.forEach((d, i) => {
      if (d < 0) initial.child('dims').child(i).fail('initial_state dims may not be -1');
      if (dims[i] !== -1 && dims[i] !== d) initial.child('dims').child(i).fail(`must equal the state's dim ${dims[i]}`);
    });
    if (initial.has('data_file')) {
      const file = initial.child('data_file').string();
      // The normalised form carries the value read from the file (a seqsim extension), so a trace
      // header replays without the model folder.
      initialValue = initial.has('seqsim_initial_value')
        ? initial.child('seqsim_initial_value').number()
        : readInitialValue(initial.child('data_file'), join(source.modelDir, 'initial_state', file), dataType);
      normalizedInitial.push({ data_type: initialType, dims: initialDims, data_file: file, name, seqsim_initial_value: initialValue });
    } else {
      if (initial.has('zero_data') && initial.child('zero_data').boolean() !== true) initial.child('zero_data').fail('must be true when given');
      normalizedInitial.push({ data_type: initialType, dims: initialDims, zero_data: true, name });
    }
  }
  const sameBuffer = reader.optional('use_same_buffer_for_input_output', (r) => r.boolean(), false);
  const growable = reader.optional('use_growable_memory', (r) => r.boolean(), false);
  return {
    spec: { inputName, outputName, dataType, dims, initialValue, hasInitialState: initial !== undefined },
    normalized: {
      input_name: inputName,
      output_name: outputName,
      data_type: dataType,
      dims,
      initial_state: normalizedInitial,
      use_same_buffer_for_input_output: sameBuffer,
      use_growable_memory: growable,
    },
  };
}

/** initial_state data_file: raw little-endian values; the accumulator starts from the first. */
function readInitialValue(reader: JsonReader, path: string, dataType: string): number {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch {
    return reader.fail(`initial_state data file not found: ${path}`);
  }
  if (bytes.length < 4) reader.fail(`initial_state data file ${path} holds ${bytes.length} bytes; at least 4 are needed`);
  if (dataType === 'TYPE_INT32') return bytes.readInt32LE(0);
  if (dataType === 'TYPE_FP32') return bytes.readFloatLE(0);
  return reader.fail(`seqsim reads initial_state data files of TYPE_INT32 or TYPE_FP32 states, got ${dataType}`);
}
