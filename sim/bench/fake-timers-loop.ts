import FakeTimers from '@sinonjs/fake-timers';
import type { RecordedChoice, RunOutcome, SimLoop } from '../kernel/event-queue.ts';
import type { TaskOptions, TimerHandle } from '../../src/core/ports.ts';

/**
 * The same simulation driven by @sinonjs/fake-timers, what a JavaScript user would reach for:
 * one fake "millisecond" stands for one µs. Same-instant tasks run in timer-id order (no choices).
 */
export class FakeTimersLoop implements SimLoop {
  private readonly clock = FakeTimers.createClock(0, Number.MAX_SAFE_INTEGER);
  private executed = 0;
  readonly choices: readonly RecordedChoice[] = [];

  nowUs(): number {
    return this.clock.now;
  }

  get eventsExecuted(): number {
    return this.executed;
  }

  schedule(atUs: number, _options: TaskOptions, task: () => void): TimerHandle {
    const id = this.clock.setTimeout(() => {
      this.executed++;
      task();
    }, atUs - this.clock.now);
    return { id: Number(id) };
  }

  cancel(handle: TimerHandle): void {
    this.clock.clearTimeout(handle.id as unknown as FakeTimers.TimerId);
  }

  run(maxEvents: number): RunOutcome {
    while (this.executed < maxEvents) {
      if (this.clock.countTimers() === 0) return 'quiescent';
      this.clock.next();
    }
    return this.clock.countTimers() === 0 ? 'quiescent' : 'budget-exhausted';
  }
}
