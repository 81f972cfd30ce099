import { UsageError } from './exit-codes.ts';

/** A seed must be a safe integer so it round-trips through JSON traces exactly. */
export function parseSeed(value: unknown, flag = '--seed'): number {
  const seed = typeof value === 'string' && /^-?\d+$/.test(value) ? Number(value) : value;
  if (typeof seed !== 'number' || !Number.isSafeInteger(seed)) {
    throw new UsageError(`${flag} must be an integer, got ${JSON.stringify(value)}`);
  }
  return seed;
}

export function parsePositiveInt(value: unknown, flag: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) {
    throw new UsageError(`${flag} must be a positive integer, got ${JSON.stringify(value)}`);
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
