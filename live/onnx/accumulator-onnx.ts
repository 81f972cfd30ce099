import type { OnnxElementType } from './onnx-schema.ts';
import { ONNX_DATA_TYPE } from './onnx-schema.ts';
import type { LiveCorridControl, LiveFlagControl, LiveTensorSpec, TensorLayout } from '../tensor-spec.ts';
import type { TensorDataType } from '../../src/config/types.ts';
import { TOOL_VERSION } from '../../traces/version.ts';
import { GraphBuilder, STRING_EQUAL_OPSET, type DeclaredDim } from './graph-builder.ts';
import { WORK_OUTPUT, workBranch } from './synthetic-work.ts';
import { onnxTypeOf } from './triton-types.ts';

export interface AccumulatorOnnxOptions {
  /**
   * Dense layers of synthetic work per row (`seqsim live --model-work`, synthetic-work.ts): an
   * extra WORK output that gives session.run a real model's cost. 0 or absent: none.
   */
  readonly workLayers?: number;
}

/**
 * The QA accumulator (shared/spec/qa-sequence-models.md) as an ONNX graph whose inputs and outputs
 * are exactly the config's, as Triton's onnxruntime backend checks them when it loads the model:
 * every config input, output and control with its name, data type and dims (a leading batch
 * dimension only when max_batch_size > 0), plus the state pairs Triton's implicit state feeds.
 * Per row, in the accumulator's type (each tensor's first element is the row's value):
 *
 *   base      = START ? initial : STATE_IN
 *   sum       = base + INPUT
 *   STATE_OUT = READY ? sum : STATE_IN        (a padding row leaves the state alone)
 *   OUTPUT    = sum + (END ? CORRID : 0)      (the "dyna" term: only with CORRID and END controls)
 *
 * Control tensors are compared with their configured true value, so any *_false_true pair works.
 * Every other output carries OUTPUT's value (cast to its type, repeated over its dims); other
 * inputs are taken and ignored; other states pass through unchanged.
 */
export function buildAccumulatorOnnx(spec: LiveTensorSpec, options: AccumulatorOnnxOptions = {}): Uint8Array {
  const graph = new GraphBuilder();
  const tensors = new AccumulatorTensors(graph, spec);
  const body = ACCUMULATOR_BODIES[spec.dataType];
  const columns = body(graph, spec, tensors);

  tensors.emit(castTo(graph, columns.output, body.computeType, spec.outputTensor.onnxType), spec.outputTensor);
  for (const output of spec.otherOutputs) tensors.emit(castTo(graph, columns.output, body.computeType, output.onnxType), output);
  tensors.emit(castTo(graph, columns.state, body.computeType, spec.state.output.onnxType), spec.state.output);
  for (const pair of spec.otherStates) {
    tensors.declareOutput(pair.output);
    graph.node('Identity', [pair.input.name], { output: pair.output.name });
  }

  const workLayers = options.workLayers ?? 0;
  if (workLayers > 0) {
    const branch = workBranch(castTo(graph, tensors.column(spec.inputTensor), body.computeType, 'FLOAT'), workLayers);
    graph.reserve([...branch.nodes.map((node) => node.output), ...branch.matrices.map((matrix) => matrix.name)]);
    for (const node of branch.nodes) {
      graph.node(node.op, node.inputs, { output: node.output, ...(node.to !== undefined ? { attributes: { to: node.to } } : {}) });
    }
    for (const matrix of branch.matrices) graph.constant(matrix.name, { type: 'FLOAT', dims: matrix.dims, values: [...matrix.values] }, { name: matrix.name });
    tensors.emit(branch.output, { name: WORK_OUTPUT, dataType: 'TYPE_FP32', onnxType: 'FLOAT', dims: [1] });
  }

  return graph.encode({
    name: 'seqsim_accumulator',
    docString: 'QA sequence accumulator, state per slot as Triton implicit state hands it (seqsim: docs/model-repository.md)',
    producerVersion: TOOL_VERSION,
  });
}

/** The per-row values an accumulator body computes: OUTPUT and the new state, as [rows, 1] columns. */
interface BodyColumns {
  readonly output: string;
  readonly state: string;
}

