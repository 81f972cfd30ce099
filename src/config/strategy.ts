import type { DirectStrategy, OldestStrategy } from './types.ts';
import type { JsonReader } from './json-reader.ts';
import { configMessages as msg } from './triton-messages.ts';

/**
 * uint64 microsecond fields are clamped here: Triton adds them to `now` without overflow checks,
 * and no virtual run gets this far (2^52 µs is 142 years).
 */
export const MAX_CONFIG_US = 2 ** 52;
/** Slots per instance beyond this stop being a small world to simulate. */
export const MAX_CANDIDATE_SEQUENCES = 1 << 20;
const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;

/** `direct` / `oldest` (one oneof): Direct when neither is given (spec §1.1). */
export function readStrategy(sequenceBatching: JsonReader, maxBatchSize: number, model: string): DirectStrategy | OldestStrategy {
  if (sequenceBatching.has('direct') && sequenceBatching.has('oldest')) {
    sequenceBatching.child('oldest').fail('direct and oldest are one oneof (strategy_choice): give one of them');
  }
  if (sequenceBatching.has('oldest')) return readOldest(sequenceBatching.child('oldest'), maxBatchSize, model);
  return readDirect(sequenceBatching.has('direct') ? sequenceBatching.child('direct') : undefined, model);
}

/** The strategy in Triton's JSON form, every field explicit. */
export function normalizeStrategy(strategy: DirectStrategy | OldestStrategy): Record<string, unknown> {
  if (strategy.kind === 'direct') {
    return { direct: { max_queue_delay_microseconds: strategy.maxQueueDelayUs, minimum_slot_utilization: strategy.minimumSlotUtilization } };
  }
  return {
    oldest: {
      max_candidate_sequences: strategy.maxCandidateSequences,
      preferred_batch_size: [...strategy.preferredBatchSizes],
      max_queue_delay_microseconds: strategy.maxQueueDelayUs,
      preserve_ordering: strategy.preserveOrdering,
    },
  };
}

function readDirect(reader: JsonReader | undefined, model: string): DirectStrategy {
  if (reader === undefined) return { kind: 'direct', maxQueueDelayUs: 0, minimumSlotUtilization: 0 };
  reader.object();
  reader.onlyKeys(['max_queue_delay_microseconds', 'minimum_slot_utilization']);
  const maxQueueDelayUs = reader.optional('max_queue_delay_microseconds', (r) => r.protoUint64(MAX_CONFIG_US), 0);
  const minimumSlotUtilization = reader.optional('minimum_slot_utilization', (r) => r.number(), 0);
  // Triton's text says "(0.0, 1.0]" but its check accepts 0.0 (spec §1.3).
  if (minimumSlotUtilization < 0 || minimumSlotUtilization > 1) reader.child('minimum_slot_utilization').fail(msg.minimumSlotUtilization(model));
  return { kind: 'direct', maxQueueDelayUs, minimumSlotUtilization };
}

function readOldest(reader: JsonReader, maxBatchSize: number, model: string): OldestStrategy {
  reader.object();
  reader.onlyKeys(['max_candidate_sequences', 'preferred_batch_size', 'max_queue_delay_microseconds', 'preserve_ordering']);
  const candidates = reader.optional('max_candidate_sequences', (r) => r.protoInt(0, MAX_CANDIDATE_SEQUENCES), 0);
  const preferred = reader.optionalArray('preferred_batch_size').map((r) => {
    const size = r.protoInt(INT32_MIN, INT32_MAX);
    if (size <= 0) r.fail(msg.preferredPositive(model));
    if (size > maxBatchSize) r.fail(msg.preferredAtMostMax(model));
    return size;
  });
  return {
    kind: 'oldest',
    maxCandidateSequences: candidates > 0 ? candidates : Math.max(1, maxBatchSize),
    preferredBatchSizes: preferred.length === 0 && maxBatchSize > 0 ? [maxBatchSize] : preferred,
    maxQueueDelayUs: reader.optional('max_queue_delay_microseconds', (r) => r.protoUint64(MAX_CONFIG_US), 0),
    preserveOrdering: reader.optional('preserve_ordering', (r) => r.boolean(), false),
  };
}
