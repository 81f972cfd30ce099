import type { Clock, TaskOptions, TimerHandle, Timers } from '../src/core/ports.ts';
import { assert } from '../src/core/assert.ts';
import { wallClockMs } from './wall-clock.ts';

/** How a live run's loop became idle, or why it stopped waiting. */
export type LiveOutcome = 'quiescent' | 'timeout' | 'failed';

interface Task {
  readonly id: number;
  readonly atUs: number;
  readonly run: () => void;
}

/**
 * The real clock and timers behind the same Clock/Timers ports the simulator implements.
 *
 * It works like the simulator's event loop driven by real time: on each wake-up it reads the real
 * clock once and runs every task due by then, including tasks those tasks schedule for "now", all
 * at that one instant — so a release and the backlog promotion it triggers share a timestamp, as
 * in a simulated run, and trace times never go backwards. Future tasks wait for one native timer.
 * The loop also counts held async work (session.run in flight), so a run knows when nothing is left.
 */
export class RealLoop implements Clock, Timers {
  private originMs = wallClockMs();
  /** Pending tasks in (atUs, id) order. */
  private queue: Task[] = [];
  private nextId = 1;
  private held = 0;
  /** The instant being drained, or undefined between wake-ups. */
  private instantUs: number | undefined;
  private native: { handle: NodeJS.Timeout | NodeJS.Immediate; immediate: boolean; atUs: number } | undefined;
  private failure: unknown;
  private settle: ((outcome: LiveOutcome) => void) | undefined;
  private stopped = false;
  private lastInstantUs = 0;
  /** The world's own "nothing left but housekeeping timers" test (see finishWhen). */
  private finished: (() => boolean) | undefined;

  nowUs(): number {
    return this.instantUs ?? this.realUs();
  }

  schedule(atUs: number, _options: TaskOptions, task: () => void): TimerHandle {
    const id = this.nextId++;
    // A task due in the past (real time moved on while it was being scheduled) is due now.
    const dueUs = Math.max(atUs, this.instantUs ?? 0);
    const entry: Task = { id, atUs: dueUs, run: task };
    let low = 0;
    let high = this.queue.length;
    while (low < high) {
      const middle = (low + high) >> 1;
      if (this.queue[middle]!.atUs <= dueUs) low = middle + 1;
      else high = middle;
    }
    this.queue.splice(low, 0, entry);
    if (this.instantUs === undefined) this.armNative();
    return { id };
  }

  cancel(handle: TimerHandle): void {
    const index = this.queue.findIndex((task) => task.id === handle.id);
    if (index < 0) return;
    this.queue.splice(index, 1);
    if (this.instantUs === undefined) this.armNative();
    this.checkIdle();
  }

  /**
   * Time 0 is now: called right before the workload starts, so setting up (opening sessions,
   * compiling code) does not eat into the scenario's first microseconds.
   */
  startClock(): void {
    assert(this.queue.length === 0 && this.lastInstantUs === 0, 'the clock starts before any task');
    this.originMs = wallClockMs();
  }

  /** Marks async work in flight (a session.run); the returned function ends it, exactly once. */
  hold(): () => void {
    this.held++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.held--;
      this.checkIdle();
    };
  }

  /** Runs `task` on the loop at the next instant (an async completion joining the world). */
  post(task: () => void): void {
    this.schedule(this.realUs(), { label: 'post' }, task);
  }

  /** The error that stopped the run, if a task threw. */
  get error(): unknown {
    return this.failure;
  }

  /** Resolves once nothing is pending, or after `limitMs` of real time ("timeout"). */
  whenIdle(limitMs: number): Promise<LiveOutcome> {
    return new Promise((resolve) => {
      const deadline = setTimeout(() => finish('timeout'), limitMs);
      const finish = (outcome: LiveOutcome): void => {
        clearTimeout(deadline);
        this.settle = undefined;
        resolve(outcome);
      };
      this.settle = finish;
      if (this.failure !== undefined) finish('failed');
      else setImmediate(() => this.checkIdle());
    });
  }

  /**
   * Lets the run end while housekeeping timers (the idle reaper's next check) are still pending,
   * once `finished` says the world has no client, slot or batch left that they could act on.
   */
  finishWhen(finished: () => boolean): void {
    this.finished = finished;
  }

  /** How many tasks are waiting (for tests and for deciding a run is over). */
  get pendingTasks(): number {
    return this.queue.length;
  }

  /** Drops every pending task and stops the native timer, so the process can exit. */
  shutdown(): void {
    this.stopped = true;
    this.queue = [];
    this.disarmNative();
  }

  private realUs(): number {
    return Math.floor((wallClockMs() - this.originMs) * 1000);
  }

  private wake(): void {
    this.native = undefined;
    if (this.stopped) return;
    assert(this.instantUs === undefined, 'wake-ups do not nest');
    const instantUs = Math.max(this.realUs(), this.lastInstantUs);
    this.instantUs = instantUs;
    try {
      while (this.queue.length > 0 && this.queue[0]!.atUs <= instantUs && this.failure === undefined) {
        const task = this.queue.shift()!;
        try {
          task.run();
        } catch (error) {
          this.failure = error;
        }
      }
    } finally {
      this.lastInstantUs = instantUs;
      this.instantUs = undefined;
    }
    if (this.failure !== undefined) {
      this.settle?.('failed');
      return;
    }
    this.armNative();
    this.checkIdle();
  }

  /** One native timer, for the earliest task; a task due within a millisecond runs on setImmediate. */
  private armNative(): void {
    const first = this.queue[0];
    if (first === undefined || this.stopped) {
      this.disarmNative();
      return;
    }
    if (this.native !== undefined && this.native.atUs <= first.atUs) return;
    this.disarmNative();
    const delayUs = first.atUs - this.realUs();
    const immediate = delayUs < 1000;
    // Node's timers count from a cached millisecond clock and may fire early; wake() then simply
    // finds nothing due and re-arms, so no task ever runs before its time.
    const handle = immediate ? setImmediate(() => this.wake()) : setTimeout(() => this.wake(), Math.floor(delayUs / 1000));
    this.native = { handle, immediate, atUs: first.atUs };
  }

  private disarmNative(): void {
    if (this.native === undefined) return;
    if (this.native.immediate) clearImmediate(this.native.handle as NodeJS.Immediate);
    else clearTimeout(this.native.handle as NodeJS.Timeout);
    this.native = undefined;
  }

  private checkIdle(): void {
    // Mid wake-up the queue can be empty for a moment (a task cancels the last timer, then
    // schedules the next step): the wake-up checks once its instant is drained.
    if (this.instantUs !== undefined) return;
    if (this.settle === undefined || this.held > 0) return;
    if (this.queue.length === 0 || this.finished?.() === true) this.settle('quiescent');
  }
}
