import type { Batch, ExecuteResult, Executor } from '../src/core/ports.ts';
import type { ModelConfig } from '../src/config/types.ts';
import type { Latency } from '../src/scenario/types.ts';
import { accumulate, accumulatorModelOf, UNINITIALIZED_STATE_GARBAGE, type AccumulatorModel } from '../src/model/reference.ts';
import type { SimLoop } from './kernel/event-queue.ts';
import type { RandomStream } from './kernel/random.ts';
import { drawLatencyUs, fixedLatencyUs } from './latency.ts';
import type { FaultInjector } from './faults.ts';

/**
 * The simulated backend: each batch takes a latency drawn from the executor stream, then every
 * ready row adds its INPUT to the state the batcher gave it (the slot's implicit state).
 */
export class SimExecutor implements Executor {
  private readonly accumulator: AccumulatorModel;
  private readonly channels: string[];
  /** The batch latency when it is fixed: then nothing is drawn (or named) per batch. */
  private readonly fixedLatencyUs: number | undefined;

  constructor(
    private readonly loop: SimLoop,
    model: ModelConfig,
    private readonly latency: Latency,
    private readonly stream: RandomStream,
    private readonly faults?: FaultInjector,
  ) {
    this.accumulator = accumulatorModelOf(model);
    this.fixedLatencyUs = fixedLatencyUs(latency);
    this.channels = Array.from({ length: model.instanceCount }, (_, i) => `exec:I${i}`);
  }

  execute(batch: Batch, done: (result: ExecuteResult) => void): void {
    const stallUs = this.faults?.stallUs(batch.batch) ?? 0;
    const fails = this.faults?.failBatch(batch.batch) ?? false;
    const latencyUs = this.fixedLatencyUs ?? drawLatencyUs(this.latency, this.stream, () => `latency:exec:I${batch.instance}:b${batch.batch}`);
    const finishUs = this.loop.nowUs() + latencyUs + stallUs;
    if (fails) {
      this.loop.schedule(
        finishUs,
        {
          label: () => `complete:I${batch.instance}:b${batch.batch}`,
          channel: this.channels[batch.instance] ?? `exec:I${batch.instance}`,
          about: [batch, 'fails'],
        },
        () => done({ ok: false, error: { code: 'INTERNAL', message: 'seqsim fault: the model instance failed to execute the batch' } }),
      );
      return;
    }
    this.loop.schedule(
      finishUs,
      { label: () => `complete:I${batch.instance}:b${batch.batch}`, channel: this.channels[batch.instance] ?? `exec:I${batch.instance}`, about: batch },
      () => {
        done({ ok: true, outputs: this.runRows(batch) });
      },
    );
  }

  private runRows(batch: Batch): (number | null)[] {
    return batch.rows.map((row) => {
      if (row.request === null || !row.ready) return null;
      const base = row.state.initialized ? row.state.value : UNINITIALIZED_STATE_GARBAGE;
      const step = accumulate(this.accumulator, { ready: row.ready, start: row.start, end: row.end, input: row.request.input, corrid: row.corrid }, base);
      if (step.kind !== 'output') return null;
      row.state.initialized = true;
      row.state.value = step.state;
      return step.output;
    });
  }
}
