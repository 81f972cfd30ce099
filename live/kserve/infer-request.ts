import { corridTypeError } from '../../src/batcher/controls.ts';
import { type CorrelationId, type ScenarioId, scenarioIdOf, strId, u64Id, U64_MAX } from '../../src/core/ids.ts';
import { elementBytes, INVALID_DATATYPE, readElement, type RequestDatatype } from './datatypes.ts';
import { KserveError, invalidArg } from './kserve-error.ts';
import type { ServedModel, ServedTensor } from './served-model.ts';

/**
 * One input tensor as a front end received it, reduced to what Triton's core sees: the declared
 * name, datatype and shape, and the tensor's bytes (little-endian; BYTES elements length-prefixed).
 */
export interface WireTensor {
  readonly name: string;
  readonly datatype: RequestDatatype;
  readonly shape: readonly number[];
  readonly bytes: Uint8Array;
}

/**
 * An inference request after its front end's own parsing (HTTP JSON and binary, or gRPC protobuf),
 * before Triton's core checks: the one type both front ends decode into.
 */
export interface WireInferRequest {
  /** The client's request id ('' when it sent none). */
  readonly id: string;
  /** Triton's correlation id: uint64 0 when the request named none. */
  readonly sequenceId: CorrelationId;
  readonly start: boolean;
  readonly end: boolean;
  /** Triton's request `timeout` parameter (µs, 0 = none): bounds the wait in the backlog. */
  readonly timeoutUs: number;
  readonly inputs: readonly WireTensor[];
  /** Output names the client asked for; empty: every output. */
  readonly outputs: readonly string[];
}

/** A request the batcher can take: one step of a sequence. */
export interface SequenceInfer {
  /** The client's request id ('' when none), echoed in the response. */
  readonly clientId: string;
  readonly sequence: ScenarioId;
  readonly correlationId: CorrelationId;
  readonly start: boolean;
  readonly end: boolean;
  /** The step's value (the accumulator input's one element). */
  readonly input: number;
  /** The request's batch dimension (0 for a model without batching); the batcher refuses > 1. */
  readonly batchSize: number;
  readonly timeoutUs: number;
  /** The outputs to return, in the order the client named them (all by default). */
  readonly outputs: readonly ServedTensor[];
}

/** Triton's longest string correlation id, checked when the id is set (in bytes). */
const MAX_STRING_ID_BYTES = 128;

/** The correlation id for a uint64 sequence_id (front ends check the range). */
export function u64SequenceId(value: bigint): CorrelationId {
  if (value < 0n || value > U64_MAX) throw invalidArg(`sequence_id ${value} is not an unsigned 64-bit integer`);
  return u64Id(value);
}

/** The correlation id for a string sequence_id, refused past Triton's 128-character limit. */
export function stringSequenceId(value: string): CorrelationId {
  if (Buffer.byteLength(value, 'utf8') > MAX_STRING_ID_BYTES)
    throw new KserveError('UNSUPPORTED', 'string correlation ID cannot be longer than 128 characters');
  return strId(value);
}

export const NO_SEQUENCE_ID = u64Id(0n);

/** Triton's `[request id: …] ` prefix on the core's request errors. */
export function logRequest(id: string): string {
  return `[request id: ${id === '' ? '<id_unknown>' : id}] `;
}

function dimsText(dims: readonly number[]): string {
  return `[${dims.join(',')}]`;
}

const BATCH_NOTE =
  'NOTE: Setting a non-zero max_batch_size in the model config requires a batch dimension to be prepended to each input shape. If you want to specify the full shape including the batch dim in your input dims config, try setting max_batch_size to zero. See the model configuration docs for more info on max_batch_size.';

