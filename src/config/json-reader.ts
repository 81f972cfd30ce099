import { InputError } from '../scenario/types.ts';

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

  child(key: string | number): JsonReader {
    const path = typeof key === 'number' ? `${this.path}[${key}]` : this.path ? `${this.path}.${key}` : key;
    const object = this.value as Record<string, unknown>;
    return new JsonReader(this.file, path, object[key as string]);
  }

  has(key: string): boolean {
    return this.object()[key] !== undefined;
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

  /**
   * A non-negative integer. Triton's JSON form writes 64-bit fields as strings ("5000000"), so
   * decimal strings are accepted too.
   */
  nonNegativeInt(max = Number.MAX_SAFE_INTEGER): number {
    let value = this.value;
    if (typeof value === 'string' && /^\d+$/.test(value)) value = Number(value);
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) this.fail(`expected a non-negative integer, got ${describe(this.value)}`);
    if ((value as number) > max) this.fail(`must be at most ${max}, got ${describe(this.value)}`);
    return value as number;
  }

  integer(): number {
    let value = this.value;
    if (typeof value === 'string' && /^-?\d+$/.test(value)) value = Number(value);
    if (typeof value !== 'number' || !Number.isSafeInteger(value)) this.fail(`expected an integer, got ${describe(this.value)}`);
    return value as number;
  }

  optional<T>(key: string, read: (reader: JsonReader) => T, fallback: T): T {
    return this.has(key) ? read(this.child(key)) : fallback;
  }
}

export function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  const text = JSON.stringify(value);
  return text.length > 40 ? `${text.slice(0, 37)}…` : text;
}
