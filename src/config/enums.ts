import { describe, type JsonReader } from './json-reader.ts';

/**
 * The ModelConfig enums seqsim reads, in proto order (the index is the enum number). Protobuf's
 * JSON parser accepts an enum as its name or its number; the normalised form always has the name.
 */
export const DATA_TYPES = [
  'TYPE_INVALID',
  'TYPE_BOOL',
  'TYPE_UINT8',
  'TYPE_UINT16',
  'TYPE_UINT32',
  'TYPE_UINT64',
  'TYPE_INT8',
  'TYPE_INT16',
  'TYPE_INT32',
  'TYPE_INT64',
  'TYPE_FP16',
  'TYPE_FP32',
  'TYPE_FP64',
  'TYPE_STRING',
  'TYPE_BF16',
] as const;
export type DataTypeName = (typeof DATA_TYPES)[number];

export const INSTANCE_KINDS = ['KIND_AUTO', 'KIND_GPU', 'KIND_CPU', 'KIND_MODEL'] as const;
export type InstanceKindName = (typeof INSTANCE_KINDS)[number];

export const CONTROL_KINDS = ['CONTROL_SEQUENCE_START', 'CONTROL_SEQUENCE_READY', 'CONTROL_SEQUENCE_END', 'CONTROL_SEQUENCE_CORRID'] as const;
export type ControlKindName = (typeof CONTROL_KINDS)[number];

export const INPUT_FORMATS = ['FORMAT_NONE', 'FORMAT_NHWC', 'FORMAT_NCHW'] as const;

/** An enum field: its name, or its number as protobuf's JSON form allows. */
export function readEnum<T extends string>(reader: JsonReader, names: readonly T[]): T {
  const value = reader.value;
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0 && value < names.length) return names[value]!;
  if (typeof value === 'string' && (names as readonly string[]).includes(value)) return value as T;
  return reader.fail(`expected one of ${names.join(', ')}, got ${describe(value)}`);
}