/**
 * How the accumulator computes in one data type. A new accumulator type adds its body here: the tensors, controls and shapes around it stay the same.
 */
type AccumulatorBody = ((graph: GraphBuilder, spec: LiveTensorSpec, tensors: AccumulatorTensors) => BodyColumns) & {
  readonly computeType: OnnxElementType;
};

/**
 * `reduce` maps a sum to the accumulator's value set (BOOL: its parity); `text` says INPUT is
 * decimal text, parsed as an integer as Triton's QA string models Cast it.
 */
function numericBody(computeType: OnnxElementType, reduce?: (graph: GraphBuilder, sum: string) => string): AccumulatorBody {
  const body = (graph: GraphBuilder, spec: LiveTensorSpec, tensors: AccumulatorTensors): BodyColumns => {
    const column = tensors.column(spec.inputTensor);
    const input =
      spec.inputTensor.onnxType === 'STRING'
        ? castTo(graph, nonEmptyText(graph, column), 'STRING', computeType)
        : castTo(graph, column, spec.inputTensor.onnxType, computeType);
    const state = castTo(graph, tensors.column(spec.state.input), spec.state.input.onnxType, computeType);
    const start = tensors.flag(spec.start, 'start');
    const end = tensors.flag(spec.end, 'end');
    const ready = tensors.flag(spec.ready, 'ready');
    const corrid = spec.corrid === undefined ? undefined : tensors.column(tensors.declareCorrid());

    const base =
      start === undefined
        ? state
        : graph.node('Where', [start, graph.constant('initial', { type: computeType, dims: [], values: [spec.initialValue] }), state], { hint: 'base' });
    const added = graph.node('Add', [base, input], { hint: 'sum' });
    const sum = reduce === undefined ? added : reduce(graph, added);
    const newState = ready === undefined ? sum : graph.node('Where', [ready, sum, state], { hint: 'state_out' });
    if (corrid === undefined || end === undefined) return { output: sum, state: newState };
    // A string id is parsed as an INT64 first (std::stoll), so both accumulator types read the same integer.
    const corridType = spec.corrid!.onnxType;
    const integer = corridType === 'STRING' ? castTo(graph, nonEmptyText(graph, corrid), 'STRING', 'INT64') : corrid;
    const term = castTo(graph, integer, corridType === 'STRING' ? 'INT64' : corridType, computeType);
    const zero = graph.constant('zero', { type: computeType, dims: [], values: [0] });
    const onEnd = graph.node('Where', [end, term, zero], { hint: 'corrid_term' });
    const output = graph.node('Add', [sum, onEnd], { hint: 'output' });
    return { output: reduce === undefined ? output : reduce(graph, output), state: newState };
  };
  return Object.assign(body, { computeType });
}

/** The parity of an INT32 sum, 0 or 1 (Mod with fmod 0 takes the divisor's sign: never negative). */
function parity(graph: GraphBuilder, sum: string): string {
  return graph.node('Mod', [sum, graph.constant('two', { type: 'INT32', dims: [], values: [2] })], { hint: 'parity' });
}

/** STRING and BOOL compute in INT32 (Triton's QA models of those types do the same); OUTPUT is cast back. */
const ACCUMULATOR_BODIES: Readonly<Record<TensorDataType, AccumulatorBody>> = {
  TYPE_INT32: numericBody(onnxTypeOf('TYPE_INT32')),
  TYPE_FP32: numericBody(onnxTypeOf('TYPE_FP32')),
  TYPE_INT64: numericBody(onnxTypeOf('TYPE_INT64')),
  TYPE_STRING: numericBody('INT32'),
  TYPE_BOOL: numericBody('INT32', parity),
};

/**
 * Triton pads a batch with null requests whose TYPE_STRING CORRID is "": read as "0", so a padding
 * row cannot fail the Cast (string Equal needs opset 19).
 */
function nonEmptyText(graph: GraphBuilder, text: string): string {
  graph.requireOpset(STRING_EQUAL_OPSET);
  const empty = graph.node('Equal', [text, graph.constant('empty_text', { type: 'STRING', dims: [], values: [''] })], { hint: 'empty' });
  return graph.node('Where', [empty, graph.constant('zero_text', { type: 'STRING', dims: [], values: ['0'] }), text], { hint: 'corrid_text' });
}

