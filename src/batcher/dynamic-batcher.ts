import type { OldestStrategy } from '../config/types.ts';

/** What the inner dynamic batcher needs to know about a queued request. */
export interface QueuedEntry {
  /** When it entered the dynamic batcher: "oldest" is by this time (spec §5B). */
  readonly enteredUs: number;
}

export type BatchDecision = { readonly send: number } | { readonly waitUntilUs: number };

/**
 * Oldest's private dynamic batcher: how many of the FIFO-ordered queued requests to send now, or
 * when to look again. Mirrors DynamicBatchScheduler::GetDynamicBatch for an empty payload (seqsim
 * forms a batch only when the instance is free, so nothing is ever added to a payload already
 * built) and requests of batch size 1 with no shape constraints:
 * - scan while the batch fits max_batch_size, remembering the largest preferred size reached
 *   (and the size just before passing max(preferred));
 * - a preferred size found and the delay not exceeded → send it;
 * - the scan hit max_batch_size or reached max(preferred) → send everything scanned;
 * - delay 0 or exceeded (age ≥ delay, Triton's `>=`) → send everything scanned;
 * - otherwise wait until the oldest request's age reaches the delay.
 */
export function decideBatch(queue: readonly QueuedEntry[], strategy: OldestStrategy, maxBatchSize: number, nowUs: number): BatchDecision {
  if (queue.length === 0) return { send: 0 };
  const maxBatch = Math.max(1, maxBatchSize);
  const preferred = strategy.preferredBatchSizes;
  let maxPreferred = 0;
  for (const size of preferred) maxPreferred = Math.max(maxPreferred, size);
  let size = 0;
  let best = 0;
  let full = false;
  for (let index = 0; index < queue.length; index++) {
    if (size > 0) {
      if (size + 1 > maxPreferred && best === 0) best = size;
      if (size + 1 > maxBatch) {
        full = true;
        break;
      }
    }
    size++;
    if (preferred.includes(size)) best = size;
  }
  const oldestUs = queue[0]!.enteredUs;
  const delayUs = strategy.maxQueueDelayUs;
  const delayExceeded = delayUs !== 0 && nowUs - oldestUs >= delayUs;
  if (best !== 0 && !delayExceeded) return { send: best };
  if (full || size >= maxPreferred || delayExceeded || delayUs === 0) return { send: size };
  return { waitUntilUs: oldestUs + delayUs };
}
