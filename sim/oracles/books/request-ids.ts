import type { TraceRow } from '../../../src/core/events.ts';
import { Int32Column, Int32List } from './columns.ts';

/**
 * A step further than this past the ones its prefix has named is kept apart, not as a gap in the
 * prefix's dense table: seqsim names steps in order, and sparse ids from elsewhere must not make
 * tables mostly holes (at most this many unused entries per id kept in a table).
 */
const MAX_STEP_GAP = 16;
/** Steps of up to 9 digits fit an int32. */
const MAX_STEP_DIGITS = 9;
/** A power of two: the prefix table doubles. */
const INITIAL_PREFIX_SLOTS = 16;

/**
 * Request ids interned to small numbers 0, 1, 2 … in order of first sight, so the oracles keep
 * per-request books in typed columns (books/columns.ts) instead of Maps keyed by strings. seqsim
 * names requests "<sequence prefix>:<step>" (sim/pipeline/request-ids.ts): such an id is stored as
 * its prefix's number and its step, in a dense table per prefix, without keeping the id's string;
 * any other id (a retry "…~r1", a trace from elsewhere) goes to a plain Map. `text` gives the id back.
 */
export class RequestIds {
  /**
   * Prefixes found by a hash of the id's own characters (open addressing, entry = prefix number + 1,
   * 0 = free): a Map would need the prefix as a string of its own, sliced and hashed anew each time.
   */
  private prefixSlots = new Int32Array(INITIAL_PREFIX_SLOTS);
  private readonly prefixHashes = new Int32Column();
  private readonly prefixes: string[] = [];
  /** Per prefix, the request number of each step (-1: not seen). */
  private readonly stepTables: Int32List[] = [];
  private readonly others = new Map<string, number>();
  private readonly otherTexts: string[] = [];
  /** Per request number: its prefix's number (-1: an "other" id, at `step` in otherTexts), and its step. */
  private readonly prefixOf = new Int32Column();
  private readonly stepOf = new Int32Column();
  private count = 0;
  // The oracles look up one event's request several times in a row.
  private lastId: string | undefined = undefined;
  private lastNumber = -1;
  // Several oracles read one execute's rows: the last rows interned, and their numbers.
  private lastRows: readonly TraceRow[] | undefined = undefined;
  private lastRowNumbers: readonly number[] = [];

  /** Ids interned so far. */
  get size(): number {
    return this.count;
  }

  /** The number of `id`, or -1 when it was never interned. */
  find(id: string): number {
    if (id === this.lastId) return this.lastNumber;
    const number = this.lookUp(id, false);
    if (number >= 0) this.remember(id, number);
    return number;
  }

  /** The number of `id`, the next free one at its first sight. */
  intern(id: string): number {
    if (id === this.lastId) return this.lastNumber;
    const number = this.lookUp(id, true);
    this.remember(id, number);
    return number;
  }

  /**
   * The numbers of an execute's rows' requests (interned), -1 for padding. The oracles that read
   * one execute each ask for its rows: the answer is made once per rows array and must not be changed.
   */
  internRows(rows: readonly TraceRow[]): readonly number[] {
    if (rows === this.lastRows) return this.lastRowNumbers;
    const numbers: number[] = [];
    for (let i = 0; i < rows.length; i++) {
      const request = rows[i]!.request;
      numbers.push(request === null ? -1 : this.intern(request));
    }
    this.lastRows = rows;
    this.lastRowNumbers = numbers;
    return numbers;
  }

  /** The id numbered `number`. */
  text(number: number): string {
    const prefix = this.prefixOf.get(number);
    const step = this.stepOf.get(number);
    return prefix >= 0 ? `${this.prefixes[prefix]}:${step}` : this.otherTexts[step]!;
  }

  private remember(id: string, number: number): void {
    this.lastId = id;
    this.lastNumber = number;
  }

  private lookUp(id: string, add: boolean): number {
    const colon = id.lastIndexOf(':');
    const step = colon < 0 ? -1 : canonicalStep(id, colon + 1);
    if (step < 0) return this.other(id, add);
    const hash = prefixHash(id, colon);
    let prefixNumber = this.findPrefix(id, colon, hash);
    if (prefixNumber < 0) {
      if (!add) return this.other(id, add);
      prefixNumber = this.addPrefix(id.slice(0, colon), hash);
    }
    const table = this.stepTables[prefixNumber]!;
    const known = table.at(step) ?? -1;
    if (known >= 0) return known;
    if (step >= table.length + MAX_STEP_GAP) return this.other(id, add);
    // Out of the table once (beyond its gap), the id stays among the others.
    if (!add || this.others.has(id)) return this.other(id, add);
    while (table.length <= step) table.push(-1);
    const number = this.count++;
    table.set(step, number);
    this.prefixOf.set(number, prefixNumber);
    this.stepOf.set(number, step);
    return number;
  }

  /** The number of the prefix `id` starts with, `length` characters long, else -1. */
  private findPrefix(id: string, length: number, hash: number): number {
    const slots = this.prefixSlots;
    const mask = slots.length - 1;
    for (let slot = hash & mask; slots[slot] !== 0; slot = (slot + 1) & mask) {
      const number = slots[slot]! - 1;
      if (this.prefixHashes.get(number) !== hash) continue;
      const prefix = this.prefixes[number]!;
      if (prefix.length === length && id.startsWith(prefix)) return number;
    }
    return -1;
  }

  /** A new prefix, placed in the hash table. */
  private addPrefix(prefix: string, hash: number): number {
    const number = this.prefixes.length;
    this.prefixes.push(prefix);
    this.stepTables.push(new Int32List());
    this.prefixHashes.set(number, hash);
    // At most half full, so probes stay short.
    if (this.prefixes.length * 2 > this.prefixSlots.length) {
      this.prefixSlots = new Int32Array(this.prefixSlots.length * 2);
      for (let placed = 0; placed < this.prefixes.length; placed++) this.place(placed);
    } else this.place(number);
    return number;
  }

  private place(number: number): void {
    const slots = this.prefixSlots;
    const mask = slots.length - 1;
    let slot = this.prefixHashes.get(number) & mask;
    while (slots[slot] !== 0) slot = (slot + 1) & mask;
    slots[slot] = number + 1;
  }

  private other(id: string, add: boolean): number {
    const known = this.others.get(id);
    if (known !== undefined || !add) return known ?? -1;
    const number = this.count++;
    this.others.set(id, number);
    this.prefixOf.set(number, -1);
    this.stepOf.set(number, this.otherTexts.length);
    this.otherTexts.push(id);
    return number;
  }
}

/** The step `id` ends with from `from` on, written as seqsim writes it (decimal, no leading zero), else -1. */
function canonicalStep(id: string, from: number): number {
  const to = id.length;
  const digits = to - from;
  if (digits < 1 || digits > MAX_STEP_DIGITS || (digits > 1 && id.charCodeAt(from) === 48)) return -1;
  let value = 0;
  for (let i = from; i < to; i++) {
    const code = id.charCodeAt(i) - 48;
    if (code < 0 || code > 9) return -1;
    value = value * 10 + code;
  }
  return value;
}

/** FNV-1a over the first `length` characters of `id` (a prefix's hash, read in place). */
function prefixHash(id: string, length: number): number {
  let hash = 0x811c9dc5 | 0;
  for (let i = 0; i < length; i++) hash = Math.imul(hash ^ id.charCodeAt(i), 0x01000193);
  return hash;
}
