import type { Clock } from '../../src/core/ports.ts';
import type { EventSink, TraceEventBody } from '../../src/core/events.ts';

interface Duration {
  count: number;
  ns: number;
}

/**
 * Triton's statistics extension for `seqsim serve` (`GET /v2/models/<m>/stats`): counts the
 * batches the batcher executes, by batch size (every row, padding included, as Triton's backends
 * report the batch they ran), passing every event on to the trace. Bounded: one entry per batch
 * size, one per batch in flight.
 */
export class ModelStatisticsSink implements EventSink {
  readonly enabled = true;
  private readonly started = new Map<number, { readonly size: number; readonly real: number; readonly atUs: number }>();
  private readonly bySize = new Map<number, Duration>();
  private readonly success: Duration = { count: 0, ns: 0 };
  private readonly fail: Duration = { count: 0, ns: 0 };
  private executions = 0;
  private inferences = 0;
  private lastInferenceMs = 0;

  constructor(
    private readonly inner: EventSink,
    private readonly clock: Clock,
  ) {}

  emit(event: TraceEventBody): void {
    this.inner.emit(event);
    if (event.type === 'execute') {
      const real = event.rows.filter((row) => row.request !== null).length;
      this.started.set(event.batch, { size: event.rows.length, real, atUs: this.clock.nowUs() });
    } else if (event.type === 'complete') {
      const batch = this.started.get(event.batch);
      if (batch === undefined) return;
      this.started.delete(event.batch);
      const ns = Math.max(0, this.clock.nowUs() - batch.atUs) * 1000;
      this.lastInferenceMs = Date.now();
      if (!event.ok) {
        this.fail.count += batch.real;
        this.fail.ns += ns * batch.real;
        return;
      }
      this.executions++;
      this.inferences += batch.size;
      this.success.count += batch.real;
      this.success.ns += ns * batch.real;
      const entry = this.bySize.get(batch.size) ?? { count: 0, ns: 0 };
      entry.count++;
      entry.ns += ns;
      this.bySize.set(batch.size, entry);
    }
  }

  /** The statistics response body, in Triton's JSON shape. */
  json(modelName: string): Record<string, unknown> {
    const zero = { count: 0, ns: 0 };
    const sizes = [...this.bySize.keys()].sort((a, b) => a - b);
    return {
      model_stats: [
        {
          name: modelName,
          version: '1',
          last_inference: this.lastInferenceMs,
          inference_count: this.inferences,
          execution_count: this.executions,
          inference_stats: {
            success: { ...this.success },
            fail: { ...this.fail },
            queue: zero,
            compute_input: zero,
            compute_infer: { ...this.success },
            compute_output: zero,
            cache_hit: zero,
            cache_miss: zero,
          },
          batch_stats: sizes.map((size) => ({ batch_size: size, compute_input: zero, compute_infer: { ...this.bySize.get(size)! }, compute_output: zero })),
        },
      ],
    };
  }
}
