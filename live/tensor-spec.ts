import type { BooleanControl, CorridDataType, ModelConfig, TensorDataType } from '../src/config/types.ts';
import type { DataTypeName } from '../src/config/enums.ts';
import { InputError } from '../src/core/input-errors.ts';
import type { OnnxElementType } from './onnx/onnx-schema.ts';
import { onnxTypeOf } from './onnx/triton-types.ts';

/** Triton's QA implicit-state models name their state tensors like this. */
export const DEFAULT_STATE_INPUT = 'INPUT_STATE';
export const DEFAULT_STATE_OUTPUT = 'OUTPUT_STATE';

export interface LiveFlagControl {
  readonly tensorName: string;
  readonly dataType: DataTypeName;
  readonly onnxType: OnnxElementType;
  readonly trueValue: number | boolean;
  readonly falseValue: number | boolean;
}

export interface LiveCorridControl {
  readonly tensorName: string;
  readonly dataType: DataTypeName;
  readonly onnxType: OnnxElementType;
}

/** One model tensor as the config declares it. */
export interface TensorLayout {
  readonly name: string;
  readonly dataType: DataTypeName;
  readonly onnxType: OnnxElementType;
  /** The shape after the batch dimension (reshape.shape when the config gives one); -1: any size. */
  readonly dims: readonly number[];
}

/** A config input other than the accumulator's INPUT: the model takes it and ignores it. */
export interface OtherInput extends TensorLayout {
  /** `optional: true`: the model holds a default for it (an overridable initializer). */
  readonly optional: boolean;
}

/** An implicit-state pair (sequence_batching.state): same data type and dims both ways. */
export interface StateLayout {
  readonly input: TensorLayout;
  readonly output: TensorLayout;
}

/**
 * Every tensor of a model config, as the generated model declares it and live mode feeds it. The
 * first input and output are the accumulator's INPUT / OUTPUT; every other output carries OUTPUT's
 * value too; the first state holds the accumulator (other states pass through unchanged).
 */
export interface LiveTensorSpec {
  readonly dataType: TensorDataType;
  /** max_batch_size > 0: every tensor has a leading batch dimension. */
  readonly batched: boolean;
  readonly input: string;
  readonly output: string;
  readonly stateInput: string;
  readonly stateOutput: string;
  readonly initialValue: number;
  readonly start: LiveFlagControl | undefined;
  readonly end: LiveFlagControl | undefined;
  readonly ready: LiveFlagControl | undefined;
  readonly corrid: LiveCorridControl | undefined;
  readonly inputTensor: TensorLayout;
  readonly outputTensor: TensorLayout;
  readonly state: StateLayout;
  /**
   * True when the config has no `state` section: the state pair above is seqsim's (Triton's QA
   * names), which live mode carries itself and `seqsim repo` declares in the config it writes.
   */
  readonly stateAdded: boolean;
  readonly otherInputs: readonly OtherInput[];
  readonly otherOutputs: readonly TensorLayout[];
  readonly otherStates: readonly StateLayout[];
}

/**
 * The types that hold every value of an accumulator type exactly: the accumulator's OUTPUT and its
 * state may be declared in any of them (the model casts). A new accumulator data type adds its row.
 */
export const EXACT_HOLDERS: Readonly<Record<TensorDataType, readonly DataTypeName[]>> = {
  TYPE_INT32: ['TYPE_INT32', 'TYPE_INT64', 'TYPE_FP64'],
  TYPE_FP32: ['TYPE_FP32', 'TYPE_FP64'],
  // Sums stay within ±2^53 (the scenario loader checks), which a double holds exactly.
  TYPE_INT64: ['TYPE_INT64', 'TYPE_FP64'],
  // 0 or 1.
  TYPE_BOOL: ['TYPE_BOOL', 'TYPE_INT32', 'TYPE_INT64', 'TYPE_FP32', 'TYPE_FP64'],
  // Decimal text of an INT32, or the INT32 itself.
  TYPE_STRING: ['TYPE_STRING', 'TYPE_INT32', 'TYPE_INT64', 'TYPE_FP64'],
};

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
  return {
    tensorName: control.tensorName,
    dataType: control.dataType,
    onnxType: FLAG_TYPES[control.dataType],
    trueValue: control.trueValue,
    falseValue: control.falseValue,
  };
}

