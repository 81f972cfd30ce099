import type { CorrelationId } from '../core/ids.ts';
import type { CorridValue } from '../core/events.ts';
import type { TritonError } from '../core/errors.ts';
import { tritonErrors } from '../core/errors.ts';
import type { BooleanControl, CorridControl, ModelConfig } from '../config/types.ts';

const U32 = 1n << 32n;
const SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/**
 * The value the CORRID tensor carries for an id (spec §1.2): 32-bit types get the low 32 bits,
 * INT64 the same 8 bytes read as signed, STRING the raw string. Without a CORRID control the
 * trace still records the id, as TYPE_UINT64 / TYPE_STRING would carry it.
 */
export function corridValue(control: CorridControl | undefined, id: CorrelationId): CorridValue {
  if (id.kind === 'str') return control === undefined || control.dataType === 'TYPE_STRING' ? id.value : 0;
  const raw = id.value;
  switch (control?.dataType) {
    case 'TYPE_UINT32':
      return Number(raw % U32);
    case 'TYPE_INT32':
      return Number(BigInt.asIntN(32, raw));
    case 'TYPE_INT64': {
      const signed = BigInt.asIntN(64, raw);
      return signed >= -SAFE && signed <= SAFE ? Number(signed) : { i64: signed.toString() };
    }
    case 'TYPE_STRING':
      return raw.toString();
    default:
      return raw <= SAFE ? Number(raw) : { u64: raw.toString() };
  }
}

/** CORRID on a padding (null) request: uint64 zero, or the empty string for TYPE_STRING. */
export function paddingCorrid(control: CorridControl | undefined): CorridValue {
  return control?.dataType === 'TYPE_STRING' ? '' : 0;
}

/**
 * Request validation before scheduling (`InferenceRequest::ValidateCorrelationId`): the id's tag
 * must match the CORRID control's data type (STRING ↔ TYPE_STRING; uint64 ↔ the integer types).
 */
export function corridTypeError(model: ModelConfig, requestId: string, id: CorrelationId): TritonError | null {
  const control = model.controls.corrid;
  if (control === undefined) return null;
  const wantsString = control.dataType === 'TYPE_STRING';
  if ((id.kind === 'str') === wantsString) return null;
  // Triton prints protocol names: TYPE_STRING as BYTES, the others without "TYPE_" (QA asserts this).
  const expected = wantsString ? 'BYTES' : control.dataType.replace('TYPE_', '');
  return tritonErrors.corridDataType(requestId, control.tensorName, id.kind === 'str' ? 'BYTES' : 'UINT64', model.name, expected);
}

/** The tensor values the model receives for one row's boolean controls (the configured false/true). */
export interface ControlTensorValues {
  readonly [tensorName: string]: number | boolean | CorridValue;
}

export interface RowFlags {
  readonly start: boolean;
  readonly end: boolean;
  readonly ready: boolean;
}

/** Builds the override inputs Triton attaches to a row (spec §1.2, five precomputed sets). */
export function controlTensorValues(model: ModelConfig, flags: RowFlags, corrid: CorridValue): ControlTensorValues {
  const values: Record<string, number | boolean | CorridValue> = {};
  const put = (control: BooleanControl | undefined, on: boolean): void => {
    if (control !== undefined) values[control.tensorName] = on ? control.trueValue : control.falseValue;
  };
  put(model.controls.start, flags.start);
  put(model.controls.end, flags.end);
  put(model.controls.ready, flags.ready);
  if (model.controls.corrid !== undefined) values[model.controls.corrid.tensorName] = corrid;
  return values;
}
