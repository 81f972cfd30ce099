/*
 * Triton's QA test hooks, read from the server's environment when a model's batcher threads start
 * (core: sequence_batch_scheduler.cc, DirectSequenceBatch::BatcherThread and
 * SequenceBatchScheduler::DelayScheduler; dynamic_batch_scheduler.cc for Oldest's inner batcher):
 * - TRITONSERVER_DELAY_SCHEDULER=N, Direct: each instance's batcher thread forms no batch (and so
 *   releases nothing) while held. Each time it runs — on an enqueue into its slots, else every
 *   10 ms — it reports the requests in its own slot queues into a table shared by the model's
 *   instances; it may go on once the table's sum (each instance's last report) is ≥ N and, with
 *   TRITONSERVER_BACKLOG_DELAY_SCHEDULER=M > 0, the backlog queues hold ≥ M requests together.
 *   Once it may, the hook is off for good for that thread, which then waits again (10 ms, or
 *   until the next enqueue) before its first batch.
 * - Oldest: the instance's inner dynamic batcher waits until its own queue holds ≥ N requests
 *   (at most one per sequence), then the same one-shot release. The backlog hook has no effect.
 * seqsim checks on every wake-up and 10 ms after any change to what the condition reads (Triton
 * polls every 10 ms on its own grid, so the first batch may run up to 10 ms apart: real timing).
 */

/** The hooks as a scenario's `test_hooks` gives them; 0 = off. */
export interface SchedulerTestHooks {
  readonly delaySchedulerRequests: number;
  readonly backlogDelaySchedulerRequests: number;
}

/** Triton's wait while held, and after the hook releases a thread. */
export const DELAY_POLL_US = 10_000;

/** Direct's shared table (SequenceBatchScheduler::queue_request_cnts_ and DelayScheduler). */
export class DirectDelayTable {
  private readonly reported = new Map<number, number>();
  private readonly held = new Map<number, () => void>();

  constructor(
    private readonly hooks: SchedulerTestHooks,
    /** Requests waiting in the backlog queues, all together. */
    private readonly backlogRequests: () => number,
  ) {}

  /** A thread starts held; `poll` asks it to look again in DELAY_POLL_US. */
  hold(instance: number, poll: () => void): void {
    this.held.set(instance, poll);
  }

  /** DelayScheduler: records the thread's count; true while it must keep waiting (then it stays held). */
  keepWaiting(instance: number, queued: number): boolean {
    const changed = this.reported.get(instance) !== queued;
    this.reported.set(instance, queued);
    let seen = 0;
    for (const count of this.reported.values()) seen += count;
    const wait =
      seen < this.hooks.delaySchedulerRequests ||
      (this.hooks.backlogDelaySchedulerRequests > 0 && this.backlogRequests() < this.hooks.backlogDelaySchedulerRequests);
    if (!wait) this.held.delete(instance);
    if (changed) this.changed(instance);
    return wait;
  }

  /** What the condition reads changed (a report, the backlog): every other held thread looks again. */
  changed(except?: number): void {
    for (const [instance, poll] of this.held) if (instance !== except) poll();
  }
}
