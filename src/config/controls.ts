import type { BooleanControl, BooleanControlDataType, Controls, CorridControl, CorridDataType } from './types.ts';
import { CONTROL_KINDS, DATA_TYPES, readEnum, type ControlKindName, type DataTypeName } from './enums.ts';
import type { JsonReader } from './json-reader.ts';
import { configMessages as msg } from './triton-messages.ts';

type BooleanKind = BooleanControl['kind'];
type FalseTrueList = 'int32_false_true' | 'fp32_false_true' | 'bool_false_true';

/** Triton checks the lists in this order and takes the tensor's data type from the one present. */
const FALSE_TRUE_LISTS: readonly (readonly [FalseTrueList, BooleanControlDataType])[] = [
  ['int32_false_true', 'TYPE_INT32'],
  ['fp32_false_true', 'TYPE_FP32'],
  ['bool_false_true', 'TYPE_BOOL'],
];
const CORRID_TYPES: readonly string[] = ['TYPE_UINT64', 'TYPE_INT64', 'TYPE_UINT32', 'TYPE_INT32', 'TYPE_STRING'];
const CONTROL_FIELDS = ['kind', 'int32_false_true', 'fp32_false_true', 'bool_false_true', 'data_type'];
const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;

/** One `Control` as written, structurally checked; Triton's rules run over these afterwards. */
interface ControlEntry {
  readonly reader: JsonReader;
  readonly kind: ControlKindName;
  readonly lists: ReadonlyMap<FalseTrueList, readonly (number | boolean)[]>;
  readonly dataType: DataTypeName;
}

interface ControlInputEntry {
  readonly reader: JsonReader;
  readonly name: string;
  readonly controls: readonly ControlEntry[];
}

export interface ReadControls {
  readonly controls: Controls;
  readonly normalized: Record<string, unknown>[];
}

/**
 * sequence_batching.control_input. Absent means the QA accumulator's controls (START and READY as
 * int32 [0, 1], SCENARIO.md "The model part"); `[]` means none. Validation follows Triton's
 * ValidateModelConfig: one pass per kind in the order START, END, READY, CORRID, each pass checking
 * every tensor's name first, so the first error reported is the one Triton reports.
 */
export function readControls(sequenceBatching: JsonReader, model: string): ReadControls {
  if (!sequenceBatching.has('control_input')) return defaultControls();
  const entries = sequenceBatching.child('control_input').array().map(readControlInput);
  const start = booleanControl(entries, 'CONTROL_SEQUENCE_START', model);
  const end = booleanControl(entries, 'CONTROL_SEQUENCE_END', model);
  const ready = booleanControl(entries, 'CONTROL_SEQUENCE_READY', model);
  const corrid = corridControl(entries, model);
  const controls: Controls = {
    ...(start !== undefined ? { start } : {}),
    ...(end !== undefined ? { end } : {}),
    ...(ready !== undefined ? { ready } : {}),
    ...(corrid !== undefined ? { corrid } : {}),
  };
  return { controls, normalized: entries.map(normalizeControlInput) };
}

function defaultControls(): ReadControls {
  const start: BooleanControl = { kind: 'CONTROL_SEQUENCE_START', tensorName: 'START', dataType: 'TYPE_INT32', falseValue: 0, trueValue: 1 };
  const ready: BooleanControl = { kind: 'CONTROL_SEQUENCE_READY', tensorName: 'READY', dataType: 'TYPE_INT32', falseValue: 0, trueValue: 1 };
  return {
    controls: { start, ready },
    normalized: [
      { name: 'START', control: [{ kind: 'CONTROL_SEQUENCE_START', int32_false_true: [0, 1] }] },
      { name: 'READY', control: [{ kind: 'CONTROL_SEQUENCE_READY', int32_false_true: [0, 1] }] },
    ],
  };
}

function readControlInput(input: JsonReader): ControlInputEntry {
  input.object();
  input.onlyKeys(['name', 'control']);
  return {
    reader: input,
    name: input.optional('name', (r) => r.string(), ''),
    controls: input.optionalArray('control').map(readControl),
  };
}

