import type { BooleanControl, CorridDataType, ModelConfig, TensorDataType } from '../src/config/types.ts';
import type { OnnxElementType } from './onnx/onnx-schema.ts';

/** Triton's QA implicit-state models name their state tensors like this. */
export const DEFAULT_STATE_INPUT = 'INPUT_STATE';
export const DEFAULT_STATE_OUTPUT = 'OUTPUT_STATE';

export interface LiveFlagControl {
  readonly tensorName: string;
  readonly onnxType: OnnxElementType;
  readonly trueValue: number | boolean;
  readonly falseValue: number | boolean;
}

export interface LiveCorridControl {
  readonly tensorName: string;
  readonly onnxType: OnnxElementType;
}

/** Names and element types of every tensor the live executor feeds and reads. */
export interface LiveTensorSpec {
  readonly dataType: TensorDataType;
  readonly input: string;
  readonly output: string;
  readonly stateInput: string;
  readonly stateOutput: string;
  readonly initialValue: number;
  readonly start: LiveFlagControl | undefined;
  readonly end: LiveFlagControl | undefined;
  readonly ready: LiveFlagControl | undefined;
  readonly corrid: LiveCorridControl | undefined;
}

const FLAG_TYPES: Record<BooleanControl['dataType'], OnnxElementType> = { TYPE_INT32: 'INT32', TYPE_FP32: 'FLOAT', TYPE_BOOL: 'BOOL' };
const CORRID_TYPES: Record<CorridDataType, OnnxElementType> = {
  TYPE_UINT64: 'UINT64',
  TYPE_INT64: 'INT64',
  TYPE_UINT32: 'UINT32',
  TYPE_INT32: 'INT32',
  TYPE_STRING: 'STRING',
};

function flag(control: BooleanControl | undefined): LiveFlagControl | undefined {
  if (control === undefined) return undefined;
  return { tensorName: control.tensorName, onnxType: FLAG_TYPES[control.dataType], trueValue: control.trueValue, falseValue: control.falseValue };
}

function firstTensorName(normalizedModel: Readonly<Record<string, unknown>>, key: 'input' | 'output', fallback: string): string {
  const list = normalizedModel[key];
  if (!Array.isArray(list) || list.length === 0) return fallback;
  const name = (list[0] as Record<string, unknown>)['name'];
  return typeof name === 'string' ? name : fallback;
}

/**
 * The tensors of a model config as live mode uses them: the first input/output are the
 * accumulator's INPUT/OUTPUT, the controls come from sequence_batching.control_input, and the state
 * pair from sequence_batching.state (else Triton QA's INPUT_STATE / OUTPUT_STATE).
 */
export function liveTensorSpec(model: ModelConfig, normalizedModel: Readonly<Record<string, unknown>>): LiveTensorSpec {
  const state = model.states[0];
  return {
    dataType: model.tensorDataType,
    input: firstTensorName(normalizedModel, 'input', 'INPUT'),
    output: firstTensorName(normalizedModel, 'output', 'OUTPUT'),
    stateInput: state?.inputName ?? DEFAULT_STATE_INPUT,
    stateOutput: state?.outputName ?? DEFAULT_STATE_OUTPUT,
    initialValue: model.initialStateValue,
    start: flag(model.controls.start),
    end: flag(model.controls.end),
    ready: flag(model.controls.ready),
    corrid:
      model.controls.corrid === undefined
        ? undefined
        : { tensorName: model.controls.corrid.tensorName, onnxType: CORRID_TYPES[model.controls.corrid.dataType] },
  };
}
