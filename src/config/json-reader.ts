const UINT64_MAX = (1n << 64n) - 1n;

/**
 * Typed field access over untrusted JSON that reports problems as InputError(file, path, problem).
 * Every loader uses it, so every message names the file and the exact field.
 */
export class JsonReader {
  constructor(
    readonly file: string,
    readonly path: string,
    readonly value: unknown,
  ) {}

  fail(problem: string, path = this.path): never {
    throw new InputError(this.file, path, problem);
  }

  /** The JSON path of a field below this one (for errors about a field that is missing). */
  pathOf(key: string | number): string {
    if (typeof key === 'number') return `${this.path}[${key}]`;
    return this.path ? `${this.path}.${key}` : key;
  }

  child(key: string | number): JsonReader {
    const container = this.value as Record<string | number, unknown>;
    // Own properties only: a JSON object has no "constructor" field, whatever its prototype says.
    const value = typeof container === 'object' && container !== null && Object.hasOwn(container, key) ? container[key] : undefined;
    return new JsonReader(this.file, this.pathOf(key), value);
  }

  has(key: string): boolean {
    const object = this.object();
    return Object.hasOwn(object, key) && object[key] !== undefined;
  }

  object(): Record<string, unknown> {
    if (typeof this.value !== 'object' || this.value === null || Array.isArray(this.value)) this.fail(`expected an object, got ${describe(this.value)}`);
    return this.value as Record<string, unknown>;
  }

  /** Rejects keys not in `allowed`, naming the first unknown one (typos must not pass). */
  onlyKeys(allowed: readonly string[]): void {
    for (const key of Object.keys(this.object())) {
      if (!allowed.includes(key)) this.child(key).fail(`unknown field (allowed: ${allowed.join(', ')})`);
    }
  }

  /** The field, which must be present. */
  required(key: string, what: string): JsonReader {
    if (!this.has(key)) this.fail(`missing: ${what}`, this.pathOf(key));
    return this.child(key);
  }

  array(): JsonReader[] {
    if (!Array.isArray(this.value)) this.fail(`expected an array, got ${describe(this.value)}`);
    return (this.value as unknown[]).map((_, i) => this.child(i));
  }

  optionalArray(key: string): JsonReader[] {
    return this.has(key) ? this.child(key).array() : [];
  }

  string(): string {
    if (typeof this.value !== 'string') this.fail(`expected a string, got ${describe(this.value)}`);
    return this.value as string;
  }

  boolean(): boolean {
    if (typeof this.value !== 'boolean') this.fail(`expected true or false, got ${describe(this.value)}`);
    return this.value as boolean;
  }

  number(): number {
    if (typeof this.value !== 'number' || !Number.isFinite(this.value)) this.fail(`expected a number, got ${describe(this.value)}`);
    return this.value as number;
  }

  /** An integer written as a JSON number, in [min, max] (the scenario format). */
  integer(min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER): number {
    const value = this.value;
    if (typeof value !== 'number' || !Number.isSafeInteger(value)) this.fail(`expected an integer, got ${describe(value)}`);
    return this.inRange(value as number, min, max);
  }

  /** A non-negative integer written as a JSON number, at most `max`. */
  nonNegativeInt(max = Number.MAX_SAFE_INTEGER): number {
    const value = this.value;
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) this.fail(`expected a non-negative integer, got ${describe(value)}`);
    return this.inRange(value, 0, max);
  }

  /**
   * An integer of a Triton config: Triton's JSON form writes 64-bit fields as decimal strings
   * ("5000000"), so those are accepted as well as JSON numbers.
   */
  protoInt(min: number, max: number): number {
    const big = this.protoBigInt();
    if (big < BigInt(min) || big > BigInt(max)) this.outOfRange(big < BigInt(min), min, max);
    return Number(big);
  }

  /**
   * A uint64 field of a Triton config (number or decimal string up to 2^64-1). Values above
   * `clampAt` become `clampAt`: no virtual run gets that far, and they stay exact as JSON numbers.
   */
  protoUint64(clampAt: number): number {
    const big = this.protoBigInt();
    if (big < 0n || big > UINT64_MAX) this.fail(`expected an unsigned 64-bit integer, got ${describe(this.value)}`);
    return big > BigInt(clampAt) ? clampAt : Number(big);
  }

  /**
   * A deep copy of the value, for fields kept as written (the normalised form must not alias the
   * caller's objects). JSON.parse accepts nesting that JSON.stringify cannot walk back.
   */
  copy(): unknown {
    try {
      return JSON.parse(JSON.stringify(this.value)) as unknown;
    } catch (error) {
      if (error instanceof RangeError) this.fail('nested too deeply');
      throw error;
    }
  }

  optional<T>(key: string, read: (reader: JsonReader) => T, fallback: T): T {
    return this.has(key) ? read(this.child(key)) : fallback;
  }

  private protoBigInt(): bigint {
    const value = this.value;
    if (typeof value === 'number' && Number.isSafeInteger(value)) return BigInt(value);
    if (typeof value === 'string' && /^-?\d{1,30}$/.test(value)) return BigInt(value);
    if (typeof value === 'number' && Number.isInteger(value))
      this.fail(`${describe(value)} is beyond 2^53: write it as a decimal string, as Triton's JSON form does`);
    return this.fail(`expected an integer, got ${describe(value)}`);
  }

  private inRange(value: number, min: number, max: number): number {
    if (value < min || value > max) this.outOfRange(value < min, min, max);
    return value;
  }

  private outOfRange(below: boolean, min: number, max: number): never {
    const got = describe(this.value);
    if (below && min === 0) this.fail(`expected a non-negative integer, got ${got}`);
    return this.fail(below ? `must be at least ${min}, got ${got}` : `must be at most ${max}, got ${got}`);
  }
}

export function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 40 ? `${text.slice(0, 37)}…` : text;
}
import { InputError } from '../core/input-errors.ts';
