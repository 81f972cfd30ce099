import { ModelProtoType, type OnnxElementType } from './onnx-schema.ts';
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
