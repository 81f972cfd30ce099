import { FileReadProblem, GiB, readFilePrefix } from '../core/bounded-read.ts';

/** An initial_state data file may be this large (only its first value is read). */
const MAX_STATE_FILE_BYTES = 16 * GiB;
import { join } from 'node:path';
import type { ImplicitStateSpec } from './types.ts';
import { DATA_TYPES, readEnum, type DataTypeName } from './enums.ts';
import type { JsonReader } from './json-reader.ts';
import { configMessages as msg } from './triton-messages.ts';

const STATE_FIELDS = ['input_name', 'output_name', 'data_type', 'dims', 'initial_state', 'use_same_buffer_for_input_output', 'use_growable_memory'];
/** `seqsim_initial_value` is seqsim's: the value read from `data_file`, so a trace header replays alone. */
const INITIAL_STATE_FIELDS = ['data_type', 'dims', 'zero_data', 'data_file', 'name', 'seqsim_initial_value'];
const INT64_SAFE = Number.MAX_SAFE_INTEGER;
/** Bytes per element (triton::common::GetDataTypeByteSize); 0 = variable (STRING uses the whole file). */
const BYTE_SIZES: Record<DataTypeName, number> = {
  TYPE_INVALID: 0,
  TYPE_BOOL: 1,
  TYPE_UINT8: 1,
  TYPE_UINT16: 2,
  TYPE_UINT32: 4,
  TYPE_UINT64: 8,
  TYPE_INT8: 1,
  TYPE_INT16: 2,
  TYPE_INT32: 4,
  TYPE_INT64: 8,
  TYPE_FP16: 2,
  TYPE_FP32: 4,
  TYPE_FP64: 8,
  TYPE_STRING: 0,
  TYPE_BF16: 2,
};
/** strerror() texts for the errors a missing or unreadable file gives, as Triton prints them. */
const STRERROR: Record<string, string> = {
  ENOENT: 'No such file or directory',
  EACCES: 'Permission denied',
  EISDIR: 'Is a directory',
  ENOTDIR: 'Not a directory',
};

export interface ReadState {
  readonly spec: ImplicitStateSpec;
  readonly normalized: Record<string, unknown>;
}

/**
 * sequence_batching.state, with Triton's checks from SequenceBatchScheduler::Create and
 * GenerateInitialStateData (spec §1.5), state by state, in Triton's order. `modelDir` holds
 * `initial_state/<data_file>`; without it a data_file needs `seqsim_initial_value`.
 */
export function readStates(sequenceBatching: JsonReader, modelDir: string | undefined): ReadState[] {
  const seenInputs = new Set<string>();
  return sequenceBatching.optionalArray('state').map((state) => {
    const result = readState(state, modelDir);
    // Triton rejects a repeated input_name when both states have an initial_state and otherwise
    // ignores the later state with a warning; seqsim rejects both cases with Triton's message.
    if (seenInputs.has(result.spec.inputName)) state.child('input_name').fail(msg.stateInputTwice(result.spec.inputName));
    seenInputs.add(result.spec.inputName);
    return result;
  });
}

function readState(state: JsonReader, modelDir: string | undefined): ReadState {
  state.object();
  state.onlyKeys(STATE_FIELDS);
  const inputName = nonEmptyString(state, 'input_name');
  const outputName = nonEmptyString(state, 'output_name');
  const dataType = readEnum(state.required('data_type', 'the state data type'), DATA_TYPES);
  if (dataType === 'TYPE_INVALID') state.child('data_type').fail('a state needs a data_type');
  const dims = state.optionalArray('dims').map((r) => r.protoInt(-1, INT64_SAFE));
  const sameBuffer = state.optional('use_same_buffer_for_input_output', (r) => r.boolean(), false);
  const growable = state.optional('use_growable_memory', (r) => r.boolean(), false);
  const initialStates = state.optionalArray('initial_state');
  if (initialStates.length > 1) state.child('initial_state').fail(msg.initialStateCount(inputName, initialStates.length));
  const initial = initialStates[0] === undefined ? undefined : readInitialState(initialStates[0], { inputName, dataType, dims }, modelDir);
  return {
    spec: { inputName, outputName, dataType, dims, initialValue: initial?.value ?? 0, hasInitialState: initial !== undefined },
    normalized: {
      input_name: inputName,
      output_name: outputName,
      data_type: dataType,
      dims,
      initial_state: initial === undefined ? [] : [initial.normalized],
      use_same_buffer_for_input_output: sameBuffer,
      use_growable_memory: growable,
    },
  };
}

interface StateShape {
  readonly inputName: string;
  readonly dataType: DataTypeName;
  readonly dims: readonly number[];
}