function castTo(graph: GraphBuilder, value: string, from: OnnxElementType, to: OnnxElementType): string {
  return from === to ? value : graph.node('Cast', [value], { hint: `as_${to.toLowerCase()}`, attributes: { to: ONNX_DATA_TYPE[to] } });
}

const INT64_ZERO_INDEX = { type: 'INT64', dims: [1], values: [0] } as const;

/**
 * The model's interface tensors: declares each config tensor once (batch dimension first when the
 * model batches; -1 dims symbolic), reads a tensor's per-row value as a [rows, 1] column (its first
 * element), and writes a column back out in a tensor's declared shape.
 */
class AccumulatorTensors {
  private readonly declared = new Set<string>();
  private readonly columns = new Map<string, string>();
  private symbols = 0;
  /** runtimeOne()'s value, once made. */
  private one: string | undefined;

  constructor(
    private readonly graph: GraphBuilder,
    private readonly spec: LiveTensorSpec,
  ) {
    const names = [
      spec.inputTensor,
      spec.outputTensor,
      spec.state.input,
      spec.state.output,
      ...spec.otherInputs,
      ...spec.otherOutputs,
      ...spec.otherStates.flatMap((pair) => [pair.input, pair.output]),
    ].map((tensor) => tensor.name);
    for (const control of [spec.start, spec.end, spec.ready, spec.corrid]) if (control) names.push(control.tensorName);
    graph.reserve([...names, WORK_OUTPUT]);
    // Graph inputs in a stable order: config inputs, controls, states.
    this.declareInput(spec.inputTensor);
    for (const input of spec.otherInputs) {
      if (input.optional) this.declareDefault(input);
      else this.declareInput(input);
    }
    for (const control of [spec.start, spec.end, spec.ready]) if (control) this.declareInput(controlLayout(control));
    if (spec.corrid) this.declareCorrid();
    this.declareInput(spec.state.input);
    for (const pair of spec.otherStates) this.declareInput(pair.input);
  }

  declareCorrid(): TensorLayout {
    const layout = controlLayout(this.spec.corrid!);
    this.declareInput(layout);
    return layout;
  }

  /** A boolean control as a bool column (undefined when the config has no such control). */
  flag(control: LiveFlagControl | undefined, hint: string): string | undefined {
    if (control === undefined) return undefined;
    const column = this.column(controlLayout(control));
    const trueValue = this.graph.constant(`${hint}_true`, { type: control.onnxType, dims: [], values: [control.trueValue] });
    return this.graph.node('Equal', [column, trueValue], { hint });
  }

  /** The row values of a declared input as [rows, 1]: its first element per row. */
  column(tensor: TensorLayout): string {
    const known = this.columns.get(tensor.name);
    if (known !== undefined) return known;
    let column = tensor.name;
    if (!this.spec.batched || !isSingleElement(tensor.dims) || tensor.dims.length !== 1) {
      column = this.graph.node('Flatten', [column], { hint: 'rows', attributes: { axis: this.spec.batched ? 1 : 0 } });
    }
    if (!isSingleElement(tensor.dims)) {
      const first = this.graph.constant('first', INT64_ZERO_INDEX);
      column = this.graph.node('Gather', [column, first], { hint: 'first', attributes: { axis: 1 } });
    }
    this.columns.set(tensor.name, column);
    return column;
  }

  /** Writes a [rows, 1] column (already of the tensor's type) out as the graph output `tensor`. */
  emit(column: string, tensor: TensorLayout): void {
    this.declareOutput(tensor);
    if (this.spec.batched && tensor.dims.length === 1 && isSingleElement(tensor.dims)) {
      this.graph.node('Identity', [column], { output: tensor.name });
      return;
    }
    const concrete = tensor.dims.map((dim) => (dim === -1 ? 1 : dim));
    const elements = concrete.reduce((product, dim) => product * dim, 1);
    let values = column;
    if (elements !== 1) {
      const repeat = this.graph.constant('repeat', { type: 'INT64', dims: [elements], values: new Array<number>(elements).fill(0) });
      values = this.graph.node('Gather', [column, repeat], { hint: 'repeated', attributes: { axis: 1 } });
    }
    this.graph.node('Reshape', [values, this.targetShape(tensor.dims)], { output: tensor.name });
  }

