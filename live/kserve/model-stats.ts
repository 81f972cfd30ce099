import type { TraceEventBody } from '../../src/core/events.ts';
import { SERVED_VERSION } from './served-model.ts';

export interface StatisticDuration {
  count: number;
  ns: number;
}

export interface BatchStatistics {
  readonly batch_size: number;
  readonly compute_input: StatisticDuration;
  readonly compute_infer: StatisticDuration;
  readonly compute_output: StatisticDuration;
}

/** One entry of Triton's `model_stats` (statistics extension), in its field names and order. */
export interface ModelStatisticsEntry {
  readonly name: string;
  readonly version: string;
  readonly last_inference: number;
  readonly inference_count: number;
  readonly execution_count: number;
  readonly inference_stats: Readonly<
    Record<'success' | 'fail' | 'queue' | 'compute_input' | 'compute_infer' | 'compute_output' | 'cache_hit' | 'cache_miss', StatisticDuration>
  >;
  readonly response_stats: Readonly<Record<string, never>>;
  readonly batch_stats: readonly BatchStatistics[];
  readonly memory_usage: readonly never[];
}

const duration = (): StatisticDuration => ({ count: 0, ns: 0 });

/**
 * Triton's per-model statistics, kept from the batcher's trace events as they happen: executions
 * and their batch sizes (padding rows included, as the onnxruntime backend counts a batch), and per
 * request success / failure, queue time and compute time. seqsim times a batch's `session.run` as a
 * whole, so compute_input and compute_output count executions with 0 ns. As in Triton, a request
 * the batcher refuses on arrival (missing START, …) is returned to the caller and not counted.
 */
export class ModelStatistics {
  /** Request id → when it reached the batcher (µs), until it is answered. */
  private readonly arrivalUs = new Map<string, number>();
  /** Request id → its batch, while the batch runs and until the request is answered. */
  private readonly batchOf = new Map<string, number>();
  /** Batch number → start (µs), size and, once complete, duration. */
  private readonly batches = new Map<number, { startUs: number; size: number; requests: number; durationUs?: number }>();
  private readonly batchSizes = new Map<number, BatchStatistics>();
  private readonly stats = {
    success: duration(),
    fail: duration(),
    queue: duration(),
    compute_input: duration(),
    compute_infer: duration(),
    compute_output: duration(),
    cache_hit: duration(),
    cache_miss: duration(),
  };
  /** Requests the batcher refused on arrival: Triton returns those errors to the caller, uncounted. */
  private readonly refused = new Set<string>();
  private inferenceCount = 0;
  private executionCount = 0;
  private lastInferenceMs = 0;

  constructor(private readonly modelName: string) {}

  observe(event: TraceEventBody, nowUs: number): void {
    switch (event.type) {
      case 'send':
        this.arrivalUs.set(event.request, nowUs);
        return;
      case 'execute': {
        const requests = event.rows.filter((row) => row.request !== null);
        for (const row of requests) this.batchOf.set(row.request!, event.batch);
        this.batches.set(event.batch, { startUs: nowUs, size: event.rows.length, requests: requests.length });
        return;
      }
      case 'complete': {
        const batch = this.batches.get(event.batch);
        if (batch === undefined) return;
        batch.durationUs = nowUs - batch.startUs;
        if (batch.requests === 0) this.batches.delete(event.batch);
        if (!event.ok) return;
        this.executionCount++;
        this.lastInferenceMs = Date.now();
        let entry = this.batchSizes.get(batch.size);
        if (entry === undefined) {
          entry = { batch_size: batch.size, compute_input: duration(), compute_infer: duration(), compute_output: duration() };
          this.batchSizes.set(batch.size, entry);
        }
        entry.compute_input.count++;
        entry.compute_infer.count++;
        entry.compute_infer.ns += batch.durationUs * 1000;
        entry.compute_output.count++;
        return;
      }
      case 'response':
        this.answered(event.request, 'output' in event, nowUs);
        return;
      default:
        return;
    }
  }

  /** Called before the response of a request the batcher refused on arrival (a synchronous enqueue error). */
  refusedOnArrival(request: string): void {
    this.refused.add(request);
  }

  private answered(request: string, ok: boolean, nowUs: number): void {
    const arrivalUs = this.arrivalUs.get(request) ?? nowUs;
    this.arrivalUs.delete(request);
    if (this.refused.delete(request)) return;
    const batchNumber = this.batchOf.get(request);
    this.batchOf.delete(request);
    const batch = batchNumber === undefined ? undefined : this.batches.get(batchNumber);
    if (batch !== undefined && --batch.requests === 0 && batch.durationUs !== undefined) this.batches.delete(batchNumber!);
    if (!ok || batch === undefined) {
      this.stats.fail.count++;
      this.stats.fail.ns += (nowUs - arrivalUs) * 1000;
      return;
    }
    this.inferenceCount++;
    this.stats.success.count++;
    this.stats.success.ns += (nowUs - arrivalUs) * 1000;
    this.stats.queue.count++;
    this.stats.queue.ns += (batch.startUs - arrivalUs) * 1000;
    this.stats.compute_input.count++;
    this.stats.compute_infer.count++;
    this.stats.compute_infer.ns += (batch.durationUs ?? nowUs - batch.startUs) * 1000;
    this.stats.compute_output.count++;
  }

  /** A copy of the figures, as Triton's statistics endpoint reports one model version. */
  snapshot(): ModelStatisticsEntry {
    const copy = (d: StatisticDuration): StatisticDuration => ({ count: d.count, ns: Math.round(d.ns) });
    return {
      name: this.modelName,
      version: SERVED_VERSION,
      last_inference: this.lastInferenceMs,
      inference_count: this.inferenceCount,
      execution_count: this.executionCount,
      inference_stats: {
        success: copy(this.stats.success),
        fail: copy(this.stats.fail),
        queue: copy(this.stats.queue),
        compute_input: copy(this.stats.compute_input),
        compute_infer: copy(this.stats.compute_infer),
        compute_output: copy(this.stats.compute_output),
        cache_hit: copy(this.stats.cache_hit),
        cache_miss: copy(this.stats.cache_miss),
      },
      response_stats: {},
      batch_stats: [...this.batchSizes.values()]
        .sort((a, b) => a.batch_size - b.batch_size)
        .map((entry) => ({
          batch_size: entry.batch_size,
          compute_input: copy(entry.compute_input),
          compute_infer: copy(entry.compute_infer),
          compute_output: copy(entry.compute_output),
        })),
      memory_usage: [],
    };
  }
}
