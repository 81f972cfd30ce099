/*
 * Triton's SequenceBatchScheduler (spec §3–§8, §11) on injected time. This file routes requests
 * (Enqueue: slot, backlog or a free slot) and wires the parts, each in a file named for it:
 *   request-validation.ts  which requests Enqueue refuses (spec §4 steps 1–6)
 *   backlog.ts             sequences waiting for a slot, oldest first; backlog timeouts
 *   reaper.ts              the idle reaper: where it decides to force-end a sequence
 *   slot-release.ts        where a slot is released and who gets it next (spec §5)
 *   in-place-update.ts     instances added and removed by a model update
 *   direct.ts, oldest.ts   the per-instance batcher threads of the two strategies
 *   slot-heap.ts           the free-slot pool (libstdc++ heap order)
 *
 * Where Triton leaves timing open, seqsim chooses (kept in sync with CHOICES.md):
 * - Threads are tasks. Every wake-up of a Triton thread (instance batcher `batch:I<n>`, reaper,
 *   clean-up) is a task on the Timers, never a synchronous call, so same-microsecond events are
 *   choice points the simulator decides from the seed: an arrival may or may not join the batch
 *   an instance forms at that instant. At most one wake-up per thread is pending.
 * - Slot heap: the free-slot pool emulates libstdc++'s std::priority_queue exactly (ties between
 *   instances fall out of heap mechanics); `slotOrder: 'instance-major'` is the simple alternative.
 * - Reaper and backlog timeouts: see reaper.ts.
 * - Direct delay: fires when age > max_queue_delay (strict, as Triton's ns comparison); a waiting
 *   batcher sleeps to the first integer µs where that holds (earliest + delay + 1). Triton's
 *   500 ms idle poll is not simulated: an idle batcher wakes only when work arrives.
 * - Oldest's inner dynamic batcher forms a batch only when its instance is free (Triton may
 *   build the next payload while one executes; spec §5B calls this the steady-state equivalent).
 * - CANCELLED responses come from a clean-up task at the same virtual time (Triton's clean-up
 *   thread delivers them asynchronously); for Oldest's inner batcher the request's release
 *   (CompleteAndNext) runs in that task right after its response.
 */
import { assert } from '../core/assert.ts';
import type { TritonError } from '../core/errors.ts';
import { startConflictWarning, tritonErrors } from '../core/errors.ts';
import type { ReleaseReason } from '../core/events.ts';
import { correlationKey, formatCorrelationId } from '../core/ids.ts';
import type { InferRequest, InferResult } from '../core/request.ts';
import type { ModelConfig } from '../config/types.ts';
import { makeFreeSlotPool, type FreeSlotPool, type SlotRef } from './slot-heap.ts';
import { occupantOf, type InstanceBatcher, type Occupant, type SlotItem } from './slot-queue.ts';
import { DirectBatcher } from './direct.ts';
import { OldestBatcher } from './oldest.ts';
import { Backlog, type BacklogQueue } from './backlog.ts';
import { DirectDelayTable, type SchedulerTestHooks } from './delay-hook.ts';
import { IdleReaper } from './reaper.ts';
import { releaseSequenceSlot, type SlotReleasePort } from './slot-release.ts';
import { InPlaceUpdate } from './in-place-update.ts';
import { enqueueError } from './request-validation.ts';
import type { BatcherDeps, BatcherOptions, HeldSlot, SchedulerContext } from './scheduler-context.ts';

export type { BatcherDeps, BatcherOptions, HeldSlot, SchedulerContext } from './scheduler-context.ts';
export type { BacklogQueue } from './backlog.ts';
export { BACKLOG_IDLE_RECHECK_US } from './reaper.ts';
export { MAX_STRING_ID_LENGTH } from './request-validation.ts';

