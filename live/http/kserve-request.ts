import { parse } from 'lossless-json';
import { errorMessage } from '../../src/core/error-message.ts';
import { U64_MAX, type CorrelationId } from '../../src/core/ids.ts';
import { elementBytes, INVALID_DATATYPE, parseDatatype, serializeBytesElements, writeElement, type RequestDatatype } from '../kserve/datatypes.ts';
import { NO_SEQUENCE_ID, stringSequenceId, u64SequenceId, type WireInferRequest, type WireTensor } from '../kserve/infer-request.ts';
import { KserveError, invalidArg } from '../kserve/kserve-error.ts';
import { checkedElement } from '../kserve/element-range.ts';
import type { ServedModel } from '../kserve/served-model.ts';

/**
 * Triton's HTTP front end, the request side: the JSON header (with every integer kept exact, so a
 * uint64 sequence_id above 2^53 survives), the binary tensor extension's raw bytes after it, and
 * Triton's messages for what it refuses. Malformed fields are answered INVALID_ARG (Triton's JSON
 * reader reports them as INTERNAL, HTTP 500; seqsim treats them as the client's error, HTTP 400).
 */

/** An HTTP infer request decoded into the shared type, plus how it wants its outputs. */
export interface HttpInferRequest {
  readonly wire: WireInferRequest;
  /** `parameters.binary_data_output` (Triton's Python client sets it when it names no outputs). */
  readonly binaryOutputDefault: boolean;
  /** Per requested output: `parameters.binary_data`. */
  readonly binaryOutput: ReadonlyMap<string, boolean>;
}

/** Triton's limit on how deep JSON `data` arrays may nest. */
const MAX_DATA_DEPTH = 100;
const INT64_MIN = -(1n << 63n);
const INT64_MAX = (1n << 63n) - 1n;

/** JSON with integer literals as bigint (exact to 64 bits) and other numbers as number. */
export function parseRequestJson(text: string): unknown {
  try {
    return parse(text, null, (literal) => (/^-?\d+$/.test(literal) ? BigInt(literal) : Number(literal)));
  } catch (error) {
    throw invalidArg(`failed to parse the request JSON buffer: ${errorMessage(error)}`);
  }
}

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

/** TritonJson's accessor failures, after Triton's "Unable to parse '<field>'" prefix. */
function unable(field: string, problem: string): KserveError {
  return invalidArg(`Unable to parse '${field}': ${problem}`);
}

function member(object: Json, name: string, field: string): unknown {
  if (!Object.hasOwn(object, name)) throw unable(field, `attempt to access non-existing object member '${name}'`);
  return object[name];
}

function asString(value: unknown, field: string): string {
  if (typeof value !== 'string') throw unable(field, 'attempt to access JSON non-string as string');
  return value;
}

function asArray(value: unknown, field: string): unknown[] {
  if (!Array.isArray(value)) throw unable(field, 'attempt to access JSON non-array as array');
  return value;
}

function asBool(value: unknown, field: string): boolean {
  if (typeof value !== 'boolean') throw unable(field, 'attempt to access JSON non-boolean as boolean');
  return value;
}

function asUInt(value: unknown, field: string): bigint {
  if (typeof value !== 'bigint' || value < 0n || value > U64_MAX) throw unable(field, 'attempt to access JSON non-unsigned-integer as unsigned-integer');
  return value;
}

function asInt(value: unknown, field: string): bigint {
  if (typeof value !== 'bigint' || value < INT64_MIN || value > INT64_MAX) throw unable(field, 'attempt to access JSON non-signed-integer as signed-integer');
  return value;
}

function asDouble(value: unknown, field: string): number {
  if (typeof value !== 'number' && typeof value !== 'bigint') throw unable(field, 'attempt to access JSON non-number as double');
  return Number(value);
}

/** A number of bytes or microseconds as a JS number (saturating: nothing here is near 2^53). */
const clampToNumber = (value: bigint): number => (value > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(value));

interface RequestParameters {
  sequenceId: CorrelationId;
  start: boolean;
  end: boolean;
  timeoutUs: number;
  binaryOutputDefault: boolean;
}

/** Triton's request parameters (ParseJsonTritonParams): sequence id as uint64 or string, flags, timeout. */
function requestParameters(root: Json): RequestParameters {
  const out: RequestParameters = { sequenceId: NO_SEQUENCE_ID, start: false, end: false, timeoutUs: 0, binaryOutputDefault: false };
  if (!Object.hasOwn(root, 'parameters')) return out;
  const parameters = root['parameters'];
  if (!isObject(parameters)) throw invalidArg('failed to get request params.');
  for (const [name, value] of Object.entries(parameters)) {
    switch (name) {
      case 'sequence_id':
        if (typeof value === 'bigint' && value >= 0n && value <= U64_MAX) out.sequenceId = u64SequenceId(value);
        else out.sequenceId = stringSequenceId(asString(value, 'sequence_id'));
        break;
      case 'sequence_start':
        out.start = asBool(value, 'sequence_start');
        break;
      case 'sequence_end':
        out.end = asBool(value, 'sequence_end');
        break;
      case 'priority':
        asUInt(value, 'priority');
        break;
      case 'timeout':
        out.timeoutUs = clampToNumber(asUInt(value, 'timeout'));
        break;
      case 'binary_data_output':
        out.binaryOutputDefault = asBool(value, 'binary_data_output');
        break;
      default:
        if (name.startsWith('triton_')) throw invalidArg("parameter keys starting with 'triton_' are reserved for Triton usage and should not be specified.");
      // Any other parameter goes to the model in Triton; the accumulator takes none.
    }
  }
  return out;
}

