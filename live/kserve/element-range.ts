import type { KserveDatatype } from './datatypes.ts';
import { invalidArg } from './kserve-error.ts';

/**
 * The values each fixed-size datatype can hold. Triton casts a JSON or gRPC `int_contents` element
 * to the tensor's width without a check (5000000000 as INT32 becomes 705032704); seqsim refuses the
 * element instead, naming the input, so a request never computes on a value its client did not send.
 */
const INTEGER_RANGE: Readonly<Partial<Record<KserveDatatype, readonly [bigint, bigint]>>> = {
  UINT8: [0n, 255n],
  UINT16: [0n, 65_535n],
  UINT32: [0n, 4_294_967_295n],
  UINT64: [0n, (1n << 64n) - 1n],
  INT8: [-128n, 127n],
  INT16: [-32_768n, 32_767n],
  INT32: [-2_147_483_648n, 2_147_483_647n],
  INT64: [-(1n << 63n), (1n << 63n) - 1n],
};

/** The largest finite FP32 value: a larger one would be stored as infinity. */
const FP32_MAX = 3.4028234663852886e38;

/** One element of input `input` in `datatype`: returns it when the type holds it, else refuses (INVALID_ARG, HTTP 400). */
export function checkedElement<T extends bigint | number | boolean>(input: string, datatype: KserveDatatype, value: T): T {
  const range = INTEGER_RANGE[datatype];
  if (range !== undefined) {
    const integer = typeof value === 'bigint' ? value : typeof value === 'number' && Number.isInteger(value) ? BigInt(value) : undefined;
    if (integer === undefined) throw invalidArg(`value ${String(value)} of input '${input}' is not an integer, as ${datatype} requires`);
    if (integer < range[0] || integer > range[1]) {
      throw invalidArg(`value ${integer} of input '${input}' is out of range for ${datatype} (${range[0]} to ${range[1]})`);
    }
    return value;
  }
  if (datatype === 'FP32' || datatype === 'FP64') {
    const number = Number(value);
    if (typeof value === 'boolean' || !Number.isFinite(number) || (datatype === 'FP32' && Math.abs(number) > FP32_MAX)) {
      throw invalidArg(`value ${String(value)} of input '${input}' is out of range for ${datatype}`);
    }
  }
  return value;
}