/** Triton's count check (ValidateRequestInputs), with its message quirks kept. */
function checkInputCount(request: WireInferRequest, model: ServedModel): void {
  const required = model.inputs.filter((input) => !input.optional).length;
  if (request.inputs.length <= model.inputs.length && request.inputs.length >= required) return;
  const given = new Set(request.inputs.map((input) => input.name));
  const missing = model.inputs.filter((input) => !input.optional && !given.has(input.name)).map((input) => `'${input.name}'`);
  // Triton builds "[a,b," and drops the last character: with nothing missing that drops the "[".
  const missingText = missing.length === 0 ? ']' : `[${missing.join(',')}]`;
  const givenText = `[${request.inputs.map((input) => `'${input.name}'`).join(',')}]`;
  const expected =
    model.inputs.length === required ? `expected ${model.inputs.length} inputs` : `expected number of inputs between ${required} and ${model.inputs.length}`;
  throw invalidArg(
    `${logRequest(request.id)}${expected} but got ${request.inputs.length} inputs for model '${model.name}'. Got input(s) ${givenText}, but missing required input(s) ${missingText}. Please provide all required input(s).`,
  );
}

function configInput(name: string, model: ServedModel): ServedTensor {
  const input = model.inputs.find((candidate) => candidate.name === name);
  if (input === undefined) throw invalidArg(`unexpected inference input '${name}' for model '${model.name}'`);
  return input;
}

/** Triton's batch dimension: every input's first dim, equal across inputs, at most max_batch_size. */
function batchSizeOf(request: WireInferRequest, model: ServedModel): number {
  if (model.maxBatchSize === 0) return 0;
  let batch: number | undefined;
  for (const input of request.inputs) {
    configInput(input.name, model);
    if (input.shape.length === 0) {
      throw invalidArg(`${logRequest(request.id)}input '${input.name}' has no shape but model requires batch dimension for '${model.name}'`);
    }
    if (batch === undefined || batch === 0) batch = input.shape[0]!;
    else if (input.shape[0] !== batch)
      throw invalidArg(`${logRequest(request.id)}input '${input.name}' batch size does not match other inputs for '${model.name}'`);
  }
  const size = batch ?? 0;
  // Triton keeps the batch size unsigned: a negative first dim is a huge batch.
  if (size < 0 || size > model.maxBatchSize)
    throw invalidArg(`${logRequest(request.id)}inference request batch-size must be <= ${model.maxBatchSize} for '${model.name}'`);
  return size;
}

/** Triton's BYTES check: length-prefixed elements, exactly as many as the shape says. */
function checkBytesElements(request: WireInferRequest, input: WireTensor, elementCount: bigint, model: ServedModel): void {
  const data = new DataView(input.bytes.buffer, input.bytes.byteOffset, input.bytes.byteLength);
  let at = 0;
  let checked = 0n;
  while (at < input.bytes.byteLength) {
    const remaining = input.bytes.byteLength - at;
    if (remaining < 4) {
      throw invalidArg(
        `${logRequest(request.id)}incomplete string length indicator for inference input '${input.name}' for model '${model.name}', expecting 4 bytes but only ${remaining} bytes available. Please make sure the string length indicator is in one buffer.`,
      );
    }
    at += 4 + data.getUint32(at, true);
    checked++;
    if (checked > elementCount) {
      throw invalidArg(
        `${logRequest(request.id)}unexpected number of string elements ${checked} for inference input '${input.name}' for model '${model.name}', expecting ${elementCount}`,
      );
    }
  }
  if (checked !== elementCount) {
    throw invalidArg(
      `${logRequest(request.id)}expected ${elementCount} string elements for inference input '${input.name}' for model '${model.name}', got ${checked}`,
    );
  }
}

