import { ModelProtoType, ONNX_DATA_TYPE, type OnnxElementType } from './onnx-schema.ts';
import { onnxTypeOfCode } from './triton-types.ts';

/** One tensor of a model's interface as ONNX Runtime reports it: symbolic and unknown dims are -1. */
export interface SignatureTensor {
  readonly name: string;
  /** The element type, or undefined for a type no Triton data type maps to. */
  readonly type: OnnxElementType | undefined;
  /** The TensorProto.DataType code (for messages about unmapped types). */
  readonly typeCode: number;
  readonly dims: readonly number[];
}

/**
 * What Triton's onnxruntime backend learns about a model from its session: the inputs a caller
 * must feed, the overridable initializers (constants also listed as graph inputs, which a caller
 * may feed), and the outputs.
 */
export interface OnnxSignature {
  readonly inputs: readonly SignatureTensor[];
  readonly overridableInitializers: readonly SignatureTensor[];
  readonly outputs: readonly SignatureTensor[];
}

interface DecodedValueInfo {
  name?: string;
  type?: { tensorType?: { elemType?: number; shape?: { dim?: { dimValue?: number; dimParam?: string }[] } } };
}

interface DecodedModel {
  graph?: { input?: DecodedValueInfo[]; output?: DecodedValueInfo[]; initializer?: { name?: string }[] };
}

/**
 * The signature of an ONNX model file, read as ONNX Runtime reads it for IR version 4 and later:
 * a graph input that has an initializer is an overridable initializer, not a required input.
 */
export function onnxSignature(bytes: Uint8Array): OnnxSignature {
  const model = ModelProtoType.toObject(ModelProtoType.decode(bytes), { longs: Number, defaults: false }) as DecodedModel;
  const constants = new Set((model.graph?.initializer ?? []).map((initializer) => initializer.name ?? ''));
  const inputs = (model.graph?.input ?? []).map(tensorOf);
  return {
    inputs: inputs.filter((input) => !constants.has(input.name)),
    overridableInitializers: inputs.filter((input) => constants.has(input.name)),
    outputs: (model.graph?.output ?? []).map(tensorOf),
  };
}

function tensorOf(info: DecodedValueInfo): SignatureTensor {
  const tensorType = info.type?.tensorType;
  const typeCode = tensorType?.elemType ?? 0;
  return {
    name: info.name ?? '',
    type: onnxTypeOfCode(typeCode),
    typeCode,
    dims: (tensorType?.shape?.dim ?? []).map((dim) => (dim.dimValue !== undefined && dim.dimParam === undefined ? Number(dim.dimValue) : -1)),
  };
}

/** ONNX Runtime for Node's tensor type names, by element type. */
const ORT_TYPE_NAMES: Readonly<Record<OnnxElementType, string>> = {
  FLOAT: 'float32',
  DOUBLE: 'float64',
  UINT8: 'uint8',
  INT8: 'int8',
  UINT16: 'uint16',
  INT16: 'int16',
  INT32: 'int32',
  UINT32: 'uint32',
  INT64: 'int64',
  UINT64: 'uint64',
  BOOL: 'bool',
  STRING: 'string',
  FLOAT16: 'float16',
  BFLOAT16: 'bfloat16',
};
const ELEMENT_TYPE_OF_ORT = new Map(Object.entries(ORT_TYPE_NAMES).map(([element, ortName]) => [ortName, element as OnnxElementType]));

/** What an ONNX Runtime session reports about one input or output (onnxruntime-node's ValueMetadata). */
export interface SessionValue {
  readonly name: string;
  readonly isTensor: boolean;
  readonly type?: string;
  readonly shape?: readonly (number | string)[];
}

/**
 * The signature as a loaded ONNX Runtime session reports it, which is what Triton's backend reads:
 * its output shapes are the ones ONNX Runtime inferred, which may be more precise than the file
 * declares. Overridable initializers are not in the session's metadata: they come from the file.
 */
export function sessionSignature(inputs: readonly SessionValue[], outputs: readonly SessionValue[], bytes: Uint8Array): OnnxSignature {
  const tensor = (value: SessionValue): SignatureTensor => {
    const type = value.isTensor ? ELEMENT_TYPE_OF_ORT.get(value.type ?? '') : undefined;
    return {
      name: value.name,
      type,
      typeCode: type === undefined ? 0 : ONNX_DATA_TYPE[type],
      dims: (value.shape ?? []).map((dim) => (typeof dim === 'number' ? dim : -1)),
    };
  };
  return { inputs: inputs.map(tensor), overridableInitializers: onnxSignature(bytes).overridableInitializers, outputs: outputs.map(tensor) };
}
