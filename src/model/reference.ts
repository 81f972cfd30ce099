import type { CorridValue } from '../core/events.ts';
import type { ModelConfig, TensorDataType } from '../config/types.ts';

/** What a backend reads from a slot state nobody initialised: Triton hands it uninitialised memory. */
export const UNINITIALIZED_STATE_GARBAGE = 0x5a5a5a5a;

/**
 * The QA sequence accumulator (shared/spec/qa-sequence-models.md), as a pure function of one row.
 * State lives per slot. On START the batcher resets the slot state to the model's initial value,
 * so a START row and a continuing row both compute `state + INPUT`.
 */
export interface AccumulatorRow {
  readonly ready: boolean;
  readonly start: boolean;
  readonly end: boolean;
  readonly input: number;
  readonly corrid: CorridValue;
}

export interface AccumulatorModel {
  readonly dataType: TensorDataType;
  /**
   * "dyna" variant: the END row's output adds the CORRID value. Only a model with both a CORRID and
   * an END control can: without an END tensor the model cannot tell which row ends the sequence.
   */
  readonly addsCorridOnEnd: boolean;
  readonly initialValue: number;
}

export type AccumulatorStep =
  | { readonly kind: 'padding' }
  /** A real row on a slot whose state was never initialised: Triton would read garbage. */
  | { readonly kind: 'uninitialized' }
  | { readonly kind: 'output'; readonly output: number; readonly state: number };

/** The accumulator a model config describes (the simulator's backend, the oracles, live checks). */
export function accumulatorModelOf(model: ModelConfig): AccumulatorModel {
  return {
    dataType: model.tensorDataType,
    addsCorridOnEnd: model.controls.corrid !== undefined && model.controls.end !== undefined,
    initialValue: model.initialStateValue,
  };
}

/**
 * Applies one row to the state it reads. `base` is undefined when that state was never
 * initialised. The oracle passes `start ? initialValue : previous`; the simulated backend passes
 * whatever the batcher put in the slot's state, so a batcher that forgets to reset on START shows.
 */
export function accumulate(model: AccumulatorModel, row: AccumulatorRow, base: number | undefined): AccumulatorStep {
  if (!row.ready) return { kind: 'padding' };
  if (base === undefined) return { kind: 'uninitialized' };
  const sum = toDataType(model.dataType, base + row.input);
  const output = row.end && model.addsCorridOnEnd ? toDataType(model.dataType, sum + corridTerm(model.dataType, row.corrid)) : sum;
  return { kind: 'output', output, state: sum };
}

/**
 * A sum in the accumulator's type. INT32 wraps at 32 bits, and so does STRING (Triton's QA string
 * models Cast the decimal text to INT32, add, and Cast back to text); FP32 rounds to single
 * precision; INT64 is exact (the scenario loader refuses values whose sums could pass 2^53); BOOL
 * keeps the sum's parity, 0 or 1 (false / true), so one lost or repeated `true` shows.
 */
export function toDataType(dataType: TensorDataType, value: number): number {
  switch (dataType) {
    case 'TYPE_INT32':
    case 'TYPE_STRING':
      return value | 0;
    case 'TYPE_FP32':
      return Math.fround(value);
    case 'TYPE_INT64':
      return value;
    case 'TYPE_BOOL':
      return (((value | 0) % 2) + 2) % 2;
  }
}

/**
 * The term the END row adds: the CORRID tensor's value converted to the accumulator's type as the
 * generated ONNX model's Cast does it — INT32 (and STRING and BOOL, which compute in INT32) keeps
 * the low 32 bits (two's complement), INT64 the low 64, FP32
 * rounds the exact integer once to the nearest single (ties to even). Computed on BigInt, so ids
 * up to 2^64 − 1 keep every bit. A string id that is not a decimal integer adds 0 here (the
 * generated model's Cast fails on it; live mode and `seqsim repo` say so up front).
 */
export function corridTerm(dataType: TensorDataType, corrid: CorridValue): number {
  const value = corridInteger(corrid) ?? 0n;
  if (dataType === 'TYPE_FP32') return bigIntToFloat32(value);
  // INT64 keeps all 64 bits (the loader refuses ids whose term is not exact as a number).
  return Number(BigInt.asIntN(dataType === 'TYPE_INT64' ? 64 : 32, value));
}

/** Whitespace C's isspace() skips, then what std::stoll reads: an optional sign and decimal digits. */
const STOLL_PREFIX = /^[ \t\n\v\f\r]*([+-]?\d+)/;
const INT64_MIN = -(1n << 63n);
const INT64_MAX = (1n << 63n) - 1n;

/**
 * The exact integer a CORRID tensor element holds. A TYPE_STRING id is read as ONNX Runtime's
 * Cast from string to INT64 reads it (std::stoll: leading whitespace, sign, decimal digits, the
 * rest ignored); undefined when that Cast fails (no digits, or outside int64).
 */
export function corridInteger(corrid: CorridValue): bigint | undefined {
  if (typeof corrid === 'number') return BigInt(corrid);
  if (typeof corrid !== 'string') return BigInt('u64' in corrid ? corrid.u64 : corrid.i64);
  const digits = STOLL_PREFIX.exec(corrid)?.[1];
  if (digits === undefined) return undefined;
  const value = BigInt(digits);
  return value < INT64_MIN || value > INT64_MAX ? undefined : value;
}

/** The float32 nearest to an integer of any size (round half to even), as a C++ static_cast gives it. */
export function bigIntToFloat32(value: bigint): number {
  const negative = value < 0n;
  const magnitude = negative ? -value : value;
  const bits = magnitude.toString(2).length;
  // 24 significant bits is float32's precision: anything shorter is exact.
  if (bits <= 24) return negative ? -Number(magnitude) : Number(magnitude);
  const shift = BigInt(bits - 24);
  let kept = magnitude >> shift;
  const rest = magnitude - (kept << shift);
  const half = 1n << (shift - 1n);
  if (rest > half || (rest === half && (kept & 1n) === 1n)) kept += 1n;
  // kept ≤ 2^24, times a power of two: the product is exact in a double and a float32.
  const rounded = Number(kept) * 2 ** Number(shift);
  return negative ? -rounded : rounded;
}
