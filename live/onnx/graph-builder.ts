import { ATTRIBUTE_TYPE_INT, ModelProtoType, ONNX_DATA_TYPE, type OnnxElementType } from './onnx-schema.ts';

/**
 * Opset 17: every operator the generated models use (Equal, Where, Add, Cast, Identity, Flatten,
 * Gather, Reshape; MatMul and Tanh for the synthetic work) exists there unchanged. IR version 8
 * goes with it; both load in every ONNX Runtime since 1.11.
 */
export const OPSET_VERSION = 17;
/** Equal on strings arrives in opset 19 (IR version 9, ONNX Runtime 1.15 and later). */
export const STRING_EQUAL_OPSET = 19;
const IR_VERSION_OF_OPSET: Readonly<Record<number, number>> = { 17: 8, 19: 9 };

/** A dimension of a declared tensor: a size, or a named symbolic one (ONNX Runtime reports it as -1). */
export type DeclaredDim = number | string;

/** A constant tensor: a scalar (dims []), or a filled or explicit list of values. */
export interface ConstantSpec {
  readonly type: OnnxElementType;
  readonly dims: readonly number[];
  readonly values: readonly (number | bigint | boolean | string)[];
}

interface Node {
  readonly op: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly attributes: readonly { name: string; i: number }[];
}

/**
 * Collects an ONNX graph (nodes, constants, declared inputs and outputs) and encodes it as a
 * ModelProto. Names of intermediate values are made unique here, so builders can reuse prefixes.
 */
export class GraphBuilder {
  private readonly nodes: Node[] = [];
  private readonly initializers: Record<string, unknown>[] = [];
  private readonly inputs: Record<string, unknown>[] = [];
  private readonly outputs: Record<string, unknown>[] = [];
  private readonly names = new Set<string>();
  private opset = OPSET_VERSION;

  /** Raises the model's opset (and IR version) for an operator that needs a later one. */
  requireOpset(version: number): void {
    this.opset = Math.max(this.opset, version);
  }

  /** A fresh value name (`seqsim_<hint>`, numbered when taken). */
  fresh(hint: string): string {
    let name = `seqsim_${hint}`;
    for (let n = 1; this.names.has(name); n++) name = `seqsim_${hint}_${n}`;
    this.names.add(name);
    return name;
  }

  /** Reserves names the graph's interface uses, so no intermediate value takes them. */
  reserve(names: Iterable<string>): void {
    for (const name of names) this.names.add(name);
  }

  input(name: string, type: OnnxElementType, dims: readonly DeclaredDim[]): string {
    this.inputs.push(valueInfo(name, type, dims));
    return name;
  }

  output(name: string, type: OnnxElementType, dims: readonly DeclaredDim[]): void {
    this.outputs.push(valueInfo(name, type, dims));
  }

  /** A constant; with `asInput` it is also a graph input, which ONNX Runtime lets a caller override. */
  constant(hint: string, spec: ConstantSpec, options: { name?: string; asInput?: readonly DeclaredDim[] } = {}): string {
    const name = options.name ?? this.fresh(hint);
    this.initializers.push(tensorProto(name, spec));
    if (options.asInput !== undefined) this.inputs.push(valueInfo(name, spec.type, options.asInput));
    return name;
  }

  /** One node with one output; `output` names it (a graph output), else a fresh name is made. */
  node(op: string, inputs: readonly string[], options: { output?: string; hint?: string; attributes?: Record<string, number> } = {}): string {
    const output = options.output ?? this.fresh(options.hint ?? op.toLowerCase());
    const attributes = Object.entries(options.attributes ?? {}).map(([name, i]) => ({ name, i }));
    this.nodes.push({ op, inputs, outputs: [output], attributes });
    return output;
  }

