/**
 * Triton's model-configuration validation messages (spec §13, core's model_config_utils.cc and
 * sequence_batch_scheduler.cc), with the model name `m`. Kept verbatim, odd spacing included.
 */
export const configMessages = {
  nameRequired: () => "model configuration must specify 'name'",
  maxBatchSizeNegative: (m: string) => `'max_batch_size' must be non-negative value for ${m}`,
  ioNeedsName: (io: IoKind, m: string) => `model ${io} must specify 'name' for ${m}`,
  ioNeedsDataType: (io: IoKind, t: string, m: string) => `model ${io} '${t}' must specify 'data_type' for ${m}`,
  ioNeedsDims: (io: IoKind, t: string, m: string) => `model ${io} '${t}' must specify 'dims' for ${m}`,
  ioDim: (io: IoKind, t: string, m: string) => `model ${io} '${t}' dimension must be integer >= 1, or -1 to indicate a variable-size dimension for ${m}`,
  controlNeedsName: (m: string) => `sequence batching control tensor must have a name for ${m}`,
  tensorForMultipleKinds: (t: string, m: string) => `sequence batching control tensor '${t}' is specified for multiple control kinds for ${m}`,
  multipleKindTensors: (kind: string, m: string) => `sequence batching specifies multiple ${kind} tensors for ${m}`,
  needsFalseTrue: (kind: string, m: string) =>
    `sequence batching must specify either 'int32_false_true', 'fp32_false_true' or 'bool_false_true' for ${kind} for ${m}`,
  moreThanOneFalseTrue: (kind: string, m: string) =>
    `sequence batching specifies more than one from 'int32_false_true', 'fp32_false_true' and 'bool_false_true' for ${kind} for ${m}`,
  exactlyTwoEntries: (list: string, kind: string, m: string) => `sequence batching control '${list}' must have exactly 2 entries for ${kind} for ${m}`,
  corridNoFalseTrue: (m: string) =>
    `sequence batching must not specify either 'int32_false_true', 'fp32_false_true' or 'bool_false_true' for CONTROL_SEQUENCE_CORRID for ${m}`,
  corridDataType: (m: string) =>
    `unexpected data type for control CONTROL_SEQUENCE_CORRID for ${m}. Allowed data ` +
    `types are TYPE_UINT64, TYPE_INT64, TYPE_UINT32, TYPE_INT32 and TYPE_STRING`,
  preferredPositive: (m: string) => `sequence batching preferred batch size must be positive for ${m}`,
  preferredAtMostMax: (m: string) => `sequence batching preferred batch size must be <= max batch size for ${m}`,
  minimumSlotUtilization: (m: string) => `sequence batching minimum slot utilization must be in range (0.0, 1.0] for ${m}`,
  initialStateCount: (input: string, n: number) =>
    `initial_state field for state input '${input}' must contain exactly one or zero element. Found '${n}' elements.`,
  initialStateDataType: (input: string) => `The data type used for 'initial_state' field of state '${input}' does not match the state data type.`,
  initialStateName: (input: string) => `Field 'name' must be set when using initial_state for state input '${input}'.`,
  stateInputTwice: (input: string) => `State input name '${input}' specified more than once.`,
  initialStateDimsCount: (input: string, initial: number, state: number) =>
    `Number of dimensions in 'initial_state' doesn't match the size of 'state' dimensions for state input '${input}'. ${initial} != ${state}`,
  initialStateVariableDims: (input: string) => `'initial_state' field for state input name '${input}' contains variable dimensions.`,
  initialStateDim: (input: string, initial: number, state: number) =>
    `'initial_state' dim for input name '${input}' doesn't match 'state' dim description. ${initial} != ${state}`,
  initialStateNoData: (input: string) => `initial_state setting expects state'${input}' to have state_data set`,
  initialStateShortFile: (expected: number, file: string, got: number) =>
    `initial_state setting expects ${expected} bytes, but the data provided from ${file}only has ${got} bytes.`,
  fileNotReadable: (path: string, reason: string) => `failed to open text file for read ${path}: ${reason}`,
  responseCache: (m: string) => `Response Cache does not currently support model ${m} with sequence batching scheduler. Please disable the response cache.`,
  batchStrategyPath: () => 'TRITON_BATCH_STRATEGY_PATH cannot be specified with sequence batcher, using default batching strategy',
} as const;

export type IoKind = 'input' | 'output';