/** Where a config came from, for the one-line refusal (InputError) of a config the model cannot serve. */
export interface SpecSource {
  readonly file: string;
  /** JSON path of the model config in that file ("model" in a scenario). */
  readonly field: string;
}

const DEFAULT_SOURCE: SpecSource = { file: 'model config', field: '' };

/**
 * The tensors of a model config as the generated model declares them and live mode feeds them:
 * inputs and outputs in config order, controls from sequence_batching.control_input, state pairs
 * from sequence_batching.state (else Triton QA's INPUT_STATE / OUTPUT_STATE, see `stateAdded`).
 * Throws InputError for a config no accumulator model can serve exactly.
 */
export function liveTensorSpec(model: ModelConfig, normalizedModel: Readonly<Record<string, unknown>>, source: SpecSource = DEFAULT_SOURCE): LiveTensorSpec {
  const fail = (field: string, problem: string): never => {
    throw new InputError(source.file, source.field ? `${source.field}${field ? `.${field}` : ''}` : field, problem);
  };
  const inputs = tensorList(normalizedModel, 'input', fail);
  const outputs = tensorList(normalizedModel, 'output', fail);
  const accumulatorInput = inputs[0]!;
  const states = stateLayouts(model, accumulatorInput, inputs, outputs);
  const state = states[0]!;
  const stateOutputs = new Set(states.map((pair) => pair.output.name));
  const accumulatorOutput = outputs[0]!;
  if (stateOutputs.has(accumulatorOutput.name)) {
    fail('output[0].name', `'${accumulatorOutput.name}' is both the accumulator's OUTPUT and a state's output_name: give OUTPUT its own tensor`);
  }
  for (const [holder, field, what] of [
    [accumulatorOutput, 'output[0].data_type', `OUTPUT '${accumulatorOutput.name}'`],
    [state.input, 'sequence_batching.state[0].data_type', `state '${state.input.name}'`],
  ] as const) {
    if (!EXACT_HOLDERS[model.tensorDataType].includes(holder.dataType)) {
      fail(
        field,
        `the accumulator computes in ${model.tensorDataType}, and its ${what} is ${holder.dataType}, which cannot hold every value exactly (use ` +
          `${EXACT_HOLDERS[model.tensorDataType].join(', ')})`,
      );
    }
  }
  inputs.forEach((input, index) => {
    const written = (normalizedModel['input'] as Record<string, unknown>[] | undefined)?.[index] ?? {};
    if (written['allow_ragged_batch'] === true)
      fail(`input[${index}].allow_ragged_batch`, `ragged input '${input.name}' has no per-request rows for the accumulator to read`);
    if (written['is_shape_tensor'] === true)
      fail(`input[${index}].is_shape_tensor`, `shape tensors are TensorRT's: the generated ONNX model cannot take '${input.name}' as one`);
  });
  return {
    dataType: model.tensorDataType,
    batched: model.maxBatchSize > 0,
    input: accumulatorInput.name,
    output: accumulatorOutput.name,
    stateInput: state.input.name,
    stateOutput: state.output.name,
    initialValue: model.initialStateValue,
    start: flag(model.controls.start),
    end: flag(model.controls.end),
    ready: flag(model.controls.ready),
    corrid:
      model.controls.corrid === undefined
        ? undefined
        : {
            tensorName: model.controls.corrid.tensorName,
            dataType: model.controls.corrid.dataType,
            onnxType: CORRID_TYPES[model.controls.corrid.dataType],
          },
    inputTensor: accumulatorInput,
    outputTensor: accumulatorOutput,
    state,
    stateAdded: model.states.length === 0,
    otherInputs: inputs.slice(1).map((input, index) => {
      const written = (normalizedModel['input'] as Record<string, unknown>[] | undefined)?.[index + 1] ?? {};
      return { ...input, optional: written['optional'] === true };
    }),
    otherOutputs: outputs.slice(1).filter((output) => !stateOutputs.has(output.name)),
    otherStates: states.slice(1),
  };
}

