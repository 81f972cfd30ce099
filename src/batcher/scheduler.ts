/*
 * Triton's SequenceBatchScheduler (spec §3–§8, §11) on injected time.
 *
 * Where Triton leaves timing open, seqsim chooses (kept in sync with CHOICES.md):
 * - Threads are tasks. Every wake-up of a Triton thread (instance batcher `batch:I<n>`, reaper,
 *   clean-up) is a task on the Timers, never a synchronous call, so same-microsecond events are
 *   choice points the simulator decides from the seed: an arrival may or may not join the batch
 *   an instance forms at that instant. At most one wake-up per thread is pending.
 * - Slot heap: the free-slot pool emulates libstdc++'s std::priority_queue exactly (ties between
 *   instances fall out of heap mechanics); `slotOrder: 'instance-major'` is the simple alternative.
 * - Reaper: reaps at exactly last_arrival + max_sequence_idle_microseconds (Triton: the first
 *   check at or after it, ≈ +1 µs). While an idle-expired sequence waits in the backlog it
 *   re-checks every 50 ms (Triton's polling, server#8449). It only runs while an id it watches
 *   holds a slot or waits in the backlog; ended ids are pruned at its next run (Triton keeps them
 *   until they are idle, which changes nothing observable), so finished runs go quiescent.
 * - Backlog request timeouts are checked by the same reaper task at exactly the expiration time.
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
import type { EventSink, ReleaseReason } from '../core/events.ts';
import { correlationKey, formatCorrelationId, isNullCorrelationId } from '../core/ids.ts';
import type { Clock, Executor, ResponseSink, TimerHandle, Timers } from '../core/ports.ts';
import type { InferRequest, InferResult } from '../core/request.ts';
import type { ModelConfig } from '../config/types.ts';
import { corridTypeError } from './controls.ts';
import { makeFreeSlotPool, pushInstanceSlots, type FreeSlotPool, type SlotOrder, type SlotRef } from './slot-heap.ts';
import { occupantOf, REAP_MARKER, type InstanceBatcher, type Occupant, type SlotItem } from './slot-queue.ts';
import { DirectBatcher } from './direct.ts';
import { OldestBatcher } from './oldest.ts';

export interface BatcherDeps {
  readonly clock: Clock;
  readonly timers: Timers;
  readonly executor: Executor;
  readonly responses: ResponseSink;
  readonly events: EventSink;
}

export interface BatcherOptions {
  /** Free-slot tie-break: Triton's libstdc++ heap order (default) or lowest instance first. */
  readonly slotOrder?: SlotOrder;
  /**
   * Trace numbers of the initial instances (default 0…n-1). Instances are numbered across a run
   * and never reused, so a reloaded model's instances get fresh numbers.
   */
  readonly instanceIds?: readonly number[];
  /** Batch numbers shared by every model object of a run (default: this scheduler's own counter). */
  readonly nextBatchNumber?: () => number;
  /** A removed instance's batcher was destroyed: its last slot and queued work are gone (spec rule 4). */
  readonly onInstanceDestroyed?: (instance: number) => void;
}

/** A slot a sequence holds, as a destroyed model leaves it (release reason `destroyed`). */
export interface HeldSlot {
  readonly instance: number;
  readonly slot: number;
  readonly occupant: Occupant;
}

/** Triton's longest string correlation id. */
export const MAX_STRING_ID_LENGTH = 128;
/** How often the reaper re-checks while an idle-expired sequence waits in the backlog. */
export const BACKLOG_IDLE_RECHECK_US = 50_000;

/** One waiting sequence in the backlog (Triton's backlog queue). */
export interface BacklogQueue {
  readonly occupant: Occupant;
  readonly requests: InferRequest[];
  expirationUs: number;
  expired: boolean;
}

/** Everything a per-instance batcher needs from its scheduler. */
export interface SchedulerContext {
  readonly model: ModelConfig;
  readonly deps: BatcherDeps;
  /** §5: release a slot; returns the backlog sequence moved into it, if any. */
  releaseSlot(instance: number, slot: number, queue: SlotItem[], reason: ReleaseReason, occupant: Occupant | undefined): Occupant | undefined;
  /**
   * Answers requests CANCELLED from the clean-up task, then runs `afterwards` (their release);
   * `about` is what `afterwards` acts on, for model-checking state digests.
   */
  cancelAll(requests: readonly InferRequest[], afterwards?: () => void, about?: unknown): void;
  /** Hands a response to the transport. */
  respond(request: InferRequest, result: InferResult): void;
  nextBatchNumber(): number;
  /** An instance's batch completed (a removed instance waits for it before it is destroyed). */
  batchCompleted(instance: number): void;
}

