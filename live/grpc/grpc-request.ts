import type { CorrelationId } from '../../src/core/ids.ts';
import { elementBytes, type INVALID_DATATYPE, parseDatatype, type RequestDatatype, serializeBytesElements, writeElement } from '../kserve/datatypes.ts';
import { NO_SEQUENCE_ID, stringSequenceId, u64SequenceId, type WireInferRequest, type WireTensor } from '../kserve/infer-request.ts';
import { KserveError, invalidArg } from '../kserve/kserve-error.ts';
import { checkedElement } from '../kserve/element-range.ts';

/**
 * Triton's gRPC front end, the request side (infer_handler.cc): ModelInferRequest as
 * @grpc/proto-loader hands it over (field names as written, 64-bit integers as decimal strings,
 * `parameter_choice` naming the oneof member set), decoded into the shared request type with
 * Triton's gRPC messages.
 */

export interface InferParameterMessage {
  readonly parameter_choice?: 'bool_param' | 'int64_param' | 'string_param' | 'double_param' | 'uint64_param';
  readonly bool_param?: boolean;
  readonly int64_param?: string;
  readonly string_param?: string;
  readonly double_param?: number;
  readonly uint64_param?: string;
}

export interface InferTensorContentsMessage {
  readonly bool_contents: readonly boolean[];
  readonly int_contents: readonly number[];
  readonly int64_contents: readonly string[];
  readonly uint_contents: readonly number[];
  readonly uint64_contents: readonly string[];
  readonly fp32_contents: readonly number[];
  readonly fp64_contents: readonly number[];
  readonly bytes_contents: readonly Uint8Array[];
}

export interface InferInputTensorMessage {
  readonly name: string;
  readonly datatype: string;
  readonly shape: readonly string[];
  readonly parameters: Readonly<Record<string, InferParameterMessage>>;
  readonly contents: InferTensorContentsMessage | null;
}

export interface ModelInferRequestMessage {
  readonly model_name: string;
  readonly model_version: string;
  readonly id: string;
  readonly parameters: Readonly<Record<string, InferParameterMessage>>;
  readonly inputs: readonly InferInputTensorMessage[];
  readonly outputs: readonly { readonly name: string; readonly parameters: Readonly<Record<string, InferParameterMessage>> }[];
  readonly raw_input_contents: readonly Uint8Array[];
}

/** Triton hands an int64 parameter to uint64 setters as is: a negative id is its two's complement. */
const asUint64 = (decimal: string): bigint => BigInt.asUintN(64, BigInt(decimal));

/** A dimension as a JS number (dims past 2^53 are nonsense for any tensor and only need to mismatch). */
const dimOf = (decimal: string): number => Number(BigInt(decimal));

interface Metadata {
  sequenceId: CorrelationId;
  start: boolean;
  end: boolean;
  timeoutUs: number;
}

/** Request parameters as SetInferenceRequestMetadata reads them. */
function metadataOf(request: ModelInferRequestMessage): Metadata {
  const out: Metadata = { sequenceId: NO_SEQUENCE_ID, start: false, end: false, timeoutUs: 0 };
  for (const [name, parameter] of Object.entries(request.parameters)) {
    const choice = parameter.parameter_choice;
    switch (name) {
      case 'sequence_id':
        if (choice === 'int64_param') out.sequenceId = u64SequenceId(asUint64(parameter.int64_param ?? '0'));
        else if (choice === 'string_param') out.sequenceId = stringSequenceId(parameter.string_param ?? '');
        else throw invalidArg("invalid value type for 'sequence_id' parameter, expected int64_param or string_param.");
        break;
      case 'sequence_start':
      case 'sequence_end':
        if (choice !== 'bool_param') throw invalidArg(`invalid value type for '${name}' parameter, expected bool_param.`);
        if (name === 'sequence_start') out.start = parameter.bool_param === true;
        else out.end = parameter.bool_param === true;
        break;
      case 'priority':
        if (choice === 'int64_param') {
          if (BigInt(parameter.int64_param ?? '0') < 0n) throw invalidArg("invalid value for 'priority', expected value >= 0.");
        } else if (choice !== 'uint64_param') throw invalidArg("invalid value type for 'priority' parameter, expected int64_param or uint64_param.");
        break;
      case 'timeout': {
        if (choice !== 'int64_param') throw invalidArg("invalid value type for 'timeout' parameter, expected int64_param.");
        const timeout = asUint64(parameter.int64_param ?? '0');
        out.timeoutUs = timeout > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(timeout);
        break;
      }
      default:
        if (name.startsWith('triton_')) {
          if (name !== 'triton_enable_empty_final_response') {
            throw invalidArg(
              "parameter keys starting with 'triton_' are reserved for Triton usage. Only the following keys starting with 'triton_' are allowed: " +
                'triton_enable_empty_final_response',
            );
          }
          if (choice !== 'bool_param') throw invalidArg(`invalid value type for '${name}' parameter, expected bool_param.`);
        } else if (choice !== 'int64_param' && choice !== 'bool_param' && choice !== 'string_param' && choice !== 'double_param') {
          throw invalidArg(`invalid value type for '${name}' parameter, expected int64_param, bool_param, or string_param.`);
        }
    }
  }
  return out;
}