export class SequenceBatchScheduler implements SchedulerContext {
  protected readonly freeSlots: FreeSlotPool;
  /** Indexed by instance trace number; a destroyed instance leaves a hole. */
  private readonly batchers: (InstanceBatcher | undefined)[] = [];
  /** Each id's slot, from assignment until its END is enqueued, it is reaped or cancelled. */
  protected readonly slotOf = new Map<string, SlotRef>();
  protected readonly backlog: Backlog;
  private readonly reaper: IdleReaper;
  private readonly update: InPlaceUpdate;
  private readonly release: SlotReleasePort;
  private stopped = false;
  private destroyed = false;
  private batchCounter = 0;
  readonly testHooks: SchedulerTestHooks | undefined;
  readonly delayTable: DirectDelayTable | undefined;

  constructor(
    readonly model: ModelConfig,
    readonly deps: BatcherDeps,
    private readonly options: BatcherOptions = {},
  ) {
    assert(model.instanceCount >= 1, 'a model has at least one instance');
    const ids = options.instanceIds ?? Array.from({ length: model.instanceCount }, (_, i) => i);
    assert(ids.length === model.instanceCount, 'one trace number per instance');
    this.freeSlots = makeFreeSlotPool(options.slotOrder ?? 'triton-heap', ids, model.slotsPerInstance);
    this.backlog = new Backlog(deps.events, (atUs) => this.reaper.wakeBy(atUs));
    this.testHooks = options.testHooks !== undefined && options.testHooks.delaySchedulerRequests > 0 ? options.testHooks : undefined;
    this.delayTable =
      this.testHooks !== undefined && model.strategy.kind === 'direct' ? new DirectDelayTable(this.testHooks, () => this.backlog.queuedRequests()) : undefined;
    this.reaper = new IdleReaper(deps, model.maxSequenceIdleUs, {
      slotOf: this.slotOf,
      backlog: this.backlog,
      batcher: (instance) => this.batchers[instance],
      expireBacklogs: (nowUs) => this.backlog.expireDue(nowUs, (queue) => this.expire(queue)),
      keepsWatchingIdleBacklogged: (key) => this.keepsWatchingIdleBacklogged(key),
    });
    this.update = new InPlaceUpdate(
      {
        deps,
        slotsPerInstance: model.slotsPerInstance,
        freeSlots: this.freeSlots,
        batchers: this.batchers,
        slotOf: this.slotOf,
        createBatcher: (instance) => this.createBatcher(instance),
        retireInstance: (instance, heldSlots) => this.retireInstance(instance, heldSlots),
        modelDestroyed: () => this.destroyed,
        onInstanceDestroyed: options.onInstanceDestroyed,
      },
      ids.length,
    );
    this.release = {
      events: deps.events,
      slotOf: this.slotOf,
      freeSlots: this.freeSlots,
      backlog: this.backlog,
      forgetCancelledId: (key) => this.forgetCancelledId(key),
      cancelAll: (requests) => this.cancelAll(requests),
      popBacklog: () => this.popBacklog(),
      dropIfRemoved: (instance, slot) => {
        if (!this.update.isRemoving(instance)) return false;
        this.dropRemovedSlot(instance, slot);
        return true;
      },
    };
    for (const instance of ids) this.batchers[instance] = this.createBatcher(instance);
  }

  /** One per-instance batcher thread (overridden by the bug zoo's variants). */
  protected createBatcher(instance: number): InstanceBatcher {
    return this.model.strategy.kind === 'direct' ? new DirectBatcher(this, instance) : new OldestBatcher(this, instance);
  }

  nextBatchNumber(): number {
    return this.options.nextBatchNumber !== undefined ? this.options.nextBatchNumber() : this.batchCounter++;
  }

  // ---- Requests in (spec §4) ----