export class SequenceBatchScheduler implements SchedulerContext {
  protected readonly freeSlots: FreeSlotPool;
  /** Indexed by instance trace number; a destroyed instance leaves a hole. */
  private readonly batchers: (InstanceBatcher | undefined)[];
  protected readonly slotOf = new Map<string, SlotRef>();
  private readonly backlogOf = new Map<string, BacklogQueue>();
  /** FIFO of backlog queues; `backlogHead` skips consumed entries without O(n) shifts. */
  protected backlogs: BacklogQueue[] = [];
  protected backlogHead = 0;
  /** Arrival time of each id's latest request: Triton's correlation_id_timestamps_ (idle clock). */
  private readonly lastArrivalUs = new Map<string, number>();
  private reaperTimer: TimerHandle | undefined;
  private reaperAtUs = Number.POSITIVE_INFINITY;
  /** Backlog queues neither consumed nor expired. */
  private liveBacklogCount = 0;
  private stopped = false;
  private destroyed = false;
  private batchCounter = 0;
  /** Slots of live instances, free or held (removed instances' held slots count until released). */
  private liveSlotCount: number;
  /** Removed instances (spec rule 4) → their slots still held by a sequence. */
  private readonly removing = new Map<number, number>();
  /** Removed instances whose last slot is gone, waiting for their queued and executing work. */
  private readonly awaitingIdle = new Set<number>();

  constructor(
    readonly model: ModelConfig,
    readonly deps: BatcherDeps,
    private readonly options: BatcherOptions = {},
  ) {
    assert(model.instanceCount >= 1, 'a model has at least one instance');
    const ids = options.instanceIds ?? Array.from({ length: model.instanceCount }, (_, i) => i);
    assert(ids.length === model.instanceCount, 'one trace number per instance');
    this.freeSlots = makeFreeSlotPool(options.slotOrder ?? 'triton-heap', ids, model.slotsPerInstance);
    this.liveSlotCount = ids.length * model.slotsPerInstance;
    this.batchers = [];
    for (const instance of ids) this.batchers[instance] = this.createBatcher(instance);
  }

  /** One per-instance batcher thread (overridden by the bug zoo's variants). */
  protected createBatcher(instance: number): InstanceBatcher {
    return this.model.strategy.kind === 'direct' ? new DirectBatcher(this, instance) : new OldestBatcher(this, instance);
  }

  nextBatchNumber(): number {
    return this.options.nextBatchNumber !== undefined ? this.options.nextBatchNumber() : this.batchCounter++;
  }

  // ---- In-place update (spec: triton-model-update.md rules 2–4, SequenceBatchScheduler::Update) ----

  /**
   * New instances: a batcher each, with the same slot count, all slots straight into the free
   * pool. The backlog is not drained here: it waits for the next release (rule 3).
   */
  addInstances(instances: readonly number[]): void {
    assert(!this.destroyed, 'a destroyed model takes no update');
    for (const instance of instances) {
      assert(this.batchers[instance] === undefined, 'an added instance has a fresh trace number');
      this.batchers[instance] = this.createBatcher(instance);
    }
    pushInstanceSlots(this.freeSlots, instances, this.model.slotsPerInstance);
    this.liveSlotCount += instances.length * this.model.slotsPerInstance;
  }

  /**
   * Removed instances lose their free slots at once; occupied ones keep serving their sequence
   * until released, are then dropped, and the instance is destroyed after its last slot (rule 4).
   */
  removeInstances(instances: readonly number[]): void {
    const removed = new Set(instances);
    const freeBefore = this.freeSlots.size;
    this.freeSlots.retain((ref) => !removed.has(ref.instance));
    this.liveSlotCount -= freeBefore - this.freeSlots.size;
    for (const instance of instances) {
      const batcher = this.batchers[instance];
      assert(batcher !== undefined && !this.removing.has(instance), 'a removed instance is live');
      let held = 0;
      for (let slot = 0; slot < this.model.slotsPerInstance; slot++) if (batcher.occupant(slot) !== undefined) held++;
      this.retireInstance(instance, held);
    }
  }

  /** Marks an instance removed with `heldSlots` still serving; destroyed once they are gone. */
  protected retireInstance(instance: number, heldSlots: number): void {
    this.removing.set(instance, heldSlots);
    if (heldSlots === 0) this.destroyWhenIdle(instance);
  }

