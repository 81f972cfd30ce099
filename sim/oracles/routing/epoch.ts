import { assert } from '../../../src/core/assert.ts';

export interface EpochRelease {
  readonly index: number;
  readonly reason: string;
}

/**
 * One occupancy of a sequence id: from its START (or first request) until END is enqueued, the
 * reaper force-ends it, or it is cancelled / expired. Requests join the epoch live at arrival.
 */
export class Epoch {
  /** Requests in arrival order. */
  readonly requests: string[] = [];
  /** Each request's index in `requests`, so an executed row finds its place without a scan. */
  private readonly positions = new Map<string, number>();
  release: EpochRelease | undefined = undefined;
  /** The last position executed, or skipped as cancelled. */
  executedUpTo = -1;
  /** An END joined: the id was freed at its enqueue. */
  ended = false;

  constructor(
    readonly sequenceKey: string,
    public slot: string | undefined,
  ) {}

  /** Neither promoted to a slot nor released: what the backlog's FIFO order ranks. */
  get waitingForSlot(): boolean {
    return this.slot === undefined && this.release === undefined;
  }

  add(request: string): void {
    // A request listed twice (only a corrupted trace does that) keeps its first position.
    if (!this.positions.has(request)) this.positions.set(request, this.requests.length);
    this.requests.push(request);
  }

  /** A rejected request leaves its epoch; the requests after it move up one place. */
  remove(request: string): void {
    const position = this.positionOf(request);
    this.requests.splice(position, 1);
    this.positions.delete(request);
    // Rejection follows its own arrival, so this loop almost never runs: the request was last.
    for (let p = this.requests.length - 1; p >= position; p--) {
      const moved = this.requests[p]!;
      const first = this.positions.get(moved);
      if (first === undefined || first >= position) this.positions.set(moved, p);
    }
  }

  positionOf(request: string): number {
    const position = this.positions.get(request);
    assert(position !== undefined, 'an epoch lists its requests');
    return position;
  }
}
