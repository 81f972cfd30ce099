import type { DataTypeName } from '../../src/config/enums.ts';
import { ONNX_DATA_TYPE, type OnnxElementType } from './onnx-schema.ts';

/**
 * The ONNX element type of each Triton config data type, as the onnxruntime backend maps them
 * (ModelConfigDataTypeToOnnxDataType): TYPE_STRING is an ONNX STRING tensor, TYPE_INVALID has none.
 */
export const ONNX_TYPE_OF: Readonly<Record<DataTypeName, OnnxElementType | undefined>> = {
  TYPE_INVALID: undefined,
  TYPE_BOOL: 'BOOL',
  TYPE_UINT8: 'UINT8',
  TYPE_UINT16: 'UINT16',
  TYPE_UINT32: 'UINT32',
  TYPE_UINT64: 'UINT64',
  TYPE_INT8: 'INT8',
  TYPE_INT16: 'INT16',
  TYPE_INT32: 'INT32',
  TYPE_INT64: 'INT64',
  TYPE_FP16: 'FLOAT16',
  TYPE_FP32: 'FLOAT',
  TYPE_FP64: 'DOUBLE',
  TYPE_STRING: 'STRING',
  TYPE_BF16: 'BFLOAT16',
};

/** The ONNX element type of a config data type; throws for TYPE_INVALID (configs never reach here with it). */
export function onnxTypeOf(dataType: DataTypeName): OnnxElementType {
  const type = ONNX_TYPE_OF[dataType];
  if (type === undefined) throw new RangeError(`${dataType} has no ONNX element type`);
  return type;
}

const NAME_OF_CODE = new Map<number, OnnxElementType>(Object.entries(ONNX_DATA_TYPE).map(([name, code]) => [code, name as OnnxElementType]));

/** The element type of an ONNX TensorProto.DataType code, or undefined for one no Triton type maps to. */
export function onnxTypeOfCode(code: number): OnnxElementType | undefined {
  return NAME_OF_CODE.get(code);
}

/**
 * How Triton's messages name an ONNX element type when it says what the model provides: its
 * TRITONSERVER data type ("TYPE_" + FP32, BYTES…), as ConvertFromOnnxDataType and
 * TRITONSERVER_DataTypeString print it.
 */
export const TRITON_NAME_OF_ONNX: Readonly<Record<OnnxElementType, string>> = {
  FLOAT: 'FP32',
  UINT8: 'UINT8',
  INT8: 'INT8',
  UINT16: 'UINT16',
  INT16: 'INT16',
  INT32: 'INT32',
  INT64: 'INT64',
  STRING: 'BYTES',
  BOOL: 'BOOL',
  FLOAT16: 'FP16',
  DOUBLE: 'FP64',
  UINT32: 'UINT32',
  UINT64: 'UINT64',
  BFLOAT16: 'BF16',
};
