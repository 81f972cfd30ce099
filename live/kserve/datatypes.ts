/**
 * KServe v2 tensor data types: their protocol names, element sizes, and how one element is read
 * from (or written to) the little-endian bytes Triton's core works on.
 */

export type KserveDatatype =
  | 'BOOL'
  | 'UINT8'
  | 'UINT16'
  | 'UINT32'
  | 'UINT64'
  | 'INT8'
  | 'INT16'
  | 'INT32'
  | 'INT64'
  | 'FP16'
  | 'FP32'
  | 'FP64'
  | 'BF16'
  | 'BYTES';

/** A datatype string no protocol name matches: Triton's TYPE_INVALID, printed `<invalid>`. */
export const INVALID_DATATYPE = '<invalid>';
export type RequestDatatype = KserveDatatype | typeof INVALID_DATATYPE;

/** Bytes per element; BYTES elements are variable (4-byte length + content). */
const ELEMENT_BYTES: Readonly<Record<KserveDatatype, number>> = {
  BOOL: 1,
  UINT8: 1,
  UINT16: 2,
  UINT32: 4,
  UINT64: 8,
  INT8: 1,
  INT16: 2,
  INT32: 4,
  INT64: 8,
  FP16: 2,
  FP32: 4,
  FP64: 8,
  BF16: 2,
  BYTES: 0,
};

export function parseDatatype(text: string): RequestDatatype {
  return Object.hasOwn(ELEMENT_BYTES, text) ? (text as KserveDatatype) : INVALID_DATATYPE;
}

export function elementBytes(datatype: RequestDatatype): number {
  return datatype === INVALID_DATATYPE ? 0 : ELEMENT_BYTES[datatype];
}

/** The protocol name of a model-config data type: TYPE_STRING is BYTES, the others drop `TYPE_`. */
export function datatypeOfConfigType(configType: string): RequestDatatype {
  if (configType === 'TYPE_STRING') return 'BYTES';
  return parseDatatype(configType.replace(/^TYPE_/, ''));
}

function view(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** IEEE half precision → number. */
function halfToNumber(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * 2 ** -14 * (fraction / 1024);
  if (exponent === 0x1f) return fraction === 0 ? sign * Number.POSITIVE_INFINITY : Number.NaN;
  return sign * 2 ** (exponent - 15) * (1 + fraction / 1024);
}

/**
 * Element `index` of a fixed-size tensor as a JS number (64-bit integers beyond 2^53 round, as the
 * accumulator's arithmetic would). The caller has checked the byte size against the shape.
 */
export function readElement(bytes: Uint8Array, datatype: Exclude<KserveDatatype, 'BYTES'>, index: number): number {
  const data = view(bytes);
  const at = index * ELEMENT_BYTES[datatype];
  switch (datatype) {
    case 'BOOL':
      return data.getUint8(at) === 0 ? 0 : 1;
    case 'UINT8':
      return data.getUint8(at);
    case 'UINT16':
      return data.getUint16(at, true);
    case 'UINT32':
      return data.getUint32(at, true);
    case 'UINT64':
      return Number(data.getBigUint64(at, true));
    case 'INT8':
      return data.getInt8(at);
    case 'INT16':
      return data.getInt16(at, true);
    case 'INT32':
      return data.getInt32(at, true);
    case 'INT64':
      return Number(data.getBigInt64(at, true));
    case 'FP16':
      return halfToNumber(data.getUint16(at, true));
    case 'FP32':
      return data.getFloat32(at, true);
    case 'FP64':
      return data.getFloat64(at, true);
    case 'BF16':
      return new Float32Array(new Uint32Array([data.getUint16(at, true) << 16]).buffer)[0]!;
  }
}

/** One element into little-endian bytes (C-style truncation to the type's width, as Triton casts). */
export function writeElement(data: DataView, at: number, datatype: Exclude<KserveDatatype, 'BYTES' | 'FP16' | 'BF16'>, value: bigint | number | boolean): void {
  const integer = (): bigint => (typeof value === 'bigint' ? value : BigInt(typeof value === 'boolean' ? Number(value) : Math.trunc(value)));
  switch (datatype) {
    case 'BOOL':
      data.setUint8(at, value === true || (typeof value !== 'boolean' && Number(value) !== 0) ? 1 : 0);
      return;
    case 'UINT8':
    case 'INT8':
      data.setUint8(at, Number(BigInt.asUintN(8, integer())));
      return;
    case 'UINT16':
    case 'INT16':
      data.setUint16(at, Number(BigInt.asUintN(16, integer())), true);
      return;
    case 'UINT32':
    case 'INT32':
      data.setUint32(at, Number(BigInt.asUintN(32, integer())), true);
      return;
    case 'UINT64':
    case 'INT64':
      data.setBigUint64(at, BigInt.asUintN(64, integer()), true);
      return;
    case 'FP32':
      data.setFloat32(at, Number(value), true);
      return;
    case 'FP64':
      data.setFloat64(at, Number(value), true);
      return;
  }
}

/** Triton's serialized BYTES element: a 4-byte little-endian length, then the content. */
export function serializeBytesElements(elements: readonly Uint8Array[]): Uint8Array {
  const total = elements.reduce((sum, element) => sum + 4 + element.byteLength, 0);
  const out = new Uint8Array(total);
  const data = view(out);
  let at = 0;
  for (const element of elements) {
    data.setUint32(at, element.byteLength, true);
    out.set(element, at + 4);
    at += 4 + element.byteLength;
  }
  return out;
}
