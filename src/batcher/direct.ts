import { assert } from '../core/assert.ts';
import type { BatchRow } from '../core/ports.ts';
import type { DirectStrategy } from '../config/types.ts';
import { BatcherThread } from './batcher-thread.ts';
import { paddingRow, requestRow } from './rows.ts';
import { REAP_MARKER, type Occupant, type SlotItem } from './slot-queue.ts';
import type { SchedulerContext } from './scheduler-context.ts';

/**
 * Triton's DirectSequenceBatch (spec §5A) for one instance: one FIFO queue per slot, batch row k
 * is slot k, padding below the highest pending slot, one batch in flight.
 */
export class DirectBatcher extends BatcherThread {
  private readonly strategy: DirectStrategy;
  private maxActiveSlot = -1;

  constructor(scheduler: SchedulerContext, instance: number) {
    super(scheduler, instance);
    assert(scheduler.model.strategy.kind === 'direct', 'DirectBatcher runs the direct strategy');
    this.strategy = scheduler.model.strategy;
    if (this.scheduler.delayTable !== undefined) this.scheduler.delayTable.hold(instance, () => this.pollHook());
  }

  /** DelayScheduler: this thread reports every request in its slot queues (the reaper's markers too). */
  protected hookKeepsWaiting(queued: number): boolean {
    return this.scheduler.delayTable?.keepWaiting(this.instance, queued) ?? false;
  }

  enqueue(slot: number, occupant: Occupant, item: SlotItem): void {
    this.appendToSlot(slot, occupant, item);
    this.maxActiveSlot = Math.max(this.maxActiveSlot, slot);
    this.wake();
  }

  protected formBatch(): void {
    if (this.heldByTestHook(this.queues.reduce((sum, queue) => sum + queue.length, 0))) return;
    const now = this.scheduler.deps.clock.nowUs();
    let maxSlot = -1;
    let readyCount = 0;
    let earliestUs = Number.POSITIVE_INFINITY;
    for (let slot = 0; slot <= this.maxActiveSlot; slot++) {
      const queue = this.queues[slot]!;
      const front = queue[0];
      if (front === REAP_MARKER) {
        queue.shift();
        this.release(slot, 'idle-timeout');
      } else if (front?.cancelled) {
        this.release(slot, 'cancel');
      }
      const ready = queue[0];
      if (ready !== undefined && ready !== REAP_MARKER) {
        earliestUs = Math.min(earliestUs, ready.arrivalUs);
        readyCount++;
        maxSlot = slot;
      }
    }
    if (maxSlot < 0 || !this.shouldFire(now, earliestUs, readyCount)) {
      this.recomputeMaxActiveSlot();
      return;
    }
    const rows: BatchRow[] = [];
    for (let slot = 0; slot <= maxSlot; slot++) rows.push(this.takeRow(slot));
    this.recomputeMaxActiveSlot();
    this.runBatch(rows, () => {});
  }

  /** §5A step 3: strict `>` on the oldest request's age, `>=` on slot utilisation. */
  private shouldFire(now: number, earliestUs: number, readyCount: number): boolean {
    const { maxQueueDelayUs, minimumSlotUtilization } = this.strategy;
    if (maxQueueDelayUs === 0 || minimumSlotUtilization === 0) return true;
    if (now - earliestUs > maxQueueDelayUs) return true;
    if (readyCount / Math.max(1, this.scheduler.model.maxBatchSize) >= minimumSlotUtilization) return true;
    // Sleep until the age passes the delay: the first integer µs where it is strictly greater.
    this.sleepUntil(earliestUs + maxQueueDelayUs + 1);
    return false;
  }

  /** §5A step 4: the front request of a slot, or a null request when the slot has nothing ready. */
  private takeRow(slot: number): BatchRow {
    const { model } = this.scheduler;
    const queue = this.queues[slot]!;
    const front = queue[0];
    if (front === undefined || front === REAP_MARKER) return this.nullRow(slot);
    queue.shift();
    const row = requestRow(model, slot, front, this.stateForRow(slot, front.start));
    if (front.end) this.releaseOnEnd(slot);
    return row;
  }

  /** Triton's null request for a slot with nothing ready (READY=0, throw-away state). */
  protected nullRow(slot: number): BatchRow {
    return paddingRow(this.scheduler.model, slot);
  }

  /**
   * END releases the slot as soon as it is placed in a batch; a backlog sequence moved in now only
   * becomes eligible in the next batch.
   */
  protected releaseOnEnd(slot: number): void {
    this.release(slot, 'end');
  }

  private release(slot: number, reason: 'end' | 'idle-timeout' | 'cancel'): void {
    const next = this.scheduler.releaseSlot(this.instance, slot, this.queues[slot]!, reason, this.occupants[slot]);
    this.occupants[slot] = next;
    if (next !== undefined) this.maxActiveSlot = Math.max(this.maxActiveSlot, slot);
  }

  private recomputeMaxActiveSlot(): void {
    while (this.maxActiveSlot >= 0 && this.occupants[this.maxActiveSlot] === undefined) this.maxActiveSlot--;
  }
}
