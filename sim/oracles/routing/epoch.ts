import { assert } from '../../../src/core/assert.ts';
import { FlagColumn, Int32Column, Int32List } from '../books/columns.ts';

export interface EpochRelease {
  readonly index: number;
  readonly reason: string;
}

/**
 * One occupancy of a sequence id: from its START (or first request) until END is enqueued, the
 * reaper force-ends it, or it is cancelled / expired. Requests join the epoch live at arrival.
 * Made and joined through Membership, which knows each request's place.
 */
export class Epoch {
  /** Request numbers (the ledger's ids) in arrival order. */
  readonly requests = new Int32List();
  release: EpochRelease | undefined = undefined;
  /** The last position executed, or skipped as cancelled. */
  executedUpTo = -1;
  /** An END joined: the id was freed at its enqueue. */
  ended = false;
  /** A request here joined twice (only a corrupted trace does that): places are found by scanning. */
  scanned = false;

  constructor(
    readonly number: number,
    readonly sequenceKey: string,
    public slot: string | undefined,
  ) {}

  /** Neither promoted to a slot nor released: what the backlog's FIFO order ranks. */
  get waitingForSlot(): boolean {
    return this.slot === undefined && this.release === undefined;
  }
}

const JOINED = 1;

/**
 * Which epoch each request joined and its position there, by request number, in columns: a few
 * bytes a request where a Map per epoch cost some sixty. A request listed twice keeps its first
 * position; its epochs then scan for positions (a corrupted trace, never a run's).
 */
export class Membership {
  private readonly epochs: Epoch[] = [];
  private readonly epochOfRequest = new Int32Column();
  private readonly positions = new Int32Column();
  private readonly joined = new FlagColumn();

  open(sequenceKey: string, slot: string | undefined): Epoch {
    const epoch = new Epoch(this.epochs.length, sequenceKey, slot);
    this.epochs.push(epoch);
    return epoch;
  }

  /** The epoch the request numbered `request` last joined, unless it left it. */
  epochOf(request: number): Epoch | undefined {
    const number = this.epochOfRequest.get(request);
    return number < 0 ? undefined : this.epochs[number];
  }

  join(epoch: Epoch, request: number): void {
    if (this.joined.has(request, JOINED)) {
      epoch.scanned = true;
      const previous = this.epochOf(request);
      if (previous !== undefined) previous.scanned = true;
    }
    this.joined.add(request, JOINED);
    this.epochOfRequest.set(request, epoch.number);
    this.positions.set(request, epoch.requests.length);
    epoch.requests.push(request);
  }

  /** A rejected request leaves its epoch; the requests after it move up one place. */
  leave(request: number): void {
    const epoch = this.epochOf(request);
    if (epoch === undefined) return;
    const position = this.positionOf(epoch, request);
    epoch.requests.removeAt(position);
    this.epochOfRequest.set(request, -1);
    // Rejection follows its own arrival, so this loop almost never runs: the request was last.
    if (!epoch.scanned) for (let p = position; p < epoch.requests.length; p++) this.positions.set(epoch.requests.at(p)!, p);
  }

  /** The request's position in `epoch`, its epoch. */
  positionOf(epoch: Epoch, request: number): number {
    const position = epoch.scanned ? epoch.requests.indexOf(request) : this.positions.get(request);
    assert(position >= 0 && epoch.requests.at(position) === request, 'an epoch lists its requests');
    return position;
  }
}
