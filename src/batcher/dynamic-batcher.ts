import type { InferRequest } from '../core/request.ts';
import type { OldestStrategy } from '../config/types.ts';

/** A request inside Oldest's private dynamic batcher. */
export interface PendingRequest {
  readonly slot: number;
  readonly request: InferRequest;
  /** When it entered the dynamic batcher: "oldest" is by this time (spec §5B). */
  readonly enteredUs: number;
}

export type BatchDecision = { readonly send: number } | { readonly waitUntilUs: number } | { readonly send: 0 };

/**
 * The inner dynamic batcher's choice (DynamicBatchScheduler::GetDynamicBatch, simplified as spec
 * §5B describes): how many of the FIFO-ordered pending requests to send now, or when to look again.
 */
export function decideBatch(pending: readonly PendingRequest[], strategy: OldestStrategy, maxBatchSize: number, nowUs: number): BatchDecision {
  if (pending.length === 0) return { send: 0 };
  const limit = Math.max(1, maxBatchSize);
  const count = Math.min(pending.length, limit);
  let preferred = 0;
  for (let size = 1; size <= count; size++) if (strategy.preferredBatchSizes.includes(size)) preferred = size;
  const ageUs = nowUs - pending[0]!.enteredUs;
  const delayUs = strategy.maxQueueDelayUs;
  if (preferred > 0 && ageUs <= delayUs) return { send: preferred };
  const maxPreferred = strategy.preferredBatchSizes.length > 0 ? Math.max(...strategy.preferredBatchSizes) : limit;
  if (count === limit || count >= maxPreferred) return { send: count };
  if (delayUs === 0 || ageUs >= delayUs) return { send: count };
  return { waitUntilUs: pending[0]!.enteredUs + delayUs };
}
