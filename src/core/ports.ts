import type { InferRequest, InferResult, SlotState } from './request.ts';
import type { CorridValue } from './events.ts';
import type { TritonError } from './errors.ts';

/**
 * The batcher's only view of the world. The simulator implements these on a virtual clock;
 * live mode on the real one. Nothing in src/batcher reads time or randomness any other way.
 */
export interface Clock {
  /** Integer microseconds since the run started. */
  nowUs(): number;
}

export interface TimerHandle {
  readonly id: number;
}

export interface TaskOptions {
  /**
   * Names the task for choice points, e.g. "reaper", "batch:I0". Two tasks due at the same
   * microsecond may run in either order; the simulator decides and records it by label. A
   * function is only called when a choice is recorded, which keeps hot paths allocation-free.
   */
  readonly label: string | (() => string);
  /**
   * Tasks on the same channel run in the order they were scheduled when due at the same time
   * (one Triton thread, one ordered connection). Tasks on different channels may interleave.
   */
  readonly channel?: string;
  /**
   * What the task's closure acts on (the request and result it delivers, the batch it completes),
   * so a model checker's state digest can see inside pending tasks. Never read on ordinary runs.
   */
  readonly about?: unknown;
}

export interface Timers {
  /** Run `task` at absolute time `atUs` (>= now). A Triton thread waking up becomes such a task. */
  schedule(atUs: number, options: TaskOptions, task: () => void): TimerHandle;
  cancel(handle: TimerHandle): void;
}

/** One row of a batch handed to the executor. */
export interface BatchRow {
  readonly slot: number;
  /** null for a padding (null) request: READY=false, START=END=false, CORRID=0. */
  readonly request: InferRequest | null;
  readonly start: boolean;
  readonly end: boolean;
  readonly ready: boolean;
  /** CORRID as the control tensor's data type carries it (0 / "" on padding). */
  readonly corrid: CorridValue;
  /** The slot's implicit state; a throw-away copy on padding rows. The executor updates it. */
  readonly state: SlotState;
}

export interface Batch {
  readonly instance: number;
  /** Per-run batch number, increasing. */
  readonly batch: number;
  readonly rows: readonly BatchRow[];
}

/** Output per row (null for padding rows), or an error for the whole batch. */
export type ExecuteResult = { readonly ok: true; readonly outputs: readonly (number | null)[] } | { readonly ok: false; readonly error: TritonError };

/** A model instance's backend. `done` must be called exactly once, later (never synchronously). */
export interface Executor {
  execute(batch: Batch, done: (result: ExecuteResult) => void): void;
}

/** Where the scheduler hands responses; the transport carries them to the client. */
export interface ResponseSink {
  respond(request: InferRequest, result: InferResult): void;
}
