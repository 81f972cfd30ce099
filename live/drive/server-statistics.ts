import type { ModelStatistics } from './transport.ts';

/**
 * Triton's statistics extension (`GET /v2/models/<m>/stats`): `model_stats[]` with
 * `execution_count`, `inference_count` and `batch_stats[]` ({batch_size, compute_infer: {count, ns}}).
 * The batch sizes a server executed are the one view of batch composition a client has.
 * Returns undefined when the answer is not of that shape.
 */
export function parseStatistics(json: unknown, model: string): ModelStatistics | undefined {
  if (!isRecord(json) || !Array.isArray(json['model_stats'])) return undefined;
  const entries = json['model_stats'].filter(
    (entry): entry is Record<string, unknown> => isRecord(entry) && (entry['name'] === undefined || entry['name'] === model),
  );
  if (entries.length === 0) return undefined;
  const batchExecutions = new Map<number, number>();
  let executionCount = 0;
  let inferenceCount = 0;
  // Several versions of one model: their figures add up.
  for (const entry of entries) {
    executionCount += count(entry['execution_count']);
    inferenceCount += count(entry['inference_count']);
    const batches = Array.isArray(entry['batch_stats']) ? entry['batch_stats'] : [];
    for (const batch of batches) {
      if (!isRecord(batch)) continue;
      const size = count(batch['batch_size']);
      const infer = isRecord(batch['compute_infer']) ? count(batch['compute_infer']['count']) : 0;
      if (size > 0) batchExecutions.set(size, (batchExecutions.get(size) ?? 0) + infer);
    }
  }
  return { executionCount, inferenceCount, batchExecutions };
}

/** What the run added: after − before, batch sizes in ascending order, sizes that did not change left out. */
export function statisticsDelta(before: ModelStatistics, after: ModelStatistics): ModelStatistics {
  const sizes = [...new Set([...before.batchExecutions.keys(), ...after.batchExecutions.keys()])].sort((a, b) => a - b);
  const batchExecutions = new Map<number, number>();
  for (const size of sizes) {
    const added = (after.batchExecutions.get(size) ?? 0) - (before.batchExecutions.get(size) ?? 0);
    if (added !== 0) batchExecutions.set(size, added);
  }
  return {
    executionCount: after.executionCount - before.executionCount,
    inferenceCount: after.inferenceCount - before.inferenceCount,
    batchExecutions,
  };
}

/** Counts arrive as JSON numbers, or as decimal strings from a protobuf JSON mapping of uint64. */
function count(value: unknown): number {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string' && /^\d+$/.test(value)) return Number(value);
  return 0;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
