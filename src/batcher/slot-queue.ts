import type { CorrelationId, ScenarioId } from '../core/ids.ts';
import type { InferRequest } from '../core/request.ts';

/**
 * The reaper's null marker (spec §6): queued behind a force-ended sequence's pending requests;
 * the slot is released when it reaches the front. It never reaches the model.
 */
export const REAP_MARKER = Symbol('reap-marker');
export type SlotItem = InferRequest | typeof REAP_MARKER;

/** The sequence a slot currently serves (Triton's seq_slot_correlation_ids entry). */
export interface Occupant {
  readonly key: string;
  readonly correlationId: CorrelationId;
  readonly sequence: ScenarioId;
}

export function occupantOf(request: InferRequest, key: string): Occupant {
  return { key, correlationId: request.correlationId, sequence: request.sequence };
}

/** What an instance batcher offers the scheduler. */
export interface InstanceBatcher {
  readonly instance: number;
  /** Appends to a slot's queue (Triton's per-batcher Enqueue). */
  enqueue(slot: number, occupant: Occupant, item: SlotItem): void;
  /** The slot's current occupant, if any. */
  occupant(slot: number): Occupant | undefined;
  queuedRequests(): number;
  inFlight(): boolean;
  /** The model object is destroyed: the batcher thread exits, whatever is still queued (a reaper marker) is dropped. */
  exit(): void;
}
