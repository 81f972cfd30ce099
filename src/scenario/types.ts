import type { ScenarioId } from '../core/ids.ts';
import type { ModelConfig } from '../config/types.ts';
import type { NormalizedModel } from '../config/normalize.ts';
import type { FaultPlan } from './faults.ts';

/** A latency: fixed µs, or uniform integer in [min, max] drawn from the run's seed. */
export type Latency = number | { readonly min: number; readonly max: number };

export interface ScenarioStep {
  readonly value: number;
  readonly start: boolean;
  readonly end: boolean;
  readonly gapUs: number;
  readonly timeoutUs: number;
  /** Client cancels this request this long after sending it; undefined = never. */
  readonly cancelAfterUs: number | undefined;
}

export interface ScenarioSequence {
  readonly id: ScenarioId;
  readonly startUs: number;
  readonly mode: 'sync' | 'stream';
  readonly steps: readonly ScenarioStep[];
}

export interface StopEvent {
  readonly atUs: number;
  readonly kind: 'stop';
  readonly exitTimeoutUs: number;
}

export interface UnloadEvent {
  readonly atUs: number;
  readonly kind: 'unload';
}

/** "triton": what Triton does; "drain": seqsim's safe switch (hold new STARTs until the old model is empty). */
export type LoadPolicy = 'triton' | 'drain';

export interface LoadEvent {
  readonly atUs: number;
  readonly kind: 'load';
  /** The normalised config, or why Triton's validation refuses it (the load fails at run time). */
  readonly config: NormalizedModel | { readonly invalid: string; readonly json: unknown };
  /** The model's files changed too: a reload even for an instance-only change. */
  readonly filesChanged: boolean;
  /** How long a reloaded model takes to build before the swap. */
  readonly loadUs: number;
  readonly policy: LoadPolicy;
  /** "drain" only: stop waiting for the old model's sequences after this long. */
  readonly drainTimeoutUs: number;
}

export type LifecycleEvent = StopEvent | UnloadEvent | LoadEvent;

/**
 * Triton's QA test hooks (the server's environment variables `TRITONSERVER_DELAY_SCHEDULER` and
 * `TRITONSERVER_BACKLOG_DELAY_SCHEDULER`): hold the batcher until that many requests are queued.
 * 0 = off. See src/batcher/delay-hook.ts.
 */
export interface TestHooks {
  readonly delaySchedulerRequests: number;
  readonly backlogDelaySchedulerRequests: number;
}

/**
 * A loaded, validated scenario. `normalized` is the JSON written into the trace header
 * (Triton JSON model config with defaults filled in); `seqsim replay` re-runs from it alone.
 */
export interface Scenario {
  readonly name: string;
  readonly seed: number | undefined;
  readonly model: ModelConfig;
  readonly executorLatencyUs: Latency;
  readonly transportLatencyUs: Latency;
  readonly sequences: readonly ScenarioSequence[];
  /** The fault plan (`faults` block); undefined = no faults. */
  readonly faults: FaultPlan | undefined;
  readonly lifecycle: readonly LifecycleEvent[];
  /** The `test_hooks` block; undefined = none (a plain server). */
  readonly testHooks?: TestHooks;
  /** Pinned decisions (task or draw labels, or option indices); undefined = the seed decides. */
  readonly schedule?: readonly (number | string)[];
  /**
   * `"draws": "chosen"` (seqsim's extension, a reproducer of `check --choose-draws`): fault
   * decisions and latency draws are choice points, decided by `schedule` (else option 0, or the
   * seed's ties when there is no schedule); undefined = the seed draws them.
   */
  readonly draws?: 'chosen';
  readonly normalized: Readonly<Record<string, unknown>>;
}
