// The scheduler's ports and its contract with the per-instance batchers (direct.ts, oldest.ts).
import type { EventSink, ReleaseReason } from '../core/events.ts';
import type { Clock, Executor, ResponseSink, Timers } from '../core/ports.ts';
import type { InferRequest, InferResult } from '../core/request.ts';
import type { ModelConfig } from '../config/types.ts';
import type { DirectDelayTable, SchedulerTestHooks } from './delay-hook.ts';
import type { SlotOrder } from './slot-heap.ts';
import type { Occupant, SlotItem } from './slot-queue.ts';

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
  /** Triton's QA test hooks (TRITONSERVER_DELAY_SCHEDULER…): hold the batcher until requests are queued (delay-hook.ts). */
  readonly testHooks?: SchedulerTestHooks;
}

/** A slot a sequence holds, as a destroyed model leaves it (release reason `destroyed`). */
export interface HeldSlot {
  readonly instance: number;
  readonly slot: number;
  readonly occupant: Occupant;
}

/** Everything a per-instance batcher needs from its scheduler. */
export interface SchedulerContext {
  readonly model: ModelConfig;
  readonly deps: BatcherDeps;
  /** The test hooks the threads start with, if any (delay-hook.ts). */
  readonly testHooks: SchedulerTestHooks | undefined;
  /** Direct's shared table of queued counts while TRITONSERVER_DELAY_SCHEDULER holds the threads. */
  readonly delayTable: DirectDelayTable | undefined;
  /** §5: release a slot; returns the backlog sequence moved into it, if any (slot-release.ts). */
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