  /** A request reaches the scheduler (Triton's Enqueue, spec §4). Returns a synchronous error or null. */
  enqueue(request: InferRequest): TritonError | null {
    const { clock, events } = this.deps;
    const now = clock.nowUs();
    assert(!this.destroyed, 'a destroyed model gets no request');
    request.arrivalUs = now;
    if (events.enabled) events.emit({ type: 'arrive', request: request.id });
    const error = enqueueError(this.model, request, this.stopped);
    if (error !== null) return this.reject(request, error);
    const key = correlationKey(request.correlationId);
    const slot = this.slotOf.get(key);
    const waiting = this.backlog.queueOf(key);
    if (!request.start && slot === undefined && waiting === undefined) {
      return this.reject(request, tritonErrors.missingStart(formatCorrelationId(request.correlationId), this.model.name));
    }
    this.touchIdleClock(key, now);
    if (request.start && (slot !== undefined || waiting !== undefined)) {
      // Accepted silently (spec §4 step 9): the old sequence's queued work runs first, then this
      // request restarts the slot's state with START=true.
      events.emit({ type: 'warning', message: startConflictWarning(formatCorrelationId(request.correlationId), this.model.name), sequence: request.sequence });
    }
    if (slot !== undefined) {
      this.enqueueToSlot(key, slot, request);
    } else if (waiting !== undefined) {
      this.backlog.append(key, waiting, request);
      this.delayTable?.changed();
    } else {
      const free = this.freeSlots.pop();
      if (free === undefined) {
        this.backlog.open(key, request);
        this.delayTable?.changed();
      } else {
        this.slotOf.set(key, free);
        events.emit({ type: 'assign', sequence: request.sequence, instance: free.instance, slot: free.slot });
        this.enqueueToSlot(key, free, request);
      }
    }
    return null;
  }

  /** The client cancelled `request`; Triton only notices at queue fronts (spec §8). */
  cancel(request: InferRequest): void {
    if (request.answered === true) return;
    request.cancelled = true;
  }

  /** Server stop (spec §11): from now on, only requests without START are accepted. */
  stop(): void {
    this.stopped = true;
  }

  /** Triton's in-flight count for shutdown: sequences holding a slot whose END is not enqueued. */
  inflightSequenceCount(): number {
    return this.slotOf.size;
  }

  occupancy(): { heldSlots: number; freeSlots: number; backlogQueues: number; queuedRequests: number; batchesInFlight: number } {
    let queuedRequests = 0;
    let batchesInFlight = 0;
    for (const batcher of this.batchers) {
      if (batcher === undefined) continue;
      queuedRequests += batcher.queuedRequests();
      if (batcher.inFlight()) batchesInFlight++;
    }
    queuedRequests += this.backlog.queuedRequests();
    return {
      heldSlots: this.update.liveSlots - this.freeSlots.size,
      freeSlots: this.freeSlots.size,
      backlogQueues: this.backlog.waitingQueues,
      queuedRequests,
      batchesInFlight,
    };
  }

  private reject(request: InferRequest, error: TritonError): TritonError {
    request.answered = true;
    this.deps.events.emit({ type: 'reject', request: request.id, code: error.code, message: error.message });
    return error;
  }

  private enqueueToSlot(key: string, slot: SlotRef, request: InferRequest): void {
    // END frees the id at enqueue time, before it executes (spec §4 step 11).
    if (request.end) this.slotOf.delete(key);
    const batcher = this.batchers[slot.instance];
    assert(batcher !== undefined, 'a sequence holds a slot of a live instance');
    // The slot's occupant usually is this sequence already: reuse it rather than allocate.
    const current = batcher.occupant(slot.slot);
    batcher.enqueue(slot.slot, current !== undefined && current.key === key ? current : occupantOf(request, key), request);
  }

  // ---- Responses and slot release (spec §5, §8) ----

  /** §5: ReleaseSequenceSlot (slot-release.ts). */
  releaseSlot(instance: number, slot: number, queue: SlotItem[], reason: ReleaseReason, occupant: Occupant | undefined): Occupant | undefined {
    return releaseSequenceSlot(this.release, instance, slot, queue, reason, occupant);
  }

  cancelAll(requests: readonly InferRequest[], afterwards?: () => void, about?: unknown): void {
    if (requests.length === 0) return;
    const batch = [...requests];
    // Marked answered now, so a client cancel arriving before the clean-up task is a no-op.
    for (const request of batch) request.answered = true;
    this.deps.timers.schedule(this.deps.clock.nowUs(), { label: 'cleanup', channel: 'cleanup', about: [batch, about] }, () => {
      for (const request of batch) this.deps.responses.respond(request, { error: tritonErrors.cancelled() });
      afterwards?.();
    });
  }

  respond(request: InferRequest, result: InferResult): void {
    assert(request.answered !== true, 'a request is answered once');
    request.answered = true;
    this.deps.responses.respond(request, result);
  }

