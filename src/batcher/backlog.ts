/*
 * Triton's backlog (spec §4 step 10, §5, §7): a sequence that finds every slot taken waits here
 * in a queue of its own, oldest first. A released slot takes the oldest waiting queue
 * (slot-release.ts); the reaper expires queues whose request timeout passed (expireDue, run from
 * reaper.ts). Backlogged sequences are never reaped, but their idle clock keeps ageing.
 */
import { assert } from '../core/assert.ts';
import type { EventSink } from '../core/events.ts';
import type { InferRequest } from '../core/request.ts';
import { occupantOf, type Occupant } from './slot-queue.ts';

/** One waiting sequence in the backlog (Triton's backlog queue). */
export interface BacklogQueue {
  readonly occupant: Occupant;
  readonly requests: InferRequest[];
  expirationUs: number;
  expired: boolean;
}

/** Above this many consumed entries (and more than half the array) the FIFO is compacted. */
const COMPACT_AFTER = 1024;

export class Backlog {
  /** Every queue in creation order; `head` skips consumed ones without O(n) shifts (bug-zoo variants read both). */
  queues: BacklogQueue[] = [];
  head = 0;
  /** The queue each id's unended sequence waits in: its later requests join that queue. */
  private readonly queueByKey = new Map<string, BacklogQueue>();
  /** Queues neither consumed nor expired. */
  private waiting = 0;

  constructor(
    private readonly events: EventSink,
    /** A queue's request timeout moved earlier: the reaper must look at it by then. */
    private readonly wakeReaperBy: (atUs: number) => void,
  ) {}

  /** The queue `key`'s unended sequence waits in, if any. */
  queueOf(key: string): BacklogQueue | undefined {
    return this.queueByKey.get(key);
  }

  has(key: string): boolean {
    return this.queueByKey.has(key);
  }

  /** Queues still waiting (neither consumed nor expired). */
  get waitingQueues(): number {
    return this.waiting;
  }

  /** A sequence found no free slot: it waits in a new queue, behind every older one. */
  open(key: string, request: InferRequest): void {
    const queue: BacklogQueue = { occupant: occupantOf(request, key), requests: [request], expirationUs: Number.POSITIVE_INFINITY, expired: false };
    this.queues.push(queue);
    this.waiting++;
    if (!request.end) this.queueByKey.set(key, queue);
    this.events.emit({ type: 'backlog', sequence: request.sequence });
    if (request.timeoutUs > 0) this.shortenExpiration(queue, request.arrivalUs + request.timeoutUs);
  }

  /** A later request of a waiting sequence joins its queue; END unmaps the id. */
  append(key: string, queue: BacklogQueue, request: InferRequest): void {
    if (request.timeoutUs > 0) this.shortenExpiration(queue, request.arrivalUs + request.timeoutUs);
    queue.requests.push(request);
    if (request.end) this.queueByKey.delete(key);
  }

  /** The oldest waiting queue (FIFO by creation), skipping expired ones. */
  popOldest(): BacklogQueue | undefined {
    while (this.head < this.queues.length) {
      const queue = this.queues[this.head++]!;
      this.compact();
      if (!queue.expired) return queue;
    }
    return undefined;
  }

  /** A popped queue leaves the backlog (for a slot, or cancelled): it stops counting and its id unmaps. */
  leave(queue: BacklogQueue): void {
    this.waiting--;
    const last = queue.requests[queue.requests.length - 1]!;
    if (last.end) return;
    // A queue without END is the one its id maps to: a second queue for the same id is only
    // created after END removed the mapping.
    assert(this.queueByKey.get(queue.occupant.key) === queue, 'an unended backlog queue is mapped');
    this.queueByKey.delete(queue.occupant.key);
  }

  /**
   * Backlog request timeouts (spec §7), checked by the reaper task: every queue whose expiration
   * passed is marked expired and handed to `expire` (which answers its requests). Returns the
   * next expiration (∞ when none is pending).
   */
  expireDue(nowUs: number, expire: (queue: BacklogQueue) => void): number {
    let next = Number.POSITIVE_INFINITY;
    for (let i = this.head; i < this.queues.length; i++) {
      const queue = this.queues[i]!;
      if (queue.expired || queue.expirationUs === Number.POSITIVE_INFINITY) continue;
      if (queue.expirationUs > nowUs) {
        next = Math.min(next, queue.expirationUs);
        continue;
      }
      queue.expired = true;
      this.waiting--;
      // Only if it still points at this queue: a newer sequence reusing the id is kept.
      if (this.queueByKey.get(queue.occupant.key) === queue) this.queueByKey.delete(queue.occupant.key);
      expire(queue);
    }
    return next;
  }

  /** Requests waiting in queues that have not expired. */
  queuedRequests(): number {
    let count = 0;
    for (let i = this.head; i < this.queues.length; i++) {
      const queue = this.queues[i]!;
      if (!queue.expired) count += queue.requests.length;
    }
    return count;
  }

  private shortenExpiration(queue: BacklogQueue, expirationUs: number): void {
    if (expirationUs >= queue.expirationUs) return;
    queue.expirationUs = expirationUs;
    this.wakeReaperBy(expirationUs);
  }

  private compact(): void {
    if (this.head > COMPACT_AFTER && this.head * 2 > this.queues.length) {
      this.queues = this.queues.slice(this.head);
      this.head = 0;
    }
  }
}