/** The elements of a JSON `data` array, flattened, depth-limited as Triton limits it. */
function flattenData(data: unknown, out: unknown[], depth: number): void {
  if (depth >= MAX_DATA_DEPTH) throw invalidArg(`Unable to parse 'data': JSON nesting depth exceeds maximum allowed limit (${MAX_DATA_DEPTH})`);
  if (!Array.isArray(data)) {
    out.push(data);
    return;
  }
  for (const element of data) flattenData(element, out, depth + 1);
}

/** One JSON `data` element as its datatype reads it (TritonJson's accessors); a failure names the input. */
function jsonElement(
  name: string,
  datatype: Exclude<RequestDatatype, 'BYTES' | 'FP16' | 'BF16' | typeof INVALID_DATATYPE>,
  element: unknown,
): bigint | number | boolean {
  try {
    if (datatype === 'BOOL') return asBool(element, 'data');
    if (datatype === 'FP32' || datatype === 'FP64') return asDouble(element, 'data');
    return datatype.startsWith('UINT') ? asUInt(element, 'data') : asInt(element, 'data');
  } catch (error) {
    if (error instanceof KserveError) throw invalidArg(`${error.message} (input '${name}')`);
    throw error;
  }
}

/** JSON `data` into the tensor's bytes (Triton's ReadDataFromJson), in the request's datatype. */
function jsonTensorBytes(name: string, datatype: RequestDatatype, shape: readonly number[], data: unknown): Uint8Array {
  if (datatype === 'FP16' || datatype === 'BF16') {
    throw invalidArg(`receiving ${datatype} data via JSON is not supported. Please use the binary data format for input ${name}`);
  }
  if (datatype === INVALID_DATATYPE) throw invalidArg(`invalid datatype for input ${name}`);
  const expected = shape.reduce((product, dim) => product * dim, 1);
  if (expected === 0) return new Uint8Array(0);
  const elements: unknown[] = [];
  flattenData(asArray(data, 'data'), elements, 0);
  if (elements.length > expected) throw invalidArg("Unable to parse 'data': Shape does not match true shape of 'data' field");
  let bytes: Uint8Array;
  if (datatype === 'BYTES') {
    bytes = serializeBytesElements(elements.map((element) => new TextEncoder().encode(asString(element, 'data'))));
  } else {
    bytes = new Uint8Array(elements.length * elementBytes(datatype));
    const view = new DataView(bytes.buffer);
    elements.forEach((element, index) => {
      const value = jsonElement(name, datatype, element);
      writeElement(view, index * elementBytes(datatype), datatype, checkedElement(name, datatype, value));
    });
  }
  if (elements.length !== expected) throw invalidArg("Failed to parse 'data' field: shape does not match true shape");
  return bytes;
}

/** Reads the tensor's bytes from the binary section after the JSON header. */
class BinarySection {
  private offset: number;

  constructor(
    private readonly body: Uint8Array,
    headerLength: number,
  ) {
    this.offset = headerLength;
  }

  take(name: string, size: number, model: string): Uint8Array {
    const available = this.body.byteLength - this.offset;
    if (size > available) throw invalidArg(`unexpected size for input '${name}', expecting ${size - available} additional bytes for model '${model}'`);
    const bytes = this.body.subarray(this.offset, this.offset + size);
    this.offset += size;
    return bytes;
  }

  get leftover(): number {
    return this.body.byteLength - this.offset;
  }
}

/** Exactly one of `data`, `binary_data_size`, `shared_memory_region` (ValidateInputContentType). */
function checkContentKind(input: Json): void {
  const parameters = isObject(input['parameters']) ? input['parameters'] : {};
  const set = [
    Object.hasOwn(input, 'data') ? "'data'" : undefined,
    Object.hasOwn(parameters, 'binary_data_size') ? "'binary_data_size'" : undefined,
    Object.hasOwn(parameters, 'shared_memory_region') ? "'shared_memory_region'" : undefined,
  ].filter((field) => field !== undefined);
  if (set.length === 1) return;
  throw invalidArg(
    `Input must set only one of the following fields: 'data', 'binary_data_size' in 'parameters', 'shared_memory_region' in 'parameters'. But ` +
      `${set.length === 0 ? 'no field is set' : `set ${set.join(' ')}`}`,
  );
}

