import { Int32Column, Int32List } from './columns.ts';

/**
 * A step further than this past the ones its prefix has named is kept apart, not as a gap in the
 * prefix's dense table: seqsim names steps in order, and sparse ids from elsewhere must not make
 * tables mostly holes (at most this many unused entries per id kept in a table).
 */
const MAX_STEP_GAP = 16;
/** Steps of up to 9 digits fit an int32. */
const MAX_STEP_DIGITS = 9;

/**
 * Request ids interned to small numbers 0, 1, 2 … in order of first sight, so the oracles keep
 * per-request books in typed columns (books/columns.ts) instead of Maps keyed by strings. seqsim
 * names requests "<sequence prefix>:<step>" (sim/pipeline/request-ids.ts): such an id is stored as
 * its prefix's number and its step, in a dense table per prefix, without keeping the id's string;
 * any other id (a retry "…~r1", a trace from elsewhere) goes to a plain Map. `text` gives the id back.
 */
export class RequestIds {
  private readonly prefixNumbers = new Map<string, number>();
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
    const prefix = id.slice(0, colon);
    let prefixNumber = this.prefixNumbers.get(prefix);
    if (prefixNumber === undefined) {
      if (!add) return this.other(id, add);
      prefixNumber = this.prefixes.length;
      this.prefixNumbers.set(prefix, prefixNumber);
      this.prefixes.push(prefix);
      this.stepTables.push(new Int32List());
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
  const digits = id.length - from;
  if (digits < 1 || digits > MAX_STEP_DIGITS || (digits > 1 && id.charCodeAt(from) === 48)) return -1;
  let step = 0;
  for (let i = from; i < id.length; i++) {
    const code = id.charCodeAt(i) - 48;
    if (code < 0 || code > 9) return -1;
    step = step * 10 + code;
  }
  return step;
}