  /** A removed instance's slot was released: deleted, never refilled nor returned to the pool. */
  protected dropRemovedSlot(instance: number, slot: number): void {
    const held = this.removing.get(instance);
    assert(held !== undefined && held > 0, `a released slot I${instance}/s${slot} of a removed instance was held`);
    this.removing.set(instance, held - 1);
    this.liveSlotCount--;
    if (held === 1) this.destroyWhenIdle(instance);
  }

  /** Destruction is off the hot path (Triton's clean-up thread), after queued and executing work. */
  protected destroyWhenIdle(instance: number): void {
    this.deps.timers.schedule(this.deps.clock.nowUs(), { label: 'cleanup', channel: 'cleanup' }, () => {
      const batcher = this.batchers[instance];
      // The whole model went first: its destruction already took every instance with it.
      if (batcher === undefined || this.destroyed) return;
      if (batcher.inFlight() || batcher.queuedRequests() > 0) {
        this.awaitingIdle.add(instance);
        return;
      }
      this.destroyInstance(instance);
    });
  }

  private destroyInstance(instance: number): void {
    this.awaitingIdle.delete(instance);
    this.removing.delete(instance);
    this.batchers[instance] = undefined;
    // Only a buggy variant destroys an instance that still serves sequences: forget them.
    for (const [key, ref] of this.slotOf) if (ref.instance === instance) this.slotOf.delete(key);
    this.options.onInstanceDestroyed?.(instance);
  }

  batchCompleted(instance: number): void {
    if (this.awaitingIdle.has(instance)) this.destroyWhenIdle(instance);
  }

  /** Whether `instance` was removed by an update and is not destroyed yet. */
  isRemoving(instance: number): boolean {
    return this.removing.has(instance);
  }