/** Triton's per-input checks: data type, shape against the config dims, and byte size. */
function checkInput(request: WireInferRequest, input: WireTensor, batchSize: number, model: ServedModel): void {
  const config = configInput(input.name, model);
  if (input.datatype !== config.datatype) {
    throw invalidArg(
      `${logRequest(request.id)}inference input '${input.name}' data-type is '${input.datatype}', but model '${model.name}' expects '${config.datatype}'`,
    );
  }
  const dims = model.maxBatchSize > 0 ? input.shape.slice(1) : input.shape;
  let matches = dims.length === config.dims.length;
  for (let i = 0; matches && i < dims.length; i++) {
    if (dims[i] === -1) {
      throw invalidArg(
        `${logRequest(request.id)}All input dimensions should be specified for input '${input.name}' for model '${model.name}', got ${dimsText(input.shape)}`,
      );
    }
    if (config.dims[i] !== -1 && config.dims[i] !== dims[i]) matches = false;
  }
  if (!matches) {
    const full = model.maxBatchSize > 0 ? [-1, ...config.dims] : config.dims;
    throw invalidArg(
      `${logRequest(request.id)}unexpected shape for input '${input.name}' for model '${model.name}'. Expected ${dimsText(full)}, got ${dimsText(input.shape)}. ${model.maxBatchSize > 0 ? BATCH_NOTE : ''}`,
    );
  }
  const shapeWithBatch = model.maxBatchSize > 0 ? [batchSize, ...dims] : dims;
  const elements = shapeWithBatch.reduce((product, dim) => product * BigInt(dim), 1n);
  if (input.datatype === 'BYTES') {
    checkBytesElements(request, input, elements, model);
    return;
  }
  const expected = elements * BigInt(elementBytes(input.datatype));
  if (BigInt(input.bytes.byteLength) !== expected) {
    throw invalidArg(
      `${logRequest(request.id)}input byte size mismatch for input '${input.name}' for model '${model.name}'. Expected ${expected}, got ${input.bytes.byteLength}`,
    );
  }
}

function checkUniqueNames(request: WireInferRequest): void {
  const inputs = new Set<string>();
  for (const input of request.inputs) {
    if (inputs.has(input.name)) throw invalidArg(`${logRequest(request.id)}input '${input.name}' already exists in request`);
    inputs.add(input.name);
  }
  const outputs = new Set<string>();
  for (const output of request.outputs) {
    if (outputs.has(output)) throw invalidArg(`${logRequest(request.id)}output '${output}' already exists in request`);
    outputs.add(output);
  }
}

/** The outputs to return: the requested ones (each must be in the config), else all; only the value output is computed. */
function outputsOf(request: WireInferRequest, model: ServedModel): ServedTensor[] {
  const outputs = request.outputs.map((name) => {
    const output = model.outputs.find((candidate) => candidate.name === name);
    if (output === undefined) throw invalidArg(`unexpected inference output '${name}' for model '${model.name}'`);
    return output;
  });
  const chosen = outputs.length > 0 ? outputs : model.outputs.length > 0 ? [...model.outputs] : [model.valueOutput];
  for (const output of chosen) {
    if (output.name !== model.valueOutput.name) {
      throw new KserveError('UNSUPPORTED', `seqsim serve computes only the accumulator's output '${model.valueOutput.name}', not '${output.name}'`);
    }
  }
  return chosen;
}

/**
 * Triton's core checks on a decoded request (InferenceRequest::Normalize, then the correlation id's
 * type against the CORRID control), in Triton's order and with its messages; then seqsim's own
 * limit: the accumulator takes one element per request.
 */
export function decodeSequenceInfer(request: WireInferRequest, model: ServedModel): SequenceInfer {
  checkUniqueNames(request);
  const outputs = outputsOf(request, model);
  checkInputCount(request, model);
  const batchSize = batchSizeOf(request, model);
  for (const input of request.inputs) checkInput(request, input, batchSize, model);
  const corridError = corridTypeError(model.model, request.id === '' ? '<id_unknown>' : request.id, request.sequenceId);
  if (corridError !== null) throw new KserveError(corridError.code, corridError.message);

  const value = request.inputs.find((input) => input.name === model.valueInput);
  if (value === undefined) throw invalidArg(`seqsim serve needs input '${model.valueInput}': it carries the accumulator's value`);
  const elements = value.datatype === 'BYTES' || value.datatype === INVALID_DATATYPE ? 0 : value.bytes.byteLength / elementBytes(value.datatype);
  if (value.datatype === 'BYTES' || value.datatype === INVALID_DATATYPE || elements === 0 || elements !== Math.max(1, batchSize)) {
    throw invalidArg(
      `${logRequest(request.id)}seqsim serve runs an accumulator that takes one number per request: input '${value.name}' has shape ${dimsText(value.shape)} of ${value.datatype}`,
    );
  }
  return {
    clientId: request.id,
    sequence: scenarioIdOf(request.sequenceId),
    correlationId: request.sequenceId,
    start: request.start,
    end: request.end,
    input: readElement(value.bytes, value.datatype, 0),
    batchSize,
    timeoutUs: request.timeoutUs,
    outputs,
  };
}
