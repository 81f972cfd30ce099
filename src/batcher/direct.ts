import { assert } from '../core/assert.ts';
import type { BatchRow, ExecuteResult, TimerHandle } from '../core/ports.ts';
import { SlotStates } from './implicit-state.ts';
import { paddingRow, requestRow, traceRows } from './rows.ts';
import { REAP_MARKER, type InstanceBatcher, type Occupant, type SlotItem } from './slot-queue.ts';
import type { SchedulerContext } from './scheduler.ts';
import type { DirectStrategy } from '../config/types.ts';

/**
 * Triton's DirectSequenceBatch (spec §5A) for one instance: one FIFO queue per slot, batch row k
 * is slot k, padding below the highest pending slot, one batch in flight.
 */
export class DirectBatcher implements InstanceBatcher {
  private readonly queues: SlotItem[][] = [];
  private readonly occupants: (Occupant | undefined)[] = [];
  private readonly states: SlotStates;
  private readonly strategy: DirectStrategy;
  private readonly label: string;
  private readonly delayLabel: string;
  private readonly channel: string;
  private maxActiveSlot = -1;
  private executing = false;
  private wakeTask: TimerHandle | undefined;
  private delayTimer: TimerHandle | undefined;

  constructor(
    private readonly scheduler: SchedulerContext,
    readonly instance: number,
  ) {
    const { model } = scheduler;
    assert(model.strategy.kind === 'direct', 'DirectBatcher runs the direct strategy');
    this.strategy = model.strategy;
    for (let slot = 0; slot < model.slotsPerInstance; slot++) {
      this.queues.push([]);
      this.occupants.push(undefined);
    }
    this.states = new SlotStates(model.slotsPerInstance, model.initialStateValue);
    this.label = `batch:I${instance}`;
    this.delayLabel = `batch:I${instance}:delay`;
    this.channel = `batcher:I${instance}`;
  }

  enqueue(slot: number, occupant: Occupant, item: SlotItem): void {
    assert(slot >= 0 && slot < this.queues.length, 'slot index within the instance');
    this.queues[slot]!.push(item);
    this.occupants[slot] = occupant;
    this.maxActiveSlot = Math.max(this.maxActiveSlot, slot);
    this.wake();
  }

  occupant(slot: number): Occupant | undefined {
    return this.occupants[slot];
  }

  queuedRequests(): number {
    return this.queues.reduce((sum, queue) => sum + queue.filter((item) => item !== REAP_MARKER).length, 0);
  }

  inFlight(): boolean {
    return this.executing;
  }

  /** The batcher thread is notified; it runs as a task so same-instant arrivals race it. */
  private wake(): void {
    if (this.executing || this.wakeTask !== undefined) return;
    if (this.delayTimer !== undefined) {
      this.scheduler.deps.timers.cancel(this.delayTimer);
      this.delayTimer = undefined;
    }
    const { clock, timers } = this.scheduler.deps;
    this.wakeTask = timers.schedule(clock.nowUs(), { label: this.label, channel: this.channel }, () => {
      this.wakeTask = undefined;
      // A wake-up raised while this task was forming a batch finds the instance busy: the
      // batch's completion wakes the batcher again.
      if (!this.executing) this.formBatch();
    });
  }

  /** One iteration of Triton's batcher loop. */
  private formBatch(): void {
    assert(!this.executing, 'one batch in flight per instance');
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
      } else if (front !== undefined && front.cancelled) {
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
    this.execute(rows);
  }

  /** §5A step 3: strict `>` on the oldest request's age, `>=` on slot utilisation. */
  private shouldFire(now: number, earliestUs: number, readyCount: number): boolean {
    const { maxQueueDelayUs, minimumSlotUtilization } = this.strategy;
    if (maxQueueDelayUs === 0 || minimumSlotUtilization === 0) return true;
    const ageUs = now - earliestUs;
    if (ageUs > maxQueueDelayUs) return true;
    if (readyCount / Math.max(1, this.scheduler.model.maxBatchSize) >= minimumSlotUtilization) return true;
    // Sleep until the age passes the delay: the first integer µs where it is strictly greater.
    const { timers } = this.scheduler.deps;
    if (this.delayTimer !== undefined) timers.cancel(this.delayTimer);
    this.delayTimer = timers.schedule(earliestUs + maxQueueDelayUs + 1, { label: this.delayLabel, channel: this.channel }, () => {
      this.delayTimer = undefined;
      this.wake();
    });
    return false;
  }

  /** §5A step 4: the front request of a slot, or a null request when the slot has nothing ready. */
  private takeRow(slot: number): BatchRow {
    const { model } = this.scheduler;
    const queue = this.queues[slot]!;
    const front = queue[0];
    if (front === undefined || front === REAP_MARKER) return paddingRow(model, slot);
    queue.shift();
    const row = requestRow(model, slot, front, this.states.forRow(slot, front.start));
    // END releases the slot as soon as it is placed in a batch; a backlog sequence moved in
    // now only becomes eligible in the next batch.
    if (front.end) this.release(slot, 'end');
    return row;
  }

  private release(slot: number, reason: 'end' | 'idle-timeout' | 'cancel'): void {
    const next = this.scheduler.releaseSlot(this.instance, slot, this.queues[slot]!, reason, this.occupants[slot]);
    this.occupants[slot] = next;
    if (next !== undefined) this.maxActiveSlot = Math.max(this.maxActiveSlot, slot);
  }

  private recomputeMaxActiveSlot(): void {
    while (this.maxActiveSlot >= 0 && this.occupants[this.maxActiveSlot] === undefined) this.maxActiveSlot--;
  }

  private execute(rows: BatchRow[]): void {
    const { deps } = this.scheduler;
    const batch = this.scheduler.nextBatchNumber();
    this.executing = true;
    deps.events.emit({ type: 'execute', instance: this.instance, batch, rows: traceRows(rows) });
    let completed = false;
    deps.executor.execute({ instance: this.instance, batch, rows }, (result: ExecuteResult) => {
      assert(!completed, 'an executor completes a batch once');
      completed = true;
      deps.events.emit({ type: 'complete', instance: this.instance, batch, ok: result.ok });
      respondToRows(this.scheduler, rows, result);
      this.executing = false;
      this.wake();
    });
  }
}

/** Every real row gets its output, or the batch's error; padding rows answer nobody. */
export function respondToRows(scheduler: SchedulerContext, rows: readonly BatchRow[], result: ExecuteResult): void {
  rows.forEach((row, index) => {
    if (row.request === null) return;
    if (!result.ok) {
      scheduler.respond(row.request, { error: result.error });
      return;
    }
    const output = result.outputs[index];
    assert(output !== undefined && output !== null, 'the executor answers every real row');
    scheduler.respond(row.request, { output });
  });
}
