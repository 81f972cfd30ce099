import * as ort from 'onnxruntime-node';
import type { BatchTiming } from './ort-executor.ts';
import { wallClockMs } from './wall-clock.ts';

/**
 * Below this many batches the overhead figure is not shown: one-off costs (the first session.run
 * calls, JIT compilation of the batcher's code) dominate, and a 6-batch run reads as "400 %".
 */
export const MIN_BATCHES_FOR_OVERHEAD = 100;

/** The batcher's cost next to calling session.run directly on the same batches. */
export interface OverheadReport {
  readonly batches: number;
  readonly realRows: number;
  /**
   * Σ over the same batches, called back to back with no batcher around them, of what a direct
   * caller does: build the input tensors, session.run, read the outputs.
   */
  readonly rawRunMs: number;
  /** Σ session.run as the live run measured it. */
  readonly liveRunMs: number;
  /** Σ batcher work: scheduler entry points and the batcher's tasks, without tensor work. */
  readonly batcherMs: number;
  readonly rawRowsPerSecond: number;
  /** Rows per second if each batch cost its raw session.run plus the batcher's work. */
  readonly batcherRowsPerSecond: number;
  /** batcherMs / rawRunMs, in percent. */
  readonly overheadPercent: number;
}

/**
 * Re-runs every batch the live run executed, with the very same feeds, straight into its
 * instance's session, one after another, and compares: the batcher is worth its cost when the
 * extra time it adds per batch is small next to session.run itself.
 */
export async function measureOverhead(timings: readonly BatchTiming[], batcherMs: number): Promise<OverheadReport> {
  let rawRunMs = 0;
  let liveRunMs = 0;
  let realRows = 0;
  for (const timing of timings) {
    if (timing.feeds === undefined) throw new Error('measureOverhead needs the batches kept with keepFeeds');
    const started = wallClockMs();
    const outputs = await timing.session.run(cloneFeeds(timing.feeds));
    for (const output of Object.values(outputs)) for (let row = 0; row < timing.rows; row++) Number(output.data[row]);
    rawRunMs += wallClockMs() - started;
    liveRunMs += timing.runMs;
    realRows += timing.realRows;
  }
  return {
    batches: timings.length,
    realRows,
    rawRunMs,
    liveRunMs,
    batcherMs,
    rawRowsPerSecond: rawRunMs > 0 ? (realRows / rawRunMs) * 1000 : 0,
    batcherRowsPerSecond: rawRunMs + batcherMs > 0 ? (realRows / (rawRunMs + batcherMs)) * 1000 : 0,
    overheadPercent: rawRunMs > 0 ? (batcherMs / rawRunMs) * 100 : 0,
  };
}

/** Fresh tensors with copied data, as a direct caller would build them for each call. */
function cloneFeeds(feeds: Record<string, ort.Tensor>): Record<string, ort.Tensor> {
  const cloned: Record<string, ort.Tensor> = {};
  for (const [name, tensor] of Object.entries(feeds)) {
    const data = tensor.type === 'string' ? [...(tensor.data as string[])] : (tensor.data as Int32Array).slice();
    cloned[name] = new ort.Tensor(tensor.type as 'int32', data as Int32Array, tensor.dims);
  }
  return cloned;
}