function readInitialState(initial: JsonReader, state: StateShape, modelDir: string | undefined): { value: number; normalized: Record<string, unknown> } {
  initial.object();
  initial.onlyKeys(INITIAL_STATE_FIELDS);
  const input = state.inputName;
  // An unset data_type is TYPE_INVALID, which never matches a state's type.
  const dataType = initial.optional('data_type', (r) => readEnum(r, DATA_TYPES), 'TYPE_INVALID');
  if (dataType !== state.dataType) initial.fail(msg.initialStateDataType(input), initial.pathOf('data_type'));
  const name = initial.optional('name', (r) => r.string(), '');
  if (name.length === 0) initial.fail(msg.initialStateName(input), initial.pathOf('name'));
  const dimReaders = initial.optionalArray('dims');
  if (dimReaders.length !== state.dims.length) initial.fail(msg.initialStateDimsCount(input, dimReaders.length, state.dims.length), initial.pathOf('dims'));
  const dims = dimReaders.map((r, i) => {
    const dim = r.protoInt(-1, INT64_SAFE);
    if (dim === -1) r.fail(msg.initialStateVariableDims(input));
    if (state.dims[i] !== -1 && dim !== state.dims[i]) r.fail(msg.initialStateDim(input, dim, state.dims[i]!));
    return dim;
  });
  if (initial.has('zero_data') && initial.has('data_file'))
    initial.child('data_file').fail('zero_data and data_file are one oneof (state_data): give one of them');
  if (initial.has('seqsim_initial_value') && !initial.has('data_file')) initial.child('seqsim_initial_value').fail('only goes with data_file');
  if (initial.has('zero_data')) {
    // A oneof member set to false still selects it: zero_data: false is zero data too.
    initial.child('zero_data').boolean();
    return { value: 0, normalized: { data_type: dataType, dims, zero_data: true, name } };
  }
  if (!initial.has('data_file')) initial.fail(msg.initialStateNoData(input));
  const file = initial.child('data_file').string();
  const value = initial.has('seqsim_initial_value')
    ? checkedValue(initial.child('seqsim_initial_value'), dataType)
    : readDataFile(initial.child('data_file'), modelDir, file, dataType, dims);
  return { value, normalized: { data_type: dataType, dims, data_file: file, name, seqsim_initial_value: value } };
}

/**
 * `<model dir>/initial_state/<file>`: Triton requires at least element-count × element-size
 * bytes; seqsim's accumulator starts from the first little-endian value.
 */
function readDataFile(reader: JsonReader, modelDir: string | undefined, file: string, dataType: DataTypeName, dims: readonly number[]): number {
  if (modelDir === undefined) reader.fail('an initial_state data_file needs the model folder: load the config from its file, or give seqsim_initial_value');
  const path = join(modelDir, 'initial_state', file);
  const elements = dims.length === 0 ? 0 : dims.reduce((product, dim) => product * dim, 1);
  const expected = elements * BYTE_SIZES[dataType];
  // Only the first value is used: the file's size comes from the file system, its bytes are not all read.
  let bytes: Buffer;
  let size: number;
  try {
    ({ prefix: bytes, size } = readFilePrefix(path, 8, MAX_STATE_FILE_BYTES));
  } catch (error) {
    if (error instanceof FileReadProblem) return reader.fail(msg.fileNotReadable(path, STRERROR[error.problem] ?? error.problem));
    throw error;
  }
  if (BYTE_SIZES[dataType] > 0 && expected > size) reader.fail(msg.initialStateShortFile(expected, file, size));
  const width = READABLE_STATE_BYTES[dataType];
  if (width === undefined) reader.fail(`seqsim reads initial_state data files of ${Object.keys(READABLE_STATE_BYTES).join(', ')} states, got ${dataType}`);
  if (bytes.length < width) reader.fail(`${path} holds ${size} bytes: seqsim needs one ${width}-byte value to start the accumulator from`);
  switch (dataType) {
    case 'TYPE_INT32':
      return bytes.readInt32LE(0);
    case 'TYPE_FP32':
      return bytes.readFloatLE(0);
    case 'TYPE_BOOL':
      return bytes[0] === 0 ? 0 : 1;
    default: {
      const value = bytes.readBigInt64LE(0);
      if (value < -MAX_EXACT || value > MAX_EXACT) reader.fail(`${path} starts with ${value}: seqsim simulates INT64 values up to 2^53 − 1 exactly`);
      return Number(value);
    }
  }
}

/** State types whose data file seqsim reads its first value from, with that value's size in bytes. */
const READABLE_STATE_BYTES: Partial<Record<DataTypeName, number>> = { TYPE_INT32: 4, TYPE_FP32: 4, TYPE_INT64: 8, TYPE_BOOL: 1 };
const MAX_EXACT = BigInt(Number.MAX_SAFE_INTEGER);

/** A recorded value must be one the state's type can hold, as if it had been read from the file. */
function checkedValue(reader: JsonReader, dataType: DataTypeName): number {
  if (dataType === 'TYPE_INT32') return reader.integer(-(2 ** 31), 2 ** 31 - 1);
  if (dataType === 'TYPE_INT64') return reader.integer();
  if (dataType === 'TYPE_BOOL') return reader.integer(0, 1);
  const value = reader.number();
  if (dataType !== 'TYPE_FP32' || Math.fround(value) !== value)
    reader.fail(`expected a ${dataType === 'TYPE_FP32' ? '32-bit float' : 'value of a TYPE_INT32, TYPE_INT64, TYPE_BOOL or TYPE_FP32 state'}, got ${value}`);
  return value;
}

function nonEmptyString(reader: JsonReader, key: string): string {
  const value = reader.required(key, 'a tensor name').string();
  if (value.length === 0) reader.child(key).fail('must not be empty');
  return value;
}
