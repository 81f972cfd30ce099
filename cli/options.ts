import { UsageError } from '../src/core/input-errors.ts';
import { MAX_WORK_LAYERS } from '../live/onnx/synthetic-work.ts';

/**
 * A flag's value as an error message shows it: yargs hands a number flag's non-numeric text over as
 * NaN (which JSON would print as null) and a flag given twice as an array of both values.
 */
function shown(value: unknown): string {
  if (typeof value === 'number' && Number.isNaN(value)) return 'something that is not a number';
  if (Array.isArray(value)) return `${value.length} values (${value.map((v) => shown(v)).join(', ')}): give it once`;
  return JSON.stringify(value) ?? String(value);
}

/** A seed must be a safe integer so it round-trips through JSON traces exactly. */
export function parseSeed(value: unknown, flag = '--seed'): number {
  const seed = typeof value === 'string' && /^-?\d+$/.test(value) ? Number(value) : value;
  if (typeof seed !== 'number' || !Number.isSafeInteger(seed)) {
    throw new UsageError(`${flag} must be an integer, got ${shown(value)}`);
  }
  return seed;
}

export function parsePositiveInt(value: unknown, flag: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) {
    throw new UsageError(`${flag} must be a positive integer, got ${shown(value)}`);
  }
  return value;
}

/** A duration flag: 30s, 2m, 500ms or 1h (a bare number is seconds). */
export function parseDurationMs(text: string, flag = '--time-budget'): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (match === null) throw new UsageError(`${flag}: expected a duration like 30s, 2m or 500ms, got ${JSON.stringify(text)}`);
  const value = Number(match[1]);
  const unit = match[2] ?? 's';
  return value * (unit === 'ms' ? 1 : unit === 's' ? 1000 : unit === 'm' ? 60_000 : 3_600_000);
}

/** `--model-work N`: layers of synthetic work in the generated model (not in a user's own). */
export function parseModelWork(args: Record<string, unknown>, userModel: boolean): number {
  if (args['model-work'] === undefined) return 0;
  if (userModel) throw new UsageError('--model-work adds work to the generated accumulator; it cannot change your own --model');
  const layers = parsePositiveInt(args['model-work'], '--model-work');
  if (layers > MAX_WORK_LAYERS) throw new UsageError(`--model-work: at most ${MAX_WORK_LAYERS} layers, got ${layers}`);
  return layers;
}
