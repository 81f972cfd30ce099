/**
 * The typed, normalised view of a Triton model configuration that the batcher runs on.
 * Produced by normalizeModelConfig() from Triton's JSON form (or a config.pbtxt), with Triton's
 * defaults applied (spec §1) and validated with Triton's messages.
 */

export type ControlKind = 'CONTROL_SEQUENCE_START' | 'CONTROL_SEQUENCE_READY' | 'CONTROL_SEQUENCE_END' | 'CONTROL_SEQUENCE_CORRID';

export type BooleanControlDataType = 'TYPE_INT32' | 'TYPE_FP32' | 'TYPE_BOOL';
export type CorridDataType = 'TYPE_UINT64' | 'TYPE_INT64' | 'TYPE_UINT32' | 'TYPE_INT32' | 'TYPE_STRING';

export interface BooleanControl {
  readonly kind: 'CONTROL_SEQUENCE_START' | 'CONTROL_SEQUENCE_READY' | 'CONTROL_SEQUENCE_END';
  readonly tensorName: string;
  /** Derived from which *_false_true list is present (Triton ignores data_type here). */
  readonly dataType: BooleanControlDataType;
  readonly falseValue: number | boolean;
  readonly trueValue: number | boolean;
}

export interface CorridControl {
  readonly kind: 'CONTROL_SEQUENCE_CORRID';
  readonly tensorName: string;
  readonly dataType: CorridDataType;
}

export interface Controls {
  readonly start?: BooleanControl;
  readonly end?: BooleanControl;
  readonly ready?: BooleanControl;
  readonly corrid?: CorridControl;
}

export interface DirectStrategy {
  readonly kind: 'direct';
  readonly maxQueueDelayUs: number;
  readonly minimumSlotUtilization: number;
}

export interface OldestStrategy {
  readonly kind: 'oldest';
  /** Slots per instance; normalised from 0 to max(1, max_batch_size). */
  readonly maxCandidateSequences: number;
  /** Normalised to [max_batch_size] when empty and max_batch_size > 0. */
  readonly preferredBatchSizes: readonly number[];
  readonly maxQueueDelayUs: number;
  readonly preserveOrdering: boolean;
}

export interface ImplicitStateSpec {
  readonly inputName: string;
  readonly outputName: string;
  readonly dataType: string;
  readonly dims: readonly number[];
  /** Value the slot state starts from on START: 0 for zero_data or no initial_state. */
  readonly initialValue: number;
  readonly hasInitialState: boolean;
}

/**
 * The accumulator's data type (its first input's): INT32 and FP32 accumulate in their own type;
 * INT64 in int64 (exact: seqsim refuses a scenario whose sums could pass 2^53); STRING carries
 * decimal integers and computes in INT32 as Triton's QA string models do; BOOL keeps the parity of
 * the sum (an XOR accumulator: true counts one). See src/model/reference.ts.
 */
export type TensorDataType = 'TYPE_INT32' | 'TYPE_FP32' | 'TYPE_INT64' | 'TYPE_BOOL' | 'TYPE_STRING';
export const TENSOR_DATA_TYPES: readonly TensorDataType[] = ['TYPE_INT32', 'TYPE_FP32', 'TYPE_INT64', 'TYPE_BOOL', 'TYPE_STRING'];

export interface ModelConfig {
  readonly name: string;
  readonly maxBatchSize: number;
  /** Instances over all instance_group entries, counted as Triton does (see src/config/instance-groups.ts). */
  readonly instanceCount: number;
  /** Data type of the accumulator's INPUT/OUTPUT. */
  readonly tensorDataType: TensorDataType;
  readonly maxSequenceIdleUs: number;
  readonly controls: Controls;
  readonly strategy: DirectStrategy | OldestStrategy;
  readonly states: readonly ImplicitStateSpec[];
  /** The accumulator's starting value on START (initial_state value, else 0). */
  readonly initialStateValue: number;
  readonly iterativeSequence: boolean;
  /** Slots per instance: Direct max(1, max_batch_size); Oldest max_candidate_sequences. */
  readonly slotsPerInstance: number;
}
