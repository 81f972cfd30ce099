import { wallClockMs } from './wall-clock.ts';

/**
 * Time spent in seqsim's own code during a live run. Entry points nest (a batcher task calls the
 * executor, which assembles tensors): only the outermost one is counted, so nothing counts twice.
 */
export class Stopwatch {
  private totalMs = 0;
  private excludedMs = 0;
  private depth = 0;

  /** Runs `work` and adds its wall time unless an enclosing `time` already counts it. */
  time<T>(work: () => T): T {
    if (this.depth > 0) return work();
    this.depth++;
    const started = wallClockMs();
    try {
      return work();
    } finally {
      this.totalMs += wallClockMs() - started;
      this.depth--;
    }
  }

  /**
   * Runs `work` that a direct session.run caller would do too (building tensors, reading outputs):
   * its time is taken out of the batcher's total.
   */
  exclude<T>(work: () => T): T {
    if (this.depth === 0) return work();
    const started = wallClockMs();
    try {
      return work();
    } finally {
      this.excludedMs += wallClockMs() - started;
    }
  }

  /** The batcher's own time: everything timed, minus the excluded tensor work. */
  get ms(): number {
    return this.totalMs - this.excludedMs;
  }
}
