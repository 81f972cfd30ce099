import type { TraceEvent } from '../../../src/core/events.ts';
import { type Ledger, type SentRequest, generationKey, sequenceKey } from '../ledger.ts';
import type { ViolationSink } from '../types.ts';
import { Float64Column } from '../books/columns.ts';

type EventOf<T extends TraceEvent['type']> = Extract<TraceEvent, { type: T }>;

/** A sequence cut off by a switch away from the model object serving it. */
export interface InterruptedSequence {
  readonly sequence: string;
  /** The model object that was serving it when it was cut off. */
  readonly generation: number;
  /** Trace line of the cut (swap or unload) and of the request that found the sequence gone. */
  readonly cutLine: number;
  readonly line: number;
}

/** An accepted request bound to a model object at its arrival. */
export interface BoundArrival {
  readonly request: string;
  readonly sent: SentRequest;
  readonly generation: number;
}

/**
 * Which model object (generation) each request and each open sequence is bound to (update spec
 * rules 5–6): a request must run and be answered by the model it arrived at, and a sequence may
 * only continue without START on a model that saw its START. A switch away from a model cuts off
 * the sequences open on it; the next request of each shows whether it was interrupted.
 */
export class SequenceBinding {
  /** Per request number (the ledger's ids), the generation it was bound to; NaN: none. */
  private readonly boundTo = new Float64Column();
  /** Sequences (key@generation) with an accepted START and no END or force-end since. */
  private readonly open = new Set<string>();
  /**
   * The backlog queue (by its first request) each waiting sequence lives in: a backlog release
   * ends only that queue, while a later START of the id may wait in a queue of its own.
   */
  private readonly waitingIn = new Map<string, string>();
  private lastArrived: string | undefined;
  /** Cut-off sequences waiting for their next request: sequence key → the cut. */
  private readonly cutOff = new Map<string, { generation: number; cutLine: number }>();
  readonly interrupted: InterruptedSequence[] = [];

  constructor(
    private readonly ledger: Ledger,
    private readonly sink: ViolationSink,
  ) {}

  /**
   * A request arrived: a cut-off sequence's next step shows whether it was interrupted; an accepted
   * one binds to its model (`rejected`: the scheduler refused it, it binds to nothing).
   */
  bind(event: EventOf<'arrive'>, index: number, rejected: boolean): BoundArrival | undefined {
    this.lastArrived = event.request;
    const sent = this.ledger.sent.get(event.request);
    if (sent === undefined) return undefined;
    const cut = this.cutOff.get(sent.sequenceKey);
    if (cut !== undefined) {
      this.cutOff.delete(sent.sequenceKey);
      // The sequence's next step after the cut: a START begins anew; anything else was cut off.
      if (!sent.start) this.interrupted.push({ sequence: sent.sequenceKey, generation: cut.generation, cutLine: cut.cutLine + 1, line: index + 1 });
    }
    if (event.generation === undefined || rejected) return undefined;
    this.boundTo.set(this.ledger.sent.ids.intern(event.request), event.generation);
    return { request: event.request, sent, generation: event.generation };
  }

  /** A bound arrival opens its sequence (START), or must continue one open on the same model. */
  openOrContinue(arrival: BoundArrival, index: number): void {
    const { request, sent, generation } = arrival;
    const key = generationKey(sent.sequenceKey, generation);
    if (sent.start) this.open.add(key);
    else if (!this.open.has(key)) {
      this.sink.add(
        `request ${request} continued sequence ${sent.sequenceKey} on generation ${generation}, which never saw its START: the sequence would run on ` +
          `fresh state`,
        [index],
      );
    }
    if (sent.end) this.open.delete(key);
  }

  onBacklog(event: EventOf<'backlog'>): void {
    // A new backlog queue starts with the request that just arrived.
    if (this.lastArrived !== undefined) this.waitingIn.set(generationKey(sequenceKey(event.sequence), event.generation), this.lastArrived);
  }

  onAssign(event: EventOf<'assign'>): void {
    // The id's latest sequence leaves the backlog only if this is its queue (or it never waited).
    const key = generationKey(sequenceKey(event.sequence), event.generation);
    if (event.first_request === undefined || this.waitingIn.get(key) === event.first_request) this.waitingIn.delete(key);
  }

  onReap(event: EventOf<'reap'>): void {
    this.open.delete(generationKey(sequenceKey(event.sequence), event.generation));
  }

  onRelease(event: EventOf<'release'>): void {
    // A cancel-release erases the id (spec §8); expiry drops a backlogged sequence. A backlog
    // queue's release ends only that queue: a later START of the id may have its own queue.
    const key = generationKey(sequenceKey(event.sequence), event.generation);
    // A slot's release does not touch a newer sequence of the id that waits in the backlog.
    const own = event.instance === null ? this.waitingIn.get(key) === event.first_request : !this.waitingIn.has(key);
    if ((event.reason === 'cancel' || event.reason === 'expired' || event.reason === 'destroyed') && own) this.open.delete(key);
  }

  /** Every request of a batch runs on the model it was bound to. */
  onExecute(event: EventOf<'execute'>, index: number): void {
    for (const row of event.rows) {
      if (row.request === null) continue;
      const bound = this.boundOf(row.request);
      if (bound !== event.generation)
        this.sink.add(
          `request ${row.request} bound to generation ${bound ?? 'none'} executed on instance ${event.instance} of generation ${event.generation ?? 'none'}`,
          [index],
        );
    }
  }

  /** A request is answered by the model it was bound to. */
  onResponse(event: EventOf<'response'>, index: number): void {
    const bound = this.boundOf(event.request);
    if (bound !== undefined && event.generation !== bound)
      this.sink.add(`request ${event.request} bound to generation ${bound} was answered as generation ${event.generation ?? 'none'}`, [index]);
  }

  private boundOf(request: string): number | undefined {
    const number = this.ledger.sent.ids.find(request);
    const generation = number < 0 ? Number.NaN : this.boundTo.get(number);
    return Number.isNaN(generation) ? undefined : generation;
  }

  /** Generation `generation` stops taking requests: every sequence open on it is cut off. Returns their keys, in order. */
  cut(generation: number, index: number): string[] {
    const suffix = `@g${generation}`;
    const cut: string[] = [];
    for (const key of this.open) {
      if (!key.endsWith(suffix)) continue;
      this.open.delete(key);
      const plain = key.slice(0, -suffix.length);
      this.cutOff.set(plain, { generation, cutLine: index });
      cut.push(plain);
    }
    return cut;
  }
}