  /** A backlog queue's request timeout passed (spec §7): its requests are answered with the timeout error. */
  protected expire(queue: BacklogQueue): void {
    this.deps.events.emit({
      type: 'release',
      sequence: queue.occupant.sequence,
      instance: null,
      slot: null,
      reason: 'expired',
      first_request: queue.requests[0]!.id,
    });
    for (const request of queue.requests) if (this.expiryAnswers(request)) this.respond(request, { error: tritonErrors.backlogTimeout() });
  }

  /** Whether an expired backlog request gets the timeout answer: every one does (a zoo bug skips cancelled ones). */
  protected expiryAnswers(_request: BacklogQueue['requests'][number]): boolean {
    return true;
  }

  // ---- Steps the bug zoo (sim/zoo/variants.ts) replaces ----

  /**
   * Cancellation release (core PR #341): forget the id so the reaper cannot release the slot a
   * second time. Like Triton, this erases the id even if it now maps to another sequence.
   */
  protected forgetCancelledId(key: string): void {
    this.slotOf.delete(key);
    this.reaper.forget(key);
  }

  /** The backlog queue a freed slot goes to: the oldest waiting one. */
  protected popBacklog(): BacklogQueue | undefined {
    return this.backlog.popOldest();
  }

  /** Restarts an id's idle clock: Triton does so on every accepted arrival (spec §4 step 8). */
  protected touchIdleClock(key: string, nowUs: number): void {
    this.reaper.touch(key, nowUs);
  }

  /**
   * An idle-expired id waits in the backlog: the reaper keeps its idle clock and re-checks it every
   * 50 ms (Triton's polling, server#8449), so it is reaped as soon as it holds a slot.
   */
  protected keepsWatchingIdleBacklogged(_key: string): boolean {
    return true;
  }

  /** Whether an id currently owns a slot (for variants that hook the idle clock). */
  protected holdsSlot(key: string): boolean {
    return this.slotOf.has(key);
  }

  /** Marks an instance removed with `heldSlots` still serving; destroyed once they are gone. */
  protected retireInstance(instance: number, heldSlots: number): void {
    this.update.retire(instance, heldSlots);
  }

  /** A removed instance's slot was released: deleted, never refilled nor returned to the pool. */
  protected dropRemovedSlot(instance: number, slot: number): void {
    this.update.dropRemovedSlot(instance, slot);
  }

  // ---- Model update and destruction (in-place-update.ts; spec triton-model-update.md) ----

  /** New instances, each with its slots in the free pool (rule 3). */
  addInstances(instances: readonly number[]): void {
    assert(!this.destroyed, 'a destroyed model takes no update');
    this.update.addInstances(instances);
  }

  /** Removed instances: free slots go at once, held ones when released (rule 4). */
  removeInstances(instances: readonly number[]): void {
    this.update.removeInstances(instances);
  }

  batchCompleted(instance: number): void {
    this.update.batchCompleted(instance);
  }

  /** Whether `instance` was removed by an update and is not destroyed yet. */
  isRemoving(instance: number): boolean {
    return this.update.isRemoving(instance);
  }

  /**
   * The model object is destroyed (its last request released after a reload or unload): the
   * reaper stops and the slots still held simply cease to exist (spec rule 7). Returns them.
   */
  destroy(): HeldSlot[] {
    assert(!this.destroyed, 'a model is destroyed once');
    this.destroyed = true;
    this.reaper.stop();
    const held: HeldSlot[] = [];
    for (const batcher of this.batchers) {
      if (batcher === undefined) continue;
      // A reaper marker still queued holds no model reference (update spec rule 7): it is dropped.
      batcher.exit();
      for (let slot = 0; slot < this.model.slotsPerInstance; slot++) {
        const occupant = batcher.occupant(slot);
        if (occupant !== undefined) held.push({ instance: batcher.instance, slot, occupant });
      }
    }
    return held;
  }

  /** Trace numbers of the instances not destroyed (removed ones still serving included). */
  liveInstances(): number[] {
    return this.batchers.flatMap((batcher) => (batcher === undefined ? [] : [batcher.instance]));
  }
}
