import { assert } from '../core/assert.ts';
import type { BatchRow, ExecuteResult, TimerHandle } from '../core/ports.ts';
import type { SlotState } from '../core/request.ts';
import { DELAY_POLL_US } from './delay-hook.ts';
import { SlotStates } from './implicit-state.ts';
import { traceRows } from './rows.ts';
import { REAP_MARKER, type InstanceBatcher, type Occupant, type SlotItem } from './slot-queue.ts';
import type { SchedulerContext } from './scheduler-context.ts';

/**
 * What Direct and Oldest share for one model instance: a FIFO queue, occupant and implicit state
 * per slot, and Triton's per-instance batcher thread as a task that wakes on demand, sleeps until a
 * delay passes, and keeps one batch in flight.
 */
export abstract class BatcherThread implements InstanceBatcher {
  protected readonly queues: SlotItem[][] = [];
  protected readonly occupants: (Occupant | undefined)[] = [];
  protected readonly states: SlotStates;
  private readonly label: string;
  private readonly delayLabel: string;
  private readonly channel: string;
  private executing = false;
  /** Set when the model is destroyed: Triton joins the batcher thread, nothing more runs here. */
  private exited = false;
  private wakeTask: TimerHandle | undefined;
  private delayTimer: TimerHandle | undefined;
  /** TRITONSERVER_DELAY_SCHEDULER holds this thread (one-shot: cleared for good once released). */
  private heldByHook: boolean;

  constructor(
    protected readonly scheduler: SchedulerContext,
    readonly instance: number,
  ) {
    const { model } = scheduler;
    for (let slot = 0; slot < model.slotsPerInstance; slot++) {
      this.queues.push([]);
      this.occupants.push(undefined);
    }
    this.states = new SlotStates(model.slotsPerInstance, model.initialStateValue);
    this.label = `batch:I${instance}`;
    this.delayLabel = `batch:I${instance}:delay`;
    this.channel = `batcher:I${instance}`;
    this.heldByHook = (scheduler.testHooks?.delaySchedulerRequests ?? 0) > 0;
  }

  /** While held: whether the hook's condition is still unmet, given this thread's queued count. */
  protected abstract hookKeepsWaiting(queued: number): boolean;

  /**
   * Runs first in each batcher iteration: true while the test hook holds the thread (nothing is
   * batched or released). The iteration that finds the condition met switches the hook off and
   * waits like Triton's (DELAY_POLL_US, or until the next enqueue) before forming a batch.
   */
  protected heldByTestHook(queued: number): boolean {
    if (!this.heldByHook) return false;
    if (this.hookKeepsWaiting(queued)) return true;
    this.heldByHook = false;
    this.sleepUntil(this.scheduler.deps.clock.nowUs() + DELAY_POLL_US);
    return true;
  }

  /** A held thread looks again in DELAY_POLL_US, unless a look is already due. */
  protected pollHook(): void {
    if (this.exited || this.delayTimer !== undefined || this.wakeTask !== undefined) return;
    this.sleepUntil(this.scheduler.deps.clock.nowUs() + DELAY_POLL_US);
  }

  abstract enqueue(slot: number, occupant: Occupant, item: SlotItem): void;

  /** One iteration of Triton's batcher loop; runs only while no batch is in flight. */
  protected abstract formBatch(): void;

  occupant(slot: number): Occupant | undefined {
    return this.occupants[slot];
  }

  queuedRequests(): number {
    return this.queues.reduce((sum, queue) => sum + queue.filter((item) => item !== REAP_MARKER).length, 0);
  }

  inFlight(): boolean {
    return this.executing;
  }

  protected appendToSlot(slot: number, occupant: Occupant, item: SlotItem): void {
    assert(slot >= 0 && slot < this.queues.length, 'slot index within the instance');
    // The reaper's marker goes to the back too: queued work still runs (spec §6).
    this.queues[slot]!.push(item);
    this.occupants[slot] = occupant;
  }

  /** The slot state a real row reads and updates; START restarts it (spec §9). */
  protected stateForRow(slot: number, start: boolean): SlotState {
    return this.states.forRow(slot, start);
  }

  exit(): void {
    assert(!this.executing, 'a model is destroyed after its last batch completed');
    this.exited = true;
    const { timers } = this.scheduler.deps;
    if (this.wakeTask !== undefined) timers.cancel(this.wakeTask);
    if (this.delayTimer !== undefined) timers.cancel(this.delayTimer);
    this.wakeTask = undefined;
    this.delayTimer = undefined;
  }

  /** The batcher thread is notified; it runs as a task so same-instant arrivals race it. */
  protected wake(): void {
    if (this.exited || this.executing || this.wakeTask !== undefined) return;
    const { clock, timers } = this.scheduler.deps;
    if (this.delayTimer !== undefined) {
      timers.cancel(this.delayTimer);
      this.delayTimer = undefined;
    }
    this.wakeTask = timers.schedule(clock.nowUs(), { label: this.label, channel: this.channel }, () => {
      this.wakeTask = undefined;
      // A wake-up raised while this task was forming a batch finds the instance busy: the
      // batch's completion wakes the batcher again.
      if (!this.executing) this.formBatch();
    });
  }

  /** Sleeps until `atUs` unless woken earlier (Triton's timed condition-variable wait). */
  protected sleepUntil(atUs: number): void {
    const { timers } = this.scheduler.deps;
    if (this.delayTimer !== undefined) timers.cancel(this.delayTimer);
    this.delayTimer = timers.schedule(atUs, { label: this.delayLabel, channel: this.channel }, () => {
      this.delayTimer = undefined;
      this.wake();
    });
  }

  /** Hands a batch to the executor; `released` runs when it completed (ok or failed), before the next wake-up. */
  protected runBatch(rows: BatchRow[], released: (ok: boolean) => void): void {
    assert(!this.executing, 'one batch in flight per instance');
    const { deps } = this.scheduler;
    const batch = this.scheduler.nextBatchNumber();
    this.executing = true;
    if (deps.events.enabled) deps.events.emit({ type: 'execute', instance: this.instance, batch, rows: traceRows(rows) });
    let completed = false;
    deps.executor.execute({ instance: this.instance, batch, rows }, (result: ExecuteResult) => {
      assert(!completed, 'an executor completes a batch once');
      completed = true;
      if (deps.events.enabled) deps.events.emit({ type: 'complete', instance: this.instance, batch, ok: result.ok });
      this.respondToRows(rows, result);
      this.executing = false;
      released(result.ok);
      this.wake();
      this.scheduler.batchCompleted(this.instance);
    });
  }

  /** Every real row gets its output, or the batch's error; padding rows answer nobody. */
  private respondToRows(rows: readonly BatchRow[], result: ExecuteResult): void {
    rows.forEach((row, index) => {
      if (row.request === null) return;
      if (!result.ok) {
        this.scheduler.respond(row.request, { error: result.error });
        return;
      }
      const output = result.outputs[index];
      assert(output !== undefined && output !== null, 'the executor answers every real row');
      this.scheduler.respond(row.request, { output });
    });
  }
}