  /**
   * The model object is destroyed (its last request released after a reload or unload): the
   * reaper stops and the slots still held simply cease to exist (spec rule 7). Returns them.
   */
  destroy(): HeldSlot[] {
    assert(!this.destroyed, 'a model is destroyed once');
    this.destroyed = true;
    if (this.reaperTimer !== undefined) this.deps.timers.cancel(this.reaperTimer);
    this.reaperTimer = undefined;
    this.reaperAtUs = Number.NEGATIVE_INFINITY;
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

  /** A request reaches the scheduler (Triton's Enqueue, spec §4). Returns a synchronous error or null. */
  enqueue(request: InferRequest): TritonError | null {
    const { clock, events } = this.deps;
    const now = clock.nowUs();
    assert(!this.destroyed, 'a destroyed model gets no request');
    request.arrivalUs = now;
    if (events.enabled) events.emit({ type: 'arrive', request: request.id });
    const error = this.validate(request);
    if (error !== null) return this.reject(request, error);
    const key = correlationKey(request.correlationId);
    const slot = this.slotOf.get(key);
    const backlog = this.backlogOf.get(key);
    if (!request.start && slot === undefined && backlog === undefined) {
      return this.reject(request, tritonErrors.missingStart(formatCorrelationId(request.correlationId), this.model.name));
    }
    this.touchIdleClock(key, now);
    if (request.start && (slot !== undefined || backlog !== undefined)) {
      // Accepted silently (spec §4 step 9): the old sequence's queued work runs first, then this
      // request restarts the slot's state with START=true.
      events.emit({ type: 'warning', message: startConflictWarning(formatCorrelationId(request.correlationId), this.model.name), sequence: request.sequence });
    }
    if (slot !== undefined) {
      this.enqueueToSlot(key, slot, request);
    } else if (backlog !== undefined) {
      this.appendToBacklog(key, backlog, request);
    } else {
      const free = this.freeSlots.pop();
      if (free === undefined) this.createBacklog(key, request);
      else {
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
    const total = this.liveSlotCount;
    let queuedRequests = 0;
    let batchesInFlight = 0;
    for (const batcher of this.batchers) {
      if (batcher === undefined) continue;
      queuedRequests += batcher.queuedRequests();
      if (batcher.inFlight()) batchesInFlight++;
    }
    for (let i = this.backlogHead; i < this.backlogs.length; i++) {
      const backlog = this.backlogs[i]!;
      if (!backlog.expired) queuedRequests += backlog.requests.length;
    }
    return {
      heldSlots: total - this.freeSlots.size,
      freeSlots: this.freeSlots.size,
      backlogQueues: this.liveBacklogCount,
      queuedRequests,
      batchesInFlight,
    };
  }

  private reject(request: InferRequest, error: TritonError): TritonError {
    request.answered = true;
    this.deps.events.emit({ type: 'reject', request: request.id, code: error.code, message: error.message });
    return error;
  }

  private validate(request: InferRequest): TritonError | null {
    const id = request.correlationId;
    if (id.kind === 'str' && id.value.length > MAX_STRING_ID_LENGTH) return tritonErrors.stringIdTooLong();
    const typeError = corridTypeError(this.model, request.id, id);
    if (typeError !== null) return typeError;
    if (request.batchSize > 1) return tritonErrors.batchSize(this.model.name);
    if (isNullCorrelationId(id)) return tritonErrors.nullCorrelationId(this.model.name);
    if (this.stopped && request.start) return tritonErrors.stopping();
    return null;
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

  private appendToBacklog(key: string, backlog: BacklogQueue, request: InferRequest): void {
    if (request.timeoutUs > 0) this.shortenExpiration(backlog, request.arrivalUs + request.timeoutUs);
    backlog.requests.push(request);
    if (request.end) this.backlogOf.delete(key);
  }

  private createBacklog(key: string, request: InferRequest): void {
    const backlog: BacklogQueue = { occupant: occupantOf(request, key), requests: [request], expirationUs: Number.POSITIVE_INFINITY, expired: false };
    this.backlogs.push(backlog);
    this.liveBacklogCount++;
    if (!request.end) this.backlogOf.set(key, backlog);
    this.deps.events.emit({ type: 'backlog', sequence: request.sequence });
    if (request.timeoutUs > 0) this.shortenExpiration(backlog, request.arrivalUs + request.timeoutUs);
  }

  private shortenExpiration(backlog: BacklogQueue, expirationUs: number): void {
    if (expirationUs >= backlog.expirationUs) return;
    backlog.expirationUs = expirationUs;
    this.wakeReaperBy(expirationUs);
  }

  /** §5: ReleaseSequenceSlot. */
  releaseSlot(instance: number, slot: number, queue: SlotItem[], reason: ReleaseReason, occupant: Occupant | undefined): Occupant | undefined {
    const { events } = this.deps;
    if (occupant !== undefined) events.emit({ type: 'release', sequence: occupant.sequence, instance, slot, reason });
    const front = queue[0];
    if (front !== undefined && front !== REAP_MARKER) this.forgetCancelledId(correlationKey(front.correlationId));
    const leftovers = queue.splice(0, queue.length).filter((item): item is InferRequest => item !== REAP_MARKER);
    this.cancelAll(leftovers);
    if (this.removing.has(instance)) {
      this.dropRemovedSlot(instance, slot);
      return undefined;
    }
    for (;;) {
      const backlog = this.popBacklog();
      if (backlog === undefined) break;
      this.liveBacklogCount--;
      const key = backlog.occupant.key;
      const last = backlog.requests[backlog.requests.length - 1]!;
      if (!last.end) {
        // A backlog queue without END is the one its id maps to: a second queue for the same id
        // is only created after END removed the mapping.
        assert(this.backlogOf.get(key) === backlog, 'an unended backlog queue is mapped');
        this.backlogOf.delete(key);
      }
      if (backlog.requests.some((r) => r.cancelled)) {
        events.emit({
          type: 'release',
          sequence: backlog.occupant.sequence,
          instance: null,
          slot: null,
          reason: 'cancel',
          first_request: backlog.requests[0]!.id,
        });
        this.cancelAll(backlog.requests);
        continue;
      }
      if (!last.end) this.slotOf.set(key, { instance, slot });
      events.emit({ type: 'assign', sequence: backlog.occupant.sequence, instance, slot, first_request: backlog.requests[0]!.id });
      for (const request of backlog.requests) queue.push(request);
      return backlog.occupant;
    }
    this.freeSlots.push({ instance, slot });
    return undefined;
  }

  /**
   * Cancellation release (core PR #341): forget the id so the reaper cannot release the slot a
   * second time. Like Triton, this erases the id even if it now maps to another sequence.
   */
  protected forgetCancelledId(key: string): void {
    this.slotOf.delete(key);
    this.lastArrivalUs.delete(key);
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

  /** Whether an id currently owns a slot (for variants that hook the idle clock). */
  protected holdsSlot(key: string): boolean {
    return this.slotOf.has(key);
  }

  respond(request: InferRequest, result: InferResult): void {
    assert(request.answered !== true, 'a request is answered once');
    request.answered = true;
    this.deps.responses.respond(request, result);
  }

  /** The oldest waiting backlog queue (FIFO by creation), skipping expired ones. */
  protected popBacklog(): BacklogQueue | undefined {
    while (this.backlogHead < this.backlogs.length) {
      const backlog = this.backlogs[this.backlogHead++]!;
      this.compactBacklog();
      if (!backlog.expired) return backlog;
    }
    return undefined;
  }

  private compactBacklog(): void {
    if (this.backlogHead > 1024 && this.backlogHead * 2 > this.backlogs.length) {
      this.backlogs = this.backlogs.slice(this.backlogHead);
      this.backlogHead = 0;
    }
  }

  // ---- Idle reaper and backlog timeouts (spec §6, §7) ----

  /** Restarts an id's idle clock: Triton does so on every accepted arrival (spec §4 step 8). */
  protected touchIdleClock(key: string, nowUs: number): void {
    this.lastArrivalUs.set(key, nowUs);
    this.wakeReaperBy(nowUs + this.model.maxSequenceIdleUs);
  }

  private wakeReaperBy(atUs: number): void {
    if (atUs >= this.reaperAtUs) return;
    if (this.reaperTimer !== undefined) this.deps.timers.cancel(this.reaperTimer);
    this.reaperAtUs = atUs;
    this.reaperTimer = this.deps.timers.schedule(atUs, { label: 'reaper', channel: 'reaper' }, () => this.runReaper());
  }

  private runReaper(): void {
    this.reaperTimer = undefined;
    this.reaperAtUs = Number.POSITIVE_INFINITY;
    const now = this.deps.clock.nowUs();
    const nextIdleUs = this.reapIdleSequences(now);
    const nextExpiryUs = this.expireBacklogs(now);
    const next = Math.min(nextIdleUs, nextExpiryUs);
    if (next < Number.POSITIVE_INFINITY) this.wakeReaperBy(next);
  }

  /** Returns when the next idle check is due (∞ when nothing is watched). */
  private reapIdleSequences(now: number): number {
    const maxIdle = this.model.maxSequenceIdleUs;
    let next = Number.POSITIVE_INFINITY;
    const forceEnd: { key: string; slot: SlotRef }[] = [];
    for (const [key, lastUs] of this.lastArrivalUs) {
      if (!this.slotOf.has(key) && !this.backlogOf.has(key)) {
        // Triton keeps an ended id's timestamp until it expires; it can never be reaped and a
        // new request rewrites it, so dropping it now changes nothing observable and keeps the
        // reaper's pass short.
        this.lastArrivalUs.delete(key);
        continue;
      }
      const remaining = maxIdle - (now - lastUs);
      if (remaining > 0) {
        next = Math.min(next, now + remaining);
        continue;
      }
      const slot = this.slotOf.get(key);
      if (slot !== undefined) {
        forceEnd.push({ key, slot });
      } else if (this.backlogOf.has(key)) {
        // Backlogged sequences are never reaped, but their idle clock keeps ageing (backlog trap).
        next = Math.min(next, now + BACKLOG_IDLE_RECHECK_US);
      } else {
        this.lastArrivalUs.delete(key);
      }
    }
    for (const { key, slot } of forceEnd) {
      this.slotOf.delete(key);
      this.lastArrivalUs.delete(key);
      const batcher = this.batchers[slot.instance];
      assert(batcher !== undefined, 'a reaped sequence holds a slot of a live instance');
      const occupant = batcher.occupant(slot.slot);
      assert(occupant !== undefined && occupant.key === key, 'a reaped sequence occupies its slot');
      this.deps.events.emit({ type: 'reap', sequence: occupant.sequence, instance: slot.instance, slot: slot.slot });
      batcher.enqueue(slot.slot, occupant, REAP_MARKER);
    }
    return next;
  }

  /** Expires backlog queues whose request timeout passed; returns the next expiration. */
  private expireBacklogs(now: number): number {
    let next = Number.POSITIVE_INFINITY;
    for (let i = this.backlogHead; i < this.backlogs.length; i++) {
      const backlog = this.backlogs[i]!;
      if (backlog.expired || backlog.expirationUs === Number.POSITIVE_INFINITY) continue;
      if (backlog.expirationUs > now) {
        next = Math.min(next, backlog.expirationUs);
        continue;
      }
      backlog.expired = true;
      this.liveBacklogCount--;
      const key = backlog.occupant.key;
      // Only if it still points at this queue: a newer sequence reusing the id is kept.
      if (this.backlogOf.get(key) === backlog) this.backlogOf.delete(key);
      this.deps.events.emit({
        type: 'release',
        sequence: backlog.occupant.sequence,
        instance: null,
        slot: null,
        reason: 'expired',
        first_request: backlog.requests[0]!.id,
      });
      for (const request of backlog.requests) this.respond(request, { error: tritonErrors.backlogTimeout() });
    }
    return next;
  }
}
