import type { TraceEvent } from '../../../src/core/events.ts';
import type { ScenarioId } from '../../../src/core/ids.ts';
import { FlagColumn, Float64Column, Int32Column } from './columns.ts';
import { RequestIds } from './request-ids.ts';

/** A request as the client sent it. */
export interface SentRequest {
  /** Its number in the book's `ids`. */
  readonly number: number;
  readonly index: number;
  readonly request: string;
  readonly sequenceKey: string;
  readonly sequence: ScenarioId;
  readonly start: boolean;
  readonly end: boolean;
  readonly value: number;
  /** For a client's retry: the request id of the step's first attempt. */
  readonly retryOf: string | undefined;
}

const START = 1;
const END = 2;

/** Sequence identity in the trace: uint64 5 and string "5" differ, as in Triton. */
export function sequenceKey(sequence: ScenarioId): string {
  // A finite number's JSON is its String (which V8 caches for small integers): no JSON.stringify per event.
  return typeof sequence === 'number' && Number.isFinite(sequence) ? String(sequence) : JSON.stringify(sequence);
}

/**
 * The requests a run's clients sent, by request id, in columns (books/columns.ts): what a Map of
 * SentRequest objects held at some 170 bytes a request now takes some 40. `get` answers a view of
 * the request as it was last sent (a duplicate send replaces it, keeping its place in send order).
 */
export class SentBook {
  /** Every request id the oracles met, sent or not: their per-request books are indexed by these numbers. */
  readonly ids = new RequestIds();
  /** Trace index of each request's send; -1: not sent. */
  private readonly sendIndex = new Int32Column();
  private readonly sequenceOf = new Int32Column();
  private readonly stepValues = new Float64Column();
  /** The first attempt's number, for a retry; -1 otherwise. */
  private readonly retries = new Int32Column();
  private readonly flags = new FlagColumn();
  /** Request numbers in the order they were first sent. */
  private readonly order = new Int32Column();
  private sentCount = 0;
  /** Sequence numbers by key, and by value for finite numbers (whose keys they are). */
  private readonly sequenceNumbers = new Map<string, number>();
  private readonly numericSequences = new Map<number, number>();
  private readonly sequenceKeys: string[] = [];
  private readonly sequences: ScenarioId[] = [];
  private cached: SentRequest | undefined = undefined;

  /** Requests sent (each id once). */
  get size(): number {
    return this.sentCount;
  }

  record(event: Extract<TraceEvent, { type: 'send' }>, index: number): void {
    const number = this.ids.intern(event.request);
    if (this.sendIndex.get(number) < 0) this.order.set(this.sentCount++, number);
    this.sendIndex.set(number, index);
    this.sequenceOf.set(number, this.sequenceNumber(event.sequence));
    this.stepValues.set(number, event.value);
    this.retries.set(number, event.retry_of === undefined ? -1 : this.ids.intern(event.retry_of));
    this.flags.remove(number, START | END);
    if (event.start) this.flags.add(number, START);
    if (event.end) this.flags.add(number, END);
    if (this.cached?.number === number) this.cached = undefined;
  }

  /** The number of a sent request, else -1. */
  numberOf(request: string): number {
    const number = this.ids.find(request);
    return number >= 0 && this.sendIndex.get(number) >= 0 ? number : -1;
  }

  /** Whether the request numbered `number` was sent. */
  isSent(number: number): boolean {
    return number >= 0 && this.sendIndex.get(number) >= 0;
  }

  has(request: string): boolean {
    return this.numberOf(request) >= 0;
  }

  get(request: string): SentRequest | undefined {
    const number = this.numberOf(request);
    return number < 0 ? undefined : this.view(number, request);
  }

  /** The sent request numbered `number`, else undefined. */
  at(number: number): SentRequest | undefined {
    return this.sendIndex.get(number) < 0 ? undefined : this.view(number, undefined);
  }

  /** Whether the request numbered `number` was sent with END. */
  endOf(number: number): boolean {
    return this.flags.has(number, END);
  }

  // Field by field, for a sent request's number: what the oracles read per event, without a view object.

  /** Whether the request numbered `number` was sent with START. */
  startOf(number: number): boolean {
    return this.flags.has(number, START);
  }

  /** The sequence key (sequenceKey) of the sent request numbered `number`. */
  sequenceKeyOf(number: number): string {
    return this.sequenceKeys[this.sequenceOf.get(number)]!;
  }

  /** The sequence id of the sent request numbered `number`. */
  sequenceIdOf(number: number): ScenarioId {
    return this.sequences[this.sequenceOf.get(number)]!;
  }

  /** The step value the request numbered `number` was sent with. */
  stepValueOf(number: number): number {
    return this.stepValues.get(number);
  }

  /** For a sent retry, the number of the step's first attempt; else -1. */
  retryOf(number: number): number {
    return this.retries.get(number);
  }

  /** The number of the `i`-th request first sent (0 ≤ i < size): a walk over every request without a view each. */
  sentAt(i: number): number {
    return this.order.get(i);
  }

  /** Every sent request, in the order first sent. */
  *values(): IterableIterator<SentRequest> {
    for (let i = 0; i < this.sentCount; i++) yield this.view(this.order.get(i), undefined);
  }

  private view(number: number, request: string | undefined): SentRequest {
    const cached = this.cached;
    if (cached?.number === number) return cached;
    const sequence = this.sequenceOf.get(number);
    const retryOf = this.retries.get(number);
    const view: SentRequest = {
      number,
      index: this.sendIndex.get(number),
      request: request ?? this.ids.text(number),
      sequenceKey: this.sequenceKeys[sequence]!,
      sequence: this.sequences[sequence]!,
      start: this.flags.has(number, START),
      end: this.flags.has(number, END),
      value: this.stepValues.get(number),
      retryOf: retryOf < 0 ? undefined : this.ids.text(retryOf),
    };
    this.cached = view;
    return view;
  }

  private sequenceNumber(sequence: ScenarioId): number {
    // A finite number's key is its decimal text and nothing else writes that text: such ids are
    // found by value, without making the key (0 and -0 share "0" as they share a Map entry).
    const byValue = typeof sequence === 'number' && Number.isFinite(sequence);
    let number = byValue ? this.numericSequences.get(sequence) : this.sequenceNumbers.get(sequenceKey(sequence));
    if (number === undefined) {
      const key = sequenceKey(sequence);
      number = this.sequenceKeys.length;
      if (byValue) this.numericSequences.set(sequence, number);
      else this.sequenceNumbers.set(key, number);
      this.sequenceKeys.push(key);
      this.sequences.push(sequence);
    }
    return number;
  }
}
