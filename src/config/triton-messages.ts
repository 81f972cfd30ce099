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
  ioEmptyReshape: (io: IoKind, t: string) => `model ${io} '${t}' cannot have empty reshape for non-batching model as scalar tensors are not supported`,
  ioReshapeDim: (io: IoKind, t: string) => `model ${io} '${t}' reshape dimensions must be integer >= 1, or -1 to indicate a variable-size dimension`,
  ioReshapeSize: (io: IoKind, t: string) => `model ${io} '${t}' has different size for dims and reshape`,
  ioReshapeVariableDims: (io: IoKind, t: string) => `model ${io} '${t}' has different number of variable-size dimensions for dims and reshape`,
  inputFormatDims: () => 'model input NHWC/NCHW require 3 dims',
  shapeTensorPlatform: () => 'shape tensors are only supported for TensorRT platform',
  nonLinearPlatform: () => 'Non-linear IO format is only supported for the TensorRT platform',
  nonLinearDims: (io: IoKind) => `Non-linear IO format ${io} requires 3 dims`,
  /** ValidateModelIOConfig appends the model name to every input, output and batch IO message. */
  forModel: (message: string, m: string) => `${message} for ${m}`,
  batchInputSources: (kind: string, n: number) => `batch input kind '${kind}' expects 1 source input, got ${n}`,
  batchInputDataType: () => 'batch input data type must be TYPE_INT32 or TYPE_FP32',
  batchOutputSources: (kind: string, n: number) => `batch output kind '${kind}' expects 1 source input, got ${n}`,
  unknownSourceInput: (t: string) => `unknown source input name '${t}'`,
  unknownTargetOutput: (t: string) => `unknown target output name '${t}'`,
  targetOutputTwice: (t: string) => `target output name '${t}' can only be specified once`,
  groupGpusOnKind: (group: string, m: string, kind: 'KIND_CPU' | 'KIND_MODEL') =>
    `instance group ${group} of model ${m} has kind ${kind} but specifies one or more GPUs`,
  groupNoGpus: (group: string, m: string) => `instance group ${group} of model ${m} has kind KIND_GPU but specifies no GPUs`,
  groupInvalidGpu: (group: string, m: string, gpu: number, minComputeCapability: string, gpus: string) =>
    `instance group ${group} of model ${m} specifies invalid or unsupported gpu id ${gpu}. ` +
    `GPUs with at least the minimum required CUDA compute compatibility of ${minComputeCapability} are: ${gpus}`,
  /** Verbatim, the missing space before "specifies" included. */
  groupProfilePlatform: (group: string, m: string, platform: string) =>
    `instance group ${group} of model ${m} and platform ${platform}specifies profile field which is only supported for TensorRT models`,
  groupProfileEmpty: () => 'profile name must not be empty',
  groupProfileUnparsable: (profile: string) => `unable to parse '${profile}': stoi`,
  groupProfileNegative: (group: string, m: string, platform: string, profile: string) =>
    `instance group ${group} of model ${m} and platform ${platform} specifies invalid profile ${profile}. ` +
    'The field should contain the string representation of a non-negative integer.',
  metricIdentifier: () => "metric control must specify 'metric_identifier'",
  metricFamily: () => "metric identifier must specify non-empty 'family'",
  metricHistogram: () => "metric control must specify 'histogram_options'",
  metricBuckets: () => "histogram options must specify non-empty 'buckets'",
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

/** seqsim's own refusals of configs Triton accepts, one wording each (README lists them). */
export const unsupportedMessages = {
  ensembleNotSimulated: () =>
    'ensembles are not simulated: seqsim simulates one model that uses the sequence batcher (sequence_batching), ' +
    'not an ensemble (ensemble_scheduling / platform "ensemble")',
} as const;

export type IoKind = 'input' | 'output';
