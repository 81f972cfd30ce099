import type { CorrelationId, ScenarioId } from './ids.ts';
import type { TritonError } from './errors.ts';

/** One inference request of a sequence, as the scheduler sees it. */
export interface InferRequest {
  /** "<sequence id>:<step>" — unique per run (a retry gets a suffix from the fault layer). */
  readonly id: string;
  /** The scenario's id as written, so traces join back to the scenario. */
  readonly sequence: ScenarioId;
  readonly step: number;
  readonly correlationId: CorrelationId;
  readonly start: boolean;
  readonly end: boolean;
  /** INPUT value of this step. */
  readonly input: number;
  /** Triton request timeout (µs); only applies while the sequence is in the backlog. 0 = none. */
  readonly timeoutUs: number;
  /** 1 for batching models (0 allowed for max_batch_size 0); > 1 is rejected. */
  readonly batchSize: number;
  /** Set by the scheduler at enqueue: the idle clock and Direct's queue delay use it. */
  arrivalUs: number;
  /** Set by the client/transport when it cancels; the scheduler only detects it at queue fronts. */
  cancelled: boolean;
  /**
   * Set by the scheduler once it answered or rejected the request: a later cancel is a no-op.
   * (A field rather than a WeakSet: tracking 100k live requests in a WeakSet dominated GC time.)
   */
  answered?: boolean;
}

/** What the client eventually receives for a request. */
export type InferResult = { readonly output: number } | { readonly error: TritonError };

/** Implicit state of one slot (spec §9): the accumulator's running value. */
export interface SlotState {
  /** False until a START row initialised it: Triton would hand the model uninitialised memory. */
  initialized: boolean;
  value: number;
}