  encode(meta: { name: string; docString: string; producerVersion: string }): Uint8Array {
    const model = {
      irVersion: IR_VERSION_OF_OPSET[this.opset] ?? 9,
      producerName: 'seqsim',
      producerVersion: meta.producerVersion,
      docString: meta.docString,
      opsetImport: [{ domain: '', version: this.opset }],
      graph: {
        name: meta.name,
        node: this.nodes.map((node, index) => ({
          name: `n${index}_${node.op}`,
          opType: node.op,
          input: [...node.inputs],
          output: [...node.outputs],
          attribute: node.attributes.map((attribute) => ({ name: attribute.name, type: ATTRIBUTE_TYPE_INT, i: attribute.i })),
        })),
        initializer: this.initializers,
        input: this.inputs,
        output: this.outputs,
      },
    };
    const problem = ModelProtoType.verify(model);
    if (problem !== null) throw new Error(`seqsim built an invalid ONNX model: ${problem}`);
    return ModelProtoType.encode(ModelProtoType.fromObject(model)).finish();
  }
}

function valueInfo(name: string, type: OnnxElementType, dims: readonly DeclaredDim[]): Record<string, unknown> {
  return {
    name,
    type: {
      tensorType: {
        elemType: ONNX_DATA_TYPE[type],
        shape: { dim: dims.map((dim) => (typeof dim === 'string' ? { dimParam: dim } : { dimValue: dim })) },
      },
    },
  };
}

/** A TensorProto: numbers little-endian in raw_data, strings in string_data. */
function tensorProto(name: string, spec: ConstantSpec): Record<string, unknown> {
  const count = spec.dims.reduce((product, dim) => product * dim, 1);
  if (spec.values.length !== count) throw new RangeError(`constant ${name}: ${spec.values.length} values for dims [${spec.dims.join(', ')}]`);
  const base = { name, dataType: ONNX_DATA_TYPE[spec.type], dims: [...spec.dims] };
  if (spec.type === 'STRING') return { ...base, stringData: spec.values.map((value) => Buffer.from(String(value), 'utf8')) };
  return { ...base, rawData: rawBytes(spec.type, spec.values) };
}

function rawBytes(type: Exclude<OnnxElementType, 'STRING'>, values: readonly (number | bigint | boolean | string)[]): Uint8Array {
  const numbers = values.map((value) => (typeof value === 'boolean' ? Number(value) : value));
  const asNumber = (value: number | bigint | string): number => Number(value);
  const asBigInt = (value: number | bigint | string): bigint => BigInt(value);
  switch (type) {
    case 'FLOAT':
      return bytesOf(Float32Array.from(numbers, asNumber));
    case 'DOUBLE':
      return bytesOf(Float64Array.from(numbers, asNumber));
    case 'INT8':
      return bytesOf(Int8Array.from(numbers, asNumber));
    case 'UINT8':
    case 'BOOL':
      return bytesOf(Uint8Array.from(numbers, (value) => (type === 'BOOL' ? (asNumber(value) === 0 ? 0 : 1) : asNumber(value))));
    case 'INT16':
      return bytesOf(Int16Array.from(numbers, asNumber));
    case 'UINT16':
      return bytesOf(Uint16Array.from(numbers, asNumber));
    case 'INT32':
      return bytesOf(Int32Array.from(numbers, asNumber));
    case 'UINT32':
      return bytesOf(Uint32Array.from(numbers, asNumber));
    case 'INT64':
      return bytesOf(BigInt64Array.from(numbers, (value) => BigInt.asIntN(64, asBigInt(value))));
    case 'UINT64':
      return bytesOf(BigUint64Array.from(numbers, (value) => BigInt.asUintN(64, asBigInt(value))));
    case 'FLOAT16':
    case 'BFLOAT16':
      // The generated models only need zeros of these types (defaults of optional inputs).
      if (numbers.some((value) => asNumber(value) !== 0)) throw new RangeError(`seqsim writes only zero ${type} constants`);
      return new Uint8Array(2 * numbers.length);
  }
}

function bytesOf(array: ArrayBufferView): Uint8Array {
  // Every platform Node runs on is little-endian, as raw_data requires.
  return new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
}
