/**
 * Per-request books as growable typed arrays indexed by a request's number (books/request-ids.ts):
 * a few bytes a request where a Map keyed by request id costs a hundred, so a run of a million
 * requests keeps its oracles' books in tens of MB. Unset entries read as the column's `unset`.
 */
type TypedArray = Int32Array | Float64Array | Uint8Array;

const INITIAL_LENGTH = 16;

/** `array` grown (doubling) to hold `index`, new entries set to `unset`. */
function grown<T extends TypedArray>(array: T, index: number, make: (length: number) => T, unset: number): T {
  let length = Math.max(1, array.length);
  while (length <= index) length *= 2;
  const bigger = make(length);
  bigger.set(array);
  if (unset !== 0) bigger.fill(unset, array.length);
  return bigger;
}

/** A growable typed array of numbers, `unset` where never set. */
class NumberColumn<T extends Int32Array | Float64Array> {
  private values: T;

  constructor(
    private readonly make: (length: number) => T,
    private readonly unset: number,
  ) {
    this.values = make(INITIAL_LENGTH);
    this.values.fill(unset);
  }

  get(index: number): number {
    return index < this.values.length ? this.values[index]! : this.unset;
  }

  set(index: number, value: number): void {
    if (index >= this.values.length) this.values = grown(this.values, index, this.make, this.unset);
    this.values[index] = value;
  }
}

/** Integers in the int32 range (request numbers, trace indices), -1 (or `unset`) where never set. */
export class Int32Column extends NumberColumn<Int32Array> {
  constructor(unset = -1) {
    super((n) => new Int32Array(n), unset);
  }
}

/** Any number, exactly (step values, outputs), NaN (or `unset`) where never set. */
export class Float64Column extends NumberColumn<Float64Array> {
  constructor(unset = Number.NaN) {
    super((n) => new Float64Array(n), unset);
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

/** Entries a list keeps in a plain array before it moves them to an Int32Array. */
const SMALL_LIST_LENGTH = 64;

/**
 * A list of int32s (request numbers): short lists in a plain array (a typed array costs some 200
 * bytes of its own, and a run may hold one list per sequence), long ones in an Int32Array at 4 bytes
 * an entry off the JS heap, where a plain array takes 8 on it.
 */
export class Int32List {
  private small: number[] | undefined = [];
  private values: Int32Array = EMPTY;
  private count = 0;

  get length(): number {
    return this.count;
  }

  /** The entry at `index`, undefined past the end. */
  at(index: number): number | undefined {
    if (index < 0 || index >= this.count) return undefined;
    return this.small === undefined ? this.values[index] : this.small[index];
  }

  push(value: number): void {
    const small = this.small;
    if (small !== undefined && small.length < SMALL_LIST_LENGTH) {
      small.push(value | 0);
      this.count++;
      return;
    }
    if (small !== undefined) {
      this.values = Int32Array.from(small);
      this.small = undefined;
    }
    if (this.count === this.values.length) this.values = grown(this.values, this.count, (n) => new Int32Array(n), 0);
    this.values[this.count++] = value;
  }

  /** Sets an entry within the list. */
  set(index: number, value: number): void {
    this.check(index);
    if (this.small === undefined) this.values[index] = value;
    else this.small[index] = value | 0;
  }

  indexOf(value: number): number {
    return this.small === undefined ? this.values.subarray(0, this.count).indexOf(value) : this.small.indexOf(value);
  }

  /** Removes the entry at `index`; the ones after it move up one place. */
  removeAt(index: number): void {
    this.check(index);
    if (this.small === undefined) this.values.copyWithin(index, index + 1, this.count);
    else this.small.splice(index, 1);
    this.count--;
  }

  toArray(): number[] {
    return this.small === undefined ? Array.from(this.values.subarray(0, this.count)) : [...this.small];
  }

  private check(index: number): void {
    if (index < 0 || index >= this.count) throw new RangeError(`index ${index} is outside the list (length ${this.count})`);
  }
}

const EMPTY = new Int32Array(0);
