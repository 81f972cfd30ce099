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
