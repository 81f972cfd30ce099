import { assert } from '../core/assert.ts';
import type { BatchRow, ExecuteResult, TimerHandle } from '../core/ports.ts';
import type { OldestStrategy } from '../config/types.ts';
import type { InferRequest } from '../core/request.ts';
import { tritonErrors } from '../core/errors.ts';
import { decideBatch, type PendingRequest } from './dynamic-batcher.ts';
import { respondToRows } from './direct.ts';
import { SlotStates } from './implicit-state.ts';
import { requestRow, traceRows } from './rows.ts';
import { REAP_MARKER, type InstanceBatcher, type Occupant, type SlotItem } from './slot-queue.ts';
import type { SchedulerContext } from './scheduler.ts';

const MAX_RELEASE_PASSES = 10_000_000;

/**
 * Triton's OldestSequenceBatch (spec §5B) for one instance: candidate slots feed one private
 * dynamic batcher, at most one request per sequence inside it; a sequence's next request is
 * dispatched only when the previous one is released (after its batch ran).
 */
export class OldestBatcher implements InstanceBatcher {
  private readonly queues: SlotItem[][] = [];
  private readonly occupants: (Occupant | undefined)[] = [];
  private readonly dispatched: boolean[] = [];
  private readonly states: SlotStates;
  private readonly strategy: OldestStrategy;
  private pending: PendingRequest[] = [];
  private readonly label: string;
  private readonly delayLabel: string;
  private readonly channel: string;
  private executing = false;
  private wakeTask: TimerHandle | undefined;
  private delayTimer: TimerHandle | undefined;

  constructor(
    private readonly scheduler: SchedulerContext,
    readonly instance: number,
  ) {
    const { model } = scheduler;
    assert(model.strategy.kind === 'oldest', 'OldestBatcher runs the oldest strategy');
    this.strategy = model.strategy;
    for (let slot = 0; slot < model.slotsPerInstance; slot++) {
      this.queues.push([]);
      this.occupants.push(undefined);
      this.dispatched.push(false);
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
    if (!this.dispatched[slot]) this.completeAndNext(slot);
  }

  occupant(slot: number): Occupant | undefined {
    return this.occupants[slot];
  }

  queuedRequests(): number {
    return this.pending.length + this.queues.reduce((sum, queue) => sum + queue.filter((item) => item !== REAP_MARKER).length, 0);
  }

  inFlight(): boolean {
    return this.executing;
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

  private wake(): void {
    if (this.executing || this.wakeTask !== undefined) return;
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

  private formBatch(): void {
    assert(!this.executing, 'one batch in flight per instance');
    this.dropCancelled();
    const { model, deps } = this.scheduler;
    const now = deps.clock.nowUs();
    const decision = decideBatch(this.pending, this.strategy, model.maxBatchSize, now);
    if ('waitUntilUs' in decision) {
      this.delayTimer = deps.timers.schedule(decision.waitUntilUs, { label: this.delayLabel, channel: this.channel }, () => {
        this.delayTimer = undefined;
        this.wake();
      });
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
      // Releasing each request runs CompleteAndNext for its slot: the sequence's next request.
      for (const p of chosen) this.completeAndNext(p.slot);
      this.wake();
    });
  }
}