  /**
   * The shape a tensor is written in: its dims after the batch dimension, each -1 filled with one
   * element. A constant would let ONNX Runtime infer those dims as 1, and Triton compares an
   * output's dims exactly (-1 must stay -1): so a -1 takes a 1 computed from the input's values.
   */
  private targetShape(dims: readonly number[]): string {
    const leading = this.spec.batched ? [-1] : [];
    if (!dims.includes(-1)) {
      const shape = [...leading, ...dims];
      return this.graph.constant('shape', { type: 'INT64', dims: [shape.length], values: shape });
    }
    const parts: string[] = [];
    let fixed: number[] = [...leading];
    const flush = (): void => {
      if (fixed.length > 0) parts.push(this.graph.constant('dims', { type: 'INT64', dims: [fixed.length], values: fixed }));
      fixed = [];
    };
    for (const dim of dims) {
      if (dim !== -1) fixed.push(dim);
      else {
        flush();
        parts.push(this.runtimeOne());
      }
    }
    flush();
    return parts.length === 1 ? parts[0]! : this.graph.node('Concat', parts, { hint: 'shape', attributes: { axis: 0 } });
  }

  /** An INT64 [1] tensor holding 1, derived from INPUT's values so no shape inference can fold it. */
  private runtimeOne(): string {
    if (this.one !== undefined) return this.one;
    const input = this.column(this.spec.inputTensor);
    // An integer compares equal to itself (a float NaN would not).
    const integer = this.spec.inputTensor.onnxType === 'INT32' ? input : castTo(this.graph, input, this.spec.inputTensor.onnxType, 'INT32');
    const ones = castTo(this.graph, this.graph.node('Equal', [integer, integer], { hint: 'itself' }), 'BOOL', 'INT64');
    const flat = this.graph.node('Reshape', [ones, this.graph.constant('flat', { type: 'INT64', dims: [1], values: [-1] })], { hint: 'ones' });
    this.one = this.graph.node('Gather', [flat, this.graph.constant('first', INT64_ZERO_INDEX)], { hint: 'one', attributes: { axis: 0 } });
    return this.one;
  }

  declareOutput(tensor: TensorLayout): void {
    this.graph.output(tensor.name, tensor.onnxType, this.shapeOf(tensor));
  }

  private declareInput(tensor: TensorLayout): void {
    if (this.declared.has(tensor.name)) return;
    this.declared.add(tensor.name);
    this.graph.input(tensor.name, tensor.onnxType, this.shapeOf(tensor));
  }

  /** An optional input: a default the caller may override (zeros, or empty strings). */
  private declareDefault(tensor: TensorLayout): void {
    this.declared.add(tensor.name);
    const dims = [...(this.spec.batched ? [1] : []), ...tensor.dims.map((dim) => (dim === -1 ? 1 : dim))];
    const count = dims.reduce((product, dim) => product * dim, 1);
    const values = new Array<number | string>(count).fill(tensor.onnxType === 'STRING' ? '' : 0);
    this.graph.constant(tensor.name, { type: tensor.onnxType, dims, values }, { name: tensor.name, asInput: this.shapeOf(tensor) });
  }

  private shapeOf(tensor: TensorLayout): DeclaredDim[] {
    const dims: DeclaredDim[] = tensor.dims.map((dim) => (dim === -1 ? `${tensor.name}_dim${this.symbols++}` : dim));
    return this.spec.batched ? ['batch', ...dims] : dims;
  }
}

/** A control tensor: Triton requires dims [1]. */
function controlLayout(control: LiveFlagControl | LiveCorridControl): TensorLayout {
  return { name: control.tensorName, dataType: control.dataType, onnxType: control.onnxType, dims: [1] };
}

/** Dims that always hold exactly one element (1s, and -1s that seqsim fills with one element). */
function isSingleElement(dims: readonly number[]): boolean {
  return dims.every((dim) => dim === 1);
}