function readControl(control: JsonReader): ControlEntry {
  control.object();
  control.onlyKeys(CONTROL_FIELDS);
  const lists = new Map<FalseTrueList, readonly (number | boolean)[]>();
  for (const [list] of FALSE_TRUE_LISTS) {
    const values = control
      .optionalArray(list)
      .map((r) => (list === 'bool_false_true' ? r.boolean() : list === 'int32_false_true' ? r.protoInt(INT32_MIN, INT32_MAX) : r.number()));
    // An empty repeated field is no field at all in protobuf.
    if (values.length > 0) lists.set(list, values);
  }
  return {
    reader: control,
    // Kind 0 (the proto default) is CONTROL_SEQUENCE_START.
    kind: control.optional('kind', (r) => readEnum(r, CONTROL_KINDS), 'CONTROL_SEQUENCE_START'),
    lists,
    dataType: control.optional('data_type', (r) => readEnum(r, DATA_TYPES), 'TYPE_INVALID'),
  };
}

/**
 * One kind's pass, as Triton's Get*SequenceControlProperties: per tensor, its name is checked
 * (present, not seen before), then its controls of `kind`, each validated as it is met. Returns the
 * one control of `kind` and its tensor, or undefined.
 */
function findControl(entries: readonly ControlInputEntry[], kind: ControlKindName, model: string): { tensorName: string; control: ControlEntry } | undefined {
  const seenNames = new Set<string>();
  let found: { tensorName: string; control: ControlEntry } | undefined;
  for (const entry of entries) {
    if (entry.name.length === 0) entry.reader.fail(msg.controlNeedsName(model));
    if (seenNames.has(entry.name)) entry.reader.child('name').fail(msg.tensorForMultipleKinds(entry.name, model));
    seenNames.add(entry.name);
    for (const control of entry.controls) {
      if (control.kind !== kind) continue;
      if (found !== undefined) control.reader.fail(msg.multipleKindTensors(kind, model));
      found = { tensorName: entry.name, control };
      if (kind !== 'CONTROL_SEQUENCE_CORRID') checkFalseTrue(control, kind, model);
      else if (control.lists.size > 0) control.reader.fail(msg.corridNoFalseTrue(model));
    }
  }
  return found;
}

function checkFalseTrue(control: ControlEntry, kind: BooleanKind, model: string): void {
  if (control.lists.size === 0) control.reader.fail(msg.needsFalseTrue(kind, model));
  if (control.lists.size > 1) control.reader.fail(msg.moreThanOneFalseTrue(kind, model));
  const [list, values] = [...control.lists][0]!;
  if (values.length !== 2) control.reader.child(list).fail(msg.exactlyTwoEntries(list, kind, model));
}

function booleanControl(entries: readonly ControlInputEntry[], kind: BooleanKind, model: string): BooleanControl | undefined {
  const found = findControl(entries, kind, model);
  if (found === undefined) return undefined;
  const [list, values] = [...found.control.lists][0]!;
  const dataType = FALSE_TRUE_LISTS.find(([name]) => name === list)![1];
  return { kind, tensorName: found.tensorName, dataType, falseValue: values[0]!, trueValue: values[1]! };
}

function corridControl(entries: readonly ControlInputEntry[], model: string): CorridControl | undefined {
  const found = findControl(entries, 'CONTROL_SEQUENCE_CORRID', model);
  if (found === undefined) return undefined;
  // An unset data_type is TYPE_INVALID, which this check rejects, as in Triton.
  if (!CORRID_TYPES.includes(found.control.dataType)) found.control.reader.fail(msg.corridDataType(model));
  return { kind: 'CONTROL_SEQUENCE_CORRID', tensorName: found.tensorName, dataType: found.control.dataType as CorridDataType };
}

/** A boolean control keeps only its false/true list: Triton ignores its data_type. */
function normalizeControlInput(entry: ControlInputEntry): Record<string, unknown> {
  return {
    name: entry.name,
    control: entry.controls.map((control) => {
      if (control.kind === 'CONTROL_SEQUENCE_CORRID') return { kind: control.kind, data_type: control.dataType };
      const [list, values] = [...control.lists][0]!;
      return { kind: control.kind, [list]: [...values] };
    }),
  };
}
