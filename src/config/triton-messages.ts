/** Triton's model-configuration validation messages (spec §13), with the model name. */
export const configMessages = {
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
    `unexpected data type for control CONTROL_SEQUENCE_CORRID for ${m}. Allowed data types are TYPE_UINT64, TYPE_INT64, TYPE_UINT32, TYPE_INT32 and TYPE_STRING`,
  preferredPositive: (m: string) => `sequence batching preferred batch size must be positive for ${m}`,
  preferredAtMostMax: (m: string) => `sequence batching preferred batch size must be <= max batch size for ${m}`,
  minimumSlotUtilization: (m: string) => `sequence batching minimum slot utilization must be in range (0.0, 1.0] for ${m}`,
  initialStateCount: (input: string, n: number) => `initial_state field for state input '${input}' must contain exactly one or zero element. Found '${n}' elements.`,
  initialStateName: (input: string) => `Field 'name' must be set when using initial_state for state input '${input}'.`,
  responseCache: (m: string) => `Response Cache does not currently support model ${m} with sequence batching scheduler. Please disable the response cache.`,
  batchStrategyPath: () => 'TRITON_BATCH_STRATEGY_PATH cannot be specified with sequence batcher, using default batching strategy',
} as const;
