import { assert } from '../core/assert.ts';
import type { BatchRow } from '../core/ports.ts';
import type { OldestStrategy } from '../config/types.ts';
import type { InferRequest } from '../core/request.ts';
import { decideBatch } from './dynamic-batcher.ts';
import { BatcherThread } from './batcher-thread.ts';
import { requestRow } from './rows.ts';
import { REAP_MARKER, type Occupant, type SlotItem } from './slot-queue.ts';
import type { SchedulerContext } from './scheduler-context.ts';

const MAX_RELEASE_PASSES = 10_000_000;

/** A request inside the dynamic batcher, with the row (controls, slot state) built at dispatch. */
interface QueuedRow {
  readonly slot: number;
  readonly row: BatchRow;
  readonly request: InferRequest;
  readonly enteredUs: number;
}

/**
 * Triton's OldestSequenceBatch (spec §5B) for one instance: candidate slots feed one private
 * dynamic batcher, at most one request per sequence inside it; a sequence's next request is
 * dispatched only when the previous one is released (after its batch ran).
 */
export class OldestBatcher extends BatcherThread {
  protected readonly dispatched: boolean[] = [];
  private readonly strategy: OldestStrategy;
  private pending: QueuedRow[] = [];

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
        this.dispatched[slot] = this.holdsDispatchedRequest();
        this.dispatch(slot, front);
      }
      if (reason === undefined) return;
      const next = this.scheduler.releaseSlot(this.instance, slot, queue, reason, this.occupants[slot]);
      this.occupants[slot] = next;
      if (next === undefined || (this.dispatched[slot] && this.waitsForDispatchedEnd())) return;
    }
    assert(false, 'CompleteAndNext terminates');
  }

  /** A slot keeps one request inside the dynamic batcher until it is released (spec §5B). */
  protected holdsDispatchedRequest(): boolean {
    return true;
  }

  /** A sequence moved in behind a dispatched END waits for that END's release (spec §5B step 3). */
  protected waitsForDispatchedEnd(): boolean {
    return true;
  }

  /**
   * Controls, CORRID and the slot's implicit state are attached at dispatch, as Triton does in
   * CompleteAndNext: a START resets the state now, even if the request is cancelled before it runs.
   */
  private dispatch(slot: number, request: InferRequest): void {
    // Traced because the state reset happens here, not when the row executes.
    this.scheduler.deps.events.emit({ type: 'dispatch', instance: this.instance, slot, request: request.id });
    const row = requestRow(this.scheduler.model, slot, request, this.stateForRow(slot, request.start));
    this.pending.push({ slot, row, request, enteredUs: this.scheduler.deps.clock.nowUs() });
    this.wake();
  }

  /** Oldest's inner dynamic batcher waits until its own queue holds the hook's count (cancelled requests too). */
  protected hookKeepsWaiting(queued: number): boolean {
    return queued < (this.scheduler.testHooks?.delaySchedulerRequests ?? 0);
  }

  protected formBatch(): void {
    if (this.heldByTestHook(this.pending.length)) return;
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
    this.execute(
      chosen.map((queued) => queued.row),
      chosen,
    );
  }

  /**
   * Cancelled requests inside the dynamic batcher are answered there (spec §8); releasing them runs
   * CompleteAndNext, so the sequence goes on with its next request.
   */
  private dropCancelled(): void {
    if (!this.pending.some((queued) => queued.request.cancelled)) return;
    const cancelled = this.pending.filter((queued) => queued.request.cancelled);
    this.pending = this.pending.filter((queued) => !queued.request.cancelled);
    this.scheduler.cancelAll(
      cancelled.map((queued) => queued.request),
      () => {
        for (const queued of cancelled) this.completeAndNext(queued.slot);
      },
      cancelled,
    );
  }

  private execute(rows: BatchRow[], chosen: readonly QueuedRow[]): void {
    // Releasing each request runs CompleteAndNext for its slot: the sequence's next request.
    this.runBatch(rows, () => {
      for (const p of chosen) this.completeAndNext(p.slot);
    });
  }
}
