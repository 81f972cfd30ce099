import type { ScenarioId } from '../core/ids.ts';
import type { ModelConfig } from '../config/types.ts';
import { describe, type JsonReader } from '../config/json-reader.ts';
import { corridInteger } from '../model/reference.ts';
import type { ScenarioSequence } from './types.ts';

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;
const EXACT_LIMIT = BigInt(Number.MAX_SAFE_INTEGER);

/**
 * A step's INPUT value in the model's accumulator type (src/model/reference.ts): a 32-bit integer
 * for INT32 and STRING (sent as its decimal text), a safe integer for INT64, 0 / 1 (or false / true)
 * for BOOL, any number for FP32.
 */
export function readStepValue(reader: JsonReader, model: ModelConfig): number {
  const value = reader.value;
  const refuse = (expected: string): never =>
    reader.fail(`model '${model.name}' takes ${model.tensorDataType} input: expected ${expected}, got ${describe(value)}`);
  switch (model.tensorDataType) {
    case 'TYPE_FP32':
      return reader.number();
    case 'TYPE_INT32':
      if (typeof value !== 'number' || !Number.isInteger(value) || value < INT32_MIN || value > INT32_MAX) refuse('a 32-bit integer');
      return value as number;
    case 'TYPE_STRING':
      if (typeof value !== 'number' || !Number.isInteger(value) || value < INT32_MIN || value > INT32_MAX) {
        refuse('a 32-bit integer (the model reads its decimal text as Triton QA string models do)');
      }
      return value as number;
    case 'TYPE_INT64':
      if (typeof value !== 'number' || !Number.isSafeInteger(value)) refuse('an integer within ±(2^53 − 1)');
      return value as number;
    case 'TYPE_BOOL':
      if (typeof value === 'boolean') return value ? 1 : 0;
      if (value !== 0 && value !== 1) refuse('true, false, 0 or 1');
      return value as number;
  }
}

/**
 * An INT64 accumulator computes exactly in seqsim only while every sum fits a double's 53 bits.
 * Any sum a batcher can produce, right or wrong, is bounded by the initial value, every step's
 * value and the largest CORRID term together: refuse the scenario when that bound does not fit.
 */
export function checkInt64Sums(reader: JsonReader, model: ModelConfig, sequences: readonly ScenarioSequence[]): void {
  if (model.tensorDataType !== 'TYPE_INT64') return;
  let bound = abs(BigInt(model.initialStateValue));
  let largestTerm = 0n;
  for (const sequence of sequences) {
    for (const step of sequence.steps) bound += abs(BigInt(step.value));
    const term = corridTermBound(model, sequence.id);
    if (term > largestTerm) largestTerm = term;
  }
  bound += largestTerm;
  if (bound > EXACT_LIMIT) {
    reader.fail(
      `model '${model.name}' accumulates in TYPE_INT64, and this scenario's values and ids add up to ${bound}: ` +
        'seqsim simulates INT64 sums exactly up to 2^53 − 1',
    );
  }
}

/** How large the END row's CORRID term can be for an id (0 without CORRID and END controls). */
function corridTermBound(model: ModelConfig, id: ScenarioId): bigint {
  const corrid = model.controls.corrid;
  if (corrid === undefined || model.controls.end === undefined) return 0n;
  if (corrid.dataType === 'TYPE_UINT32' || corrid.dataType === 'TYPE_INT32') return 1n << 32n;
  const value = typeof id === 'object' ? BigInt(id.u64) : (corridInteger(id) ?? 0n);
  return abs(BigInt.asIntN(64, value));
}

function abs(value: bigint): bigint {
  return value < 0n ? -value : value;
}