function parseInput(value: unknown, binary: BinarySection, model: string): WireTensor {
  if (!isObject(value)) throw unable('inputs', 'attempt to access JSON non-object as object');
  checkContentKind(value);
  const name = asString(member(value, 'name', 'name'), 'name');
  const datatype = parseDatatype(asString(member(value, 'datatype', 'datatype'), 'datatype'));
  const shape = asArray(member(value, 'shape', 'shape'), 'shape').map((dim) => clampToNumber(asUInt(dim, 'shape')));
  const parameters = isObject(value['parameters']) ? value['parameters'] : {};
  if (Object.hasOwn(parameters, 'shared_memory_region')) {
    const region = asString(parameters['shared_memory_region'], 'shared_memory_region');
    throw new KserveError('NOT_FOUND', `Unable to find shared memory region: '${region}'`);
  }
  if (Object.hasOwn(parameters, 'binary_data_size')) {
    const size = clampToNumber(asUInt(parameters['binary_data_size'], 'binary_data_size'));
    return { name, datatype, shape, bytes: binary.take(name, size, model) };
  }
  return { name, datatype, shape, bytes: jsonTensorBytes(name, datatype, shape, value['data']) };
}

/**
 * The JSON header of `POST /v2/models/<m>/infer` and the binary section after it (`headerLength`
 * is the Inference-Header-Content-Length, or the whole body), as Triton's HTTP front end reads it:
 * request id, parameters, inputs, then requested outputs.
 */
export function parseInferRequest(body: Uint8Array, headerLength: number, model: ServedModel): HttpInferRequest {
  const root = parseRequestJson(Buffer.from(body.buffer, body.byteOffset, headerLength).toString('utf8'));
  if (!isObject(root)) throw unable('inputs', "attempt to access non-existing object member 'inputs'");
  const id = Object.hasOwn(root, 'id') ? asString(root['id'], 'id') : '';
  const parameters = requestParameters(root);
  const binary = new BinarySection(body, headerLength);
  const inputs = asArray(member(root, 'inputs', 'inputs'), 'inputs').map((input) => parseInput(input, binary, model.name));
  if (binary.leftover !== 0) throw invalidArg(`unexpected additional input data for model '${model.name}'`);
  const outputs: string[] = [];
  const binaryOutput = new Map<string, boolean>();
  if (Object.hasOwn(root, 'outputs')) {
    for (const output of asArray(root['outputs'], 'outputs')) {
      if (!isObject(output)) throw unable('outputs', 'attempt to access JSON non-object as object');
      const name = asString(member(output, 'name', 'name'), 'name');
      const outputParameters = isObject(output['parameters']) ? output['parameters'] : {};
      if (Object.hasOwn(outputParameters, 'shared_memory_region')) {
        throw new KserveError(
          'NOT_FOUND',
          `Unable to find shared memory region: '${asString(outputParameters['shared_memory_region'], 'shared_memory_region')}'`,
        );
      }
      if (Object.hasOwn(outputParameters, 'classification')) {
        throw new KserveError('UNSUPPORTED', `seqsim serve does not support classification outputs (output '${name}')`);
      }
      outputs.push(name);
      if (Object.hasOwn(outputParameters, 'binary_data')) binaryOutput.set(name, asBool(outputParameters['binary_data'], 'binary_data'));
    }
  }
  const { sequenceId, start, end, timeoutUs, binaryOutputDefault } = parameters;
  return { wire: { id, sequenceId, start, end, timeoutUs, inputs, outputs }, binaryOutputDefault, binaryOutput };
}

/**
 * A body with `Inference-Header-Content-Length: 0`: Triton's raw binary request, the whole body
 * being the model's single input (shape deduced from the config). It carries no sequence id.
 */
export function parseRawInferRequest(body: Uint8Array, model: ServedModel): HttpInferRequest {
  if (model.inputs.length !== 1) {
    throw invalidArg(
      `[request id: <id_unknown>] Raw request must only have 1 input (found 1) to be deduced but got ${model.inputs.length} inputs in '${model.name}' ` +
        `model configuration`,
    );
  }
  const input = model.inputs[0]!;
  const size = elementBytes(input.datatype);
  const fixed = input.dims.filter((dim) => dim !== -1).reduce((product, dim) => product * dim, 1);
  const shape = [
    ...(model.maxBatchSize > 0 ? [1] : []),
    ...input.dims.map((dim) => (dim === -1 && size > 0 && fixed > 0 ? Math.floor(body.byteLength / fixed / size) : dim)),
  ];
  const wire: WireInferRequest = {
    id: '',
    sequenceId: NO_SEQUENCE_ID,
    start: false,
    end: false,
    timeoutUs: 0,
    inputs: [{ name: input.name, datatype: input.datatype, shape, bytes: body }],
    outputs: [],
  };
  return { wire, binaryOutputDefault: true, binaryOutput: new Map() };
}
