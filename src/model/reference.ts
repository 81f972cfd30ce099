import type { CorridValue } from '../core/events.ts';
import type { TensorDataType } from '../config/types.ts';

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
  /** "dyna" variant: the END row's output adds the CORRID value. */
  readonly addsCorridOnEnd: boolean;
  readonly initialValue: number;
}

export type AccumulatorStep =
  | { readonly kind: 'padding' }
  /** A real row on a slot whose state was never initialised: Triton would read garbage. */
  | { readonly kind: 'uninitialized' }
  | { readonly kind: 'output'; readonly output: number; readonly state: number };

/**
 * Applies one row to the state it reads. `base` is undefined when that state was never
 * initialised. The oracle passes `start ? initialValue : previous`; the simulated backend passes
 * whatever the batcher put in the slot's state, so a batcher that forgets to reset on START shows.
 */
export function accumulate(model: AccumulatorModel, row: AccumulatorRow, base: number | undefined): AccumulatorStep {
  if (!row.ready) return { kind: 'padding' };
  if (base === undefined) return { kind: 'uninitialized' };
  const sum = toDataType(model.dataType, base + row.input);
  const output = row.end && model.addsCorridOnEnd ? toDataType(model.dataType, sum + corridNumber(row.corrid)) : sum;
  return { kind: 'output', output, state: sum };
}

/** INT32 wraps at 32 bits; FP32 rounds to single precision. */
export function toDataType(dataType: TensorDataType, value: number): number {
  return dataType === 'TYPE_INT32' ? value | 0 : Math.fround(value);
}

/** The numeric term a CORRID value adds (a numeric string id adds its integer value). */
export function corridNumber(corrid: CorridValue): number {
  if (typeof corrid === 'number') return corrid;
  if (typeof corrid === 'string') {
    const parsed = Number.parseInt(corrid, 10);
    return Number.isFinite(parsed) ? parsed : 0;
  }
  return Number('u64' in corrid ? corrid.u64 : corrid.i64);
}
