import { assert } from '../core/assert.ts';
import type { BatchRow } from '../core/ports.ts';
import type { OldestStrategy } from '../config/types.ts';
import type { InferRequest } from '../core/request.ts';
import { tritonErrors } from '../core/errors.ts';
import { decideBatch, type PendingRequest } from './dynamic-batcher.ts';
import { BatcherThread } from './batcher-thread.ts';
import { requestRow } from './rows.ts';
import { REAP_MARKER, type Occupant, type SlotItem } from './slot-queue.ts';
import type { SchedulerContext } from './scheduler.ts';

const MAX_RELEASE_PASSES = 10_000_000;

/**
 * Triton's OldestSequenceBatch (spec §5B) for one instance: candidate slots feed one private
 * dynamic batcher, at most one request per sequence inside it; a sequence's next request is
 * dispatched only when the previous one is released (after its batch ran).
 */
export class OldestBatcher extends BatcherThread {
  private readonly dispatched: boolean[] = [];
  private readonly strategy: OldestStrategy;
  private pending: PendingRequest[] = [];

  constructor(scheduler: SchedulerContext, instance: number) {
    super(scheduler, instance);
    assert(scheduler.model.strategy.kind === 'oldest', 'OldestBatcher runs the oldest strategy');
    this.strategy = scheduler.model.strategy;
    for (let slot = 0; slot < scheduler.model.slotsPerInstance; slot++) this.dispatched.push(false);
  }

  enqueue(slot: number, occupant: Occupant, item: SlotItem): void {
    this.appendToSlot(slot, occupant, item);
    if (!this.dispatched[slot]) this.completeAndNext(slot);
  }

  override queuedRequests(): number {
    return this.pending.length + super.queuedRequests();
  }

  /**
   * CompleteAndNext: dispatch the slot's next request into the dynamic batcher, or release the
   * slot (reaper marker, cancelled front, END). Loops when a backlog sequence moved in.
   */
  private completeAndNext(slot: number): void {
    const queue = this.queues[slot]!;
    // Each pass dispatches, or releases and takes at most one backlog sequence: bounded by the
    // backlog's length, which only shrinks here.
    for (let pass = 0; pass < MAX_RELEASE_PASSES; pass++) {
      this.dispatched[slot] = false;
      const front = queue[0];
      if (front === undefined) return;
      let reason: 'end' | 'idle-timeout' | 'cancel' | undefined;
      if (front === REAP_MARKER) {
        queue.shift();
        reason = 'idle-timeout';
      } else if (front.cancelled) {
        reason = 'cancel';
      } else {
        queue.shift();
        if (front.end) reason = 'end';
        this.dispatched[slot] = true;
        this.dispatch(slot, front);
      }
      if (reason === undefined) return;
      const next = this.scheduler.releaseSlot(this.instance, slot, queue, reason, this.occupants[slot]);
      this.occupants[slot] = next;
      if (next === undefined || this.dispatched[slot]) return;
    }
    assert(false, 'CompleteAndNext terminates');
  }

  private dispatch(slot: number, request: InferRequest): void {
    this.pending.push({ slot, request, enteredUs: this.scheduler.deps.clock.nowUs() });
    this.wake();
  }

  protected formBatch(): void {
    this.dropCancelled();
    const { model, deps } = this.scheduler;
    const now = deps.clock.nowUs();
    const decision = decideBatch(this.pending, this.strategy, model.maxBatchSize, now);
    if ('waitUntilUs' in decision) {
      this.sleepUntil(decision.waitUntilUs);
      return;
    }
    if (decision.send === 0) return;
    const chosen = this.pending.slice(0, decision.send);
    this.pending = this.pending.slice(decision.send);
    const rows: BatchRow[] = chosen.map((p) => requestRow(model, p.slot, p.request, this.states.forRow(p.slot, p.request.start)));
    this.execute(rows, chosen);
  }

  /** Cancelled requests inside the dynamic batcher are answered there; their sequence goes on. */
  private dropCancelled(): void {
    const cancelled = this.pending.filter((p) => p.request.cancelled);
    if (cancelled.length === 0) return;
    this.pending = this.pending.filter((p) => !p.request.cancelled);
    for (const p of cancelled) {
      this.scheduler.respond(p.request, { error: tritonErrors.cancelled() });
      this.completeAndNext(p.slot);
    }
  }

  private execute(rows: BatchRow[], chosen: readonly PendingRequest[]): void {
    // Releasing each request runs CompleteAndNext for its slot: the sequence's next request.
    this.runBatch(rows, () => {
      for (const p of chosen) this.completeAndNext(p.slot);
    });
  }
}
