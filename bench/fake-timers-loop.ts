import FakeTimers from '@sinonjs/fake-timers';
import type { RecordedChoice, RunOutcome, SimLoop } from '../sim/kernel/event-queue.ts';
import type { TaskOptions, TimerHandle } from '../src/core/ports.ts';

const MAX_TIMER_DELAY = 2 ** 31 - 1;

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

  private readonly timerIds = new Map<number, FakeTimers.TimerId>();
  private nextHandle = 1;

  schedule(atUs: number, _options: TaskOptions, task: () => void): TimerHandle {
    // fake-timers, like Node, turns delays above 2^31-1 into 1: refuse rather than mis-order.
    if (atUs - this.clock.now > MAX_TIMER_DELAY) throw new Error(`fake-timers cannot schedule ${atUs - this.clock.now} ahead (max ${MAX_TIMER_DELAY})`);
    const handle = this.nextHandle++;
    const timerId = this.clock.setTimeout(() => {
      this.timerIds.delete(handle);
      this.executed++;
      task();
    }, atUs - this.clock.now);
    this.timerIds.set(handle, timerId);
    return { id: handle };
  }

  cancel(handle: TimerHandle): void {
    const timerId = this.timerIds.get(handle.id);
    if (timerId === undefined) return;
    this.timerIds.delete(handle.id);
    this.clock.clearTimeout(timerId);
  }

  run(maxEvents: number): RunOutcome {
    while (this.executed < maxEvents) {
      if (this.clock.countTimers() === 0) return 'quiescent';
      this.clock.next();
    }
    return this.clock.countTimers() === 0 ? 'quiescent' : 'budget-exhausted';
  }
}