type Fail = (field: string, problem: string) => never;

/** A config's inputs or outputs (normalised: never empty, every entry named, typed and shaped). */
function tensorList(normalizedModel: Readonly<Record<string, unknown>>, key: 'input' | 'output', fail: Fail): TensorLayout[] {
  const list = normalizedModel[key];
  const entries =
    Array.isArray(list) && list.length > 0 ? (list as Record<string, unknown>[]) : [{ name: key.toUpperCase(), data_type: 'TYPE_INT32', dims: [1] }];
  return entries.map((entry, index) => {
    const dataType = entry['data_type'] as DataTypeName;
    const reshape = entry['reshape'] as { shape?: unknown[] } | undefined;
    const dims = (reshape !== undefined ? (reshape.shape ?? []) : (entry['dims'] as unknown[])).map(Number);
    if (dims.some((dim) => !Number.isSafeInteger(dim) || dim < -1 || dim === 0)) fail(`${key}[${index}]`, 'dims must be integers ≥ 1 or -1');
    return { name: String(entry['name']), dataType, onnxType: onnxTypeOf(dataType), dims };
  });
}

/** The config's states, or seqsim's INPUT_STATE / OUTPUT_STATE pair (named so as not to clash). */
function stateLayouts(model: ModelConfig, accumulatorInput: TensorLayout, inputs: readonly TensorLayout[], outputs: readonly TensorLayout[]): StateLayout[] {
  if (model.states.length > 0) {
    return model.states.map((state) => {
      const dataType = state.dataType as DataTypeName;
      const layout = { dataType, onnxType: onnxTypeOf(dataType), dims: [...state.dims] };
      return { input: { name: state.inputName, ...layout }, output: { name: state.outputName, ...layout } };
    });
  }
  const taken = new Set([...inputs, ...outputs].map((tensor) => tensor.name));
  for (const control of [model.controls.start, model.controls.end, model.controls.ready, model.controls.corrid]) if (control) taken.add(control.tensorName);
  // A STRING accumulator keeps its running sum as the INT32 it computes in (no text state to parse back).
  const stateType: DataTypeName = accumulatorInput.dataType === 'TYPE_STRING' ? 'TYPE_INT32' : accumulatorInput.dataType;
  const layout = { dataType: stateType, onnxType: onnxTypeOf(stateType), dims: [1] };
  return [{ input: { name: freeName(DEFAULT_STATE_INPUT, taken), ...layout }, output: { name: freeName(DEFAULT_STATE_OUTPUT, taken), ...layout } }];
}

function freeName(base: string, taken: ReadonlySet<string>): string {
  let name = base;
  for (let suffix = 1; taken.has(name); suffix++) name = `${base}_${suffix}`;
  return name;
}

/**
 * The KServe front ends (`seqsim drive` against a server, `seqsim serve`) carry the accumulator's
 * value as an INT32 or FP32 tensor; the other accumulator types run in simulation, on ONNX Runtime
 * in process (`seqsim live`) and in an exported repository, but not over the wire yet.
 */
export function checkWireDataType(model: ModelConfig, source: SpecSource, command: string): void {
  if (model.tensorDataType === 'TYPE_INT32' || model.tensorDataType === 'TYPE_FP32') return;
  const field = source.field ? `${source.field}.input[0].data_type` : 'input[0].data_type';
  throw new InputError(
    source.file,
    field,
    `${command} sends the accumulator's INPUT as INT32 or FP32, and model '${model.name}' takes ${model.tensorDataType}: ` +
      'simulate it, run it with seqsim live, or export it with seqsim repo',
  );
}
