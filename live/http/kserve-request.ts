import type { ScenarioId } from '../../src/core/ids.ts';
import { U64_MAX } from '../../src/core/ids.ts';

/** One decoded KServe v2 infer request with Triton's sequence parameters. */
export interface SequenceInfer {
  readonly id: string | undefined;
  readonly sequence: ScenarioId;
  readonly start: boolean;
  readonly end: boolean;
  readonly input: number;
}

/** A request the front end refuses before the batcher sees it (HTTP 400, KServe's {"error": …}). */
export class BadInferRequest extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BadInferRequest';
  }
}

function record(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new BadInferRequest(`${what} must be a JSON object`);
  return value as Record<string, unknown>;
}

/** Triton accepts a sequence_id as an unsigned 64-bit integer or a string. */
function sequenceId(value: unknown): ScenarioId {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return value;
  if (typeof value === 'number') throw new BadInferRequest(`parameter 'sequence_id' must be an unsigned 64-bit integer or a string, got ${value}`);
  if (value === undefined) return 0;
  throw new BadInferRequest(`parameter 'sequence_id' must be an unsigned 64-bit integer or a string`);
}

function flag(parameters: Record<string, unknown>, name: string): boolean {
  const value = parameters[name];
  if (value === undefined) return false;
  if (typeof value !== 'boolean') throw new BadInferRequest(`parameter '${name}' must be a boolean`);
  return value;
}

/**
 * Reads the JSON body of `POST /v2/models/<name>/infer`: one input tensor of one element (the
 * accumulator's INPUT, shape [1, 1] or [1]) and the sequence parameters Triton's HTTP frontend takes
 * (`sequence_id`, `sequence_start`, `sequence_end`).
 */
export function parseInferBody(body: unknown, inputName: string): SequenceInfer {
  const root = record(body, 'the request body');
  const parameters = root['parameters'] === undefined ? {} : record(root['parameters'], "'parameters'");
  const inputs = root['inputs'];
  if (!Array.isArray(inputs) || inputs.length !== 1) throw new BadInferRequest(`expected exactly one input tensor '${inputName}'`);
  const tensor = record(inputs[0], 'inputs[0]');
  if (tensor['name'] !== inputName) throw new BadInferRequest(`unexpected inference input '${String(tensor['name'])}', the model expects '${inputName}'`);
  const data = tensor['data'];
  const flat = Array.isArray(data) ? data.flat(4) : [];
  if (flat.length !== 1 || typeof flat[0] !== 'number' || !Number.isFinite(flat[0])) {
    throw new BadInferRequest(`input '${inputName}' must hold exactly one number (shape [1, 1])`);
  }
  const id = root['id'];
  if (id !== undefined && typeof id !== 'string') throw new BadInferRequest("'id' must be a string");
  const sequence = sequenceId(parameters['sequence_id']);
  if (typeof sequence === 'number' && BigInt(sequence) > U64_MAX) throw new BadInferRequest("parameter 'sequence_id' is out of range");
  return { id, sequence, start: flag(parameters, 'sequence_start'), end: flag(parameters, 'sequence_end'), input: flat[0] };
}
