/**
 * Per-request books as growable typed arrays indexed by a request's number (books/request-ids.ts):
 * a few bytes a request where a Map keyed by request id costs a hundred, so a run of a million
 * requests keeps its oracles' books in tens of MB. Unset entries read as the column's `unset`.
 */
type TypedArray = Int32Array | Float64Array | Uint8Array;

const INITIAL_LENGTH = 1024;

/** `array` grown (doubling) to hold `index`, new entries set to `unset`. */
function grown<T extends TypedArray>(array: T, index: number, make: (length: number) => T, unset: number): T {
  let length = array.length;
  while (length <= index) length *= 2;
  const bigger = make(length);
  bigger.set(array);
  if (unset !== 0) bigger.fill(unset, array.length);
  return bigger;
}

/** Integers in the int32 range (request numbers, trace indices), `unset` where never set. */
export class Int32Column {
  private values: Int32Array;

  constructor(private readonly unset = -1) {
    this.values = new Int32Array(INITIAL_LENGTH).fill(unset);
  }

  get(index: number): number {
    return index < this.values.length ? this.values[index]! : this.unset;
  }

  set(index: number, value: number): void {
    if (index >= this.values.length) this.values = grown(this.values, index, (n) => new Int32Array(n), this.unset);
    this.values[index] = value;
  }
}

/** Any number, exactly (step values, outputs), `unset` (NaN by default) where never set. */
export class Float64Column {
  private values: Float64Array;

  constructor(private readonly unset = Number.NaN) {
    this.values = new Float64Array(INITIAL_LENGTH).fill(unset);
  }

  get(index: number): number {
    return index < this.values.length ? this.values[index]! : this.unset;
  }

  set(index: number, value: number): void {
    if (index >= this.values.length) this.values = grown(this.values, index, (n) => new Float64Array(n), this.unset);
    this.values[index] = value;
  }
}

/** Up to 8 yes/no facts per entry (sent with START, executed, answered …), one byte each entry. */
export class FlagColumn {
  private values = new Uint8Array(INITIAL_LENGTH);

  has(index: number, flag: number): boolean {
    return index < this.values.length && (this.values[index]! & flag) !== 0;
  }

  add(index: number, flag: number): void {
    if (index >= this.values.length) this.values = grown(this.values, index, (n) => new Uint8Array(n), 0);
    this.values[index] = this.values[index]! | flag;
  }

  remove(index: number, flag: number): void {
    if (index < this.values.length) this.values[index] = this.values[index]! & ~flag;
  }
}