type TypedField = keyof InferTensorContentsMessage;

/** Which typed member carries which datatype (int_contents also INT8/INT16, uint_contents UINT8/UINT16). */
function contentsType(field: TypedField, declared: RequestDatatype): RequestDatatype {
  switch (field) {
    case 'bool_contents':
      return 'BOOL';
    case 'int_contents':
      return declared === 'INT8' || declared === 'INT16' ? declared : 'INT32';
    case 'int64_contents':
      return 'INT64';
    case 'uint_contents':
      return declared === 'UINT8' || declared === 'UINT16' ? declared : 'UINT32';
    case 'uint64_contents':
      return 'UINT64';
    case 'fp32_contents':
      return 'FP32';
    case 'fp64_contents':
      return 'FP64';
    case 'bytes_contents':
      return 'BYTES';
  }
}

const TYPED_FIELDS: readonly TypedField[] = [
  'bool_contents',
  'int_contents',
  'int64_contents',
  'uint_contents',
  'uint64_contents',
  'fp32_contents',
  'fp64_contents',
  'bytes_contents',
];

/** Typed `contents` into the tensor's bytes (InferGRPCToInput): one member only, of the declared type. */
function contentsBytes(input: InferInputTensorMessage, declared: RequestDatatype, contents: InferTensorContentsMessage, model: string): Uint8Array {
  let bytes: Uint8Array = new Uint8Array(0);
  for (const field of TYPED_FIELDS) {
    const values = contents[field];
    if (values.length === 0) continue;
    const type = contentsType(field, declared);
    if (bytes.byteLength !== 0) {
      throw invalidArg(`unexpected explicit tensor data for input tensor '${input.name}' for model '${model}', binary data was already supplied.`);
    }
    if (type !== declared) {
      throw invalidArg(
        `unexpected explicit tensor data for input tensor '${input.name}' for model '${model}' of type '${type}', expected datatype '${declared}'`,
      );
    }
    if (type === 'BYTES') {
      bytes = serializeBytesElements(values as readonly Uint8Array[]);
      continue;
    }
    const size = elementBytes(type);
    bytes = new Uint8Array(values.length * size);
    const view = new DataView(bytes.buffer);
    const fixed = type as Exclude<RequestDatatype, 'BYTES' | 'FP16' | 'BF16' | typeof INVALID_DATATYPE>;
    (values as readonly (number | string | boolean)[]).forEach((value, index) => {
      writeElement(view, index * size, fixed, checkedElement(input.name, fixed, typeof value === 'string' ? BigInt(value) : value));
    });
  }
  return bytes;
}

function sharedMemoryRegion(parameters: Readonly<Record<string, InferParameterMessage>>): string | undefined {
  const region = parameters['shared_memory_region'];
  return region === undefined ? undefined : (region.string_param ?? '');
}

/**
 * A ModelInferRequest decoded into the shared request type (the model was resolved already): its
 * parameters, then each input's data from typed `contents` or the next `raw_input_contents` entry.
 */
export function parseModelInferRequest(request: ModelInferRequestMessage): WireInferRequest {
  const { sequenceId, start, end, timeoutUs } = metadataOf(request);
  let raw = 0;
  const inputs = request.inputs.map((input): WireTensor => {
    const datatype = parseDatatype(input.datatype);
    const shape = input.shape.map(dimOf);
    const region = sharedMemoryRegion(input.parameters);
    if (region !== undefined) throw new KserveError('NOT_FOUND', `Unable to find shared memory region: '${region}'`);
    if (input.contents !== null && request.raw_input_contents.length > 0) {
      throw invalidArg(`contents field must not be specified when using raw_input_contents for '${input.name}' for model '${request.model_name}'`);
    }
    if (input.contents !== null) return { name: input.name, datatype, shape, bytes: contentsBytes(input, datatype, input.contents, request.model_name) };
    const bytes = request.raw_input_contents[raw++];
    if (bytes === undefined) throw invalidArg(`unable to find data for input tensor '${input.name}' for model '${request.model_name}' in request.`);
    return { name: input.name, datatype, shape, bytes };
  });
  const outputs = request.outputs.map((output) => {
    const region = sharedMemoryRegion(output.parameters);
    if (region !== undefined) throw new KserveError('NOT_FOUND', `Unable to find shared memory region: '${region}'`);
    if (output.parameters['classification'] !== undefined) {
      throw new KserveError('UNSUPPORTED', `seqsim serve does not support classification outputs (output '${output.name}')`);
    }
    return output.name;
  });
  return { id: request.id, sequenceId, start, end, timeoutUs, inputs, outputs };
}
