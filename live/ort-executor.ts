import type * as ort from 'onnxruntime-node';
import type { Batch, ExecuteResult, Executor } from '../src/core/ports.ts';
import { assert } from '../src/core/assert.ts';
import { batchFeeds, rowValue } from './feeds.ts';
import type { LiveTensorSpec } from './tensor-spec.ts';
import { wallClockMs } from './wall-clock.ts';
import type { Stopwatch } from './stopwatch.ts';
import type { InstanceSessions } from './instance-sessions.ts';
import { errorMessage } from '../src/core/error-message.ts';

/** What live mode measures per batch: rows, and how long session.run took (ms). */
export interface BatchTiming {
  readonly instance: number;
  /** The session that ran it (the overhead benchmark re-runs the batch on the same one). */
  readonly session: ort.InferenceSession;
  readonly rows: number;
  readonly realRows: number;
  readonly runMs: number;
  /** The feeds, kept only when the overhead benchmark will re-run the same batches. */
  readonly feeds?: Record<string, ort.Tensor>;
}

export interface OrtExecutorOptions {
  /** Keeps each batch's feeds so `rawRunBenchmark` can replay them straight into session.run. */
  readonly keepFeeds: boolean;
  /** Marks async work in flight (the real loop's hold), so the run knows it is not idle yet. */
  readonly hold: () => () => void;
  /** Runs the completion on the loop, so an error in the batcher's callback ends the run. */
  readonly onLoop: (task: () => void) => void;
  /** Counts the executor's host-side work (tensor assembly, scatter, the batcher's callback). */
  readonly stopwatch: Stopwatch;
}

/**
 * A model instance's backend on ONNX Runtime: one InferenceSession per instance, one batch at a
 * time per instance (the batcher only hands an instance its next batch after `done`). Tensors are
 * assembled from the batch rows as Triton's backend would see them; a ready row's STATE_OUT
 * becomes the slot's state, a padding row's is thrown away.
 */
export class OrtExecutor implements Executor {
  readonly timings: BatchTiming[] = [];
  private readonly busy = new Set<number>();

  constructor(
    /** Its instances' sessions (released by the run's owner when it ends). */
    readonly sessions: InstanceSessions,
    private readonly spec: LiveTensorSpec,
    private readonly options: OrtExecutorOptions,
  ) {}

  execute(batch: Batch, done: (result: ExecuteResult) => void): void {
    assert(!this.busy.has(batch.instance), 'an instance runs one batch at a time');
    this.busy.add(batch.instance);
    const release = this.options.hold();
    const feeds = this.options.stopwatch.exclude(() => batchFeeds(this.spec, batch.rows));
    const session = this.sessions.sessionFor(batch.instance);
    if (session instanceof Promise) {
      // An instance added while the run goes: its session opens first (not timed as session.run).
      session.then(
        (opened) => this.run(opened, batch, feeds, release, done),
        (error: unknown) => this.fail(batch, release, done, `onnxruntime could not open a session for instance ${batch.instance}: ${errorMessage(error)}`),
      );
      return;
    }
    this.run(session, batch, feeds, release, done);
  }

  private run(
    session: ort.InferenceSession,
    batch: Batch,
    feeds: Record<string, ort.Tensor>,
    release: () => void,
    done: (result: ExecuteResult) => void,
  ): void {
    const startedMs = wallClockMs();
    // Starting session.run (its argument checks, the native call) is a direct caller's cost too.
    const running = this.options.stopwatch.exclude(() => session.run(feeds));
    running.then(
      (outputs) => {
        const runMs = wallClockMs() - startedMs;
        // The timing record is the benchmark's bookkeeping, not the batcher's: taken untimed.
        this.timings.push({
          instance: batch.instance,
          session,
          rows: batch.rows.length,
          realRows: realRowCount(batch),
          runMs,
          ...(this.options.keepFeeds ? { feeds } : {}),
        });
        this.finish(batch, release, () =>
          this.options.stopwatch.time(() => {
            const rowOutputs = this.options.stopwatch.exclude(() => this.scatter(batch, outputs));
            done({ ok: true, outputs: rowOutputs });
          }),
        );
      },
      (error: unknown) => this.fail(batch, release, done, `onnxruntime failed to execute the batch: ${errorMessage(error)}`),
    );
  }

  private fail(batch: Batch, release: () => void, done: (result: ExecuteResult) => void, message: string): void {
    this.finish(batch, release, () => done({ ok: false, error: { code: 'INTERNAL', message } }));
  }

  private finish(batch: Batch, release: () => void, complete: () => void): void {
    this.busy.delete(batch.instance);
    this.options.onLoop(complete);
    release();
  }

  /** OUTPUT per ready row, and STATE_OUT written back into the slot's state. */
  private scatter(batch: Batch, outputs: ort.InferenceSession.OnnxValueMapType): (number | null)[] {
    const output = outputs[this.spec.output];
    const state = outputs[this.spec.stateOutput];
    assert(output !== undefined && state !== undefined, 'the model returns OUTPUT and the state output');
    const rows = batch.rows.length;
    return batch.rows.map((row, index) => {
      if (row.request === null || !row.ready) return null;
      row.state.initialized = true;
      row.state.value = rowValue(state, index, rows);
      return rowValue(output, index, rows);
    });
  }
}

function realRowCount(batch: Batch): number {
  let count = 0;
  for (const row of batch.rows) if (row.ready && row.request !== null) count++;
  return count;
}
