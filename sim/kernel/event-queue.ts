import { assert } from '../../src/core/assert.ts';
import type { Clock, TaskOptions, TimerHandle, Timers } from '../../src/core/ports.ts';
import { type InstantTask, InstantTasks } from './instant-tasks.ts';

/**
 * A choice point: several tasks are due at the same microsecond ('order'), or, with
 * `--choose-draws`, a fault decision or latency bucket is to be drawn ('draw').
 */
export interface ChoicePoint {
  /** Absent means 'order' (choosers written before draws were choices keep working). */
  readonly kind?: ChoiceKind;
  readonly count: number;
  readonly nowUs: number;
  /**
   * The i-th option's label, built only when asked for: a task ("arrive:7:2", "reaper", …) or a
   * draw's outcome ("fault:request_drop:7:2=fire", "latency:up:7:2=min").
   */
  label(index: number): string;
}

export type ChoiceKind = 'order' | 'draw';

/** Whether a point decides a draw (its option 0 is "skip" or "min"), not an ordering. */
export function isDraw(point: ChoicePoint): boolean {
  return point.kind === 'draw';
}

/** Picks which of several same-time tasks runs next (an index below `point.count`). */
export interface Chooser {
  choose(point: ChoicePoint): number;
}

/** A recorded decision at a choice point, named by its domain so it survives refactors. */
export interface RecordedChoice {
  readonly t: number;
  readonly options: readonly string[];
  readonly chosen: string;
}

/** A scheduled task; a class so state digests can tell a timer handle from other world objects. */
export class ScheduledTask implements TimerHandle, InstantTask {
  cancelled = false;
  instantPos = -1;
  constructor(
    readonly id: number,
    readonly atUs: number,
    readonly label: string | (() => string),
    readonly channel: string | undefined,
    readonly about: unknown,
    readonly run: () => void,
  ) {}

  labelText(): string {
    return typeof this.label === 'string' ? this.label : this.label();
  }
}
type Task = ScheduledTask;

/** A pending task as a model checker's state digest sees it (no id: ids depend on history). */
export interface PendingTask {
  readonly atUs: number;
  readonly label: string;
  readonly channel: string | undefined;
  readonly about: unknown;
}

/**
 * 'stalled': a StallWatch saw nothing but housekeeping tasks (the idle reaper's polling) and no
 * progress for longer than any timeout of the world: nothing can ever happen again.
 */
export type RunOutcome = 'quiescent' | 'budget-exhausted' | 'stalled';

/**
 * Ends a run that can only spin: when no progress (trace event) was made for `horizonUs` and every
 * pending task is housekeeping, every deadline the world could act on has passed without effect,
 * so the polling would go on until the event budget. The loop consults the watch only once a
 * horizon has passed since the progress it last saw.
 */
export interface StallWatch {
  /** Virtual µs of the last observable progress (the last trace event). */
  lastProgressUs(): number;
  /** Longer than any deadline the world can still act on (idle timeout, request timeouts, …). */
  readonly horizonUs: number;
  /** A task that only polls and acts on deadlines (the idle reaper). */
  isHousekeeping(label: string): boolean;
}

/** What a run needs from its event loop; EventLoop is the real one, benchmarks plug in others. */
export interface SimLoop extends Clock, Timers {
  /** Loops that cannot watch for stalls (benchmark kernels) ignore `stall`. */
  run(maxEvents: number, stall?: StallWatch): RunOutcome;
  readonly choices: readonly RecordedChoice[];
  readonly eventsExecuted: number;
}

/**
 * The simulator's clock and event loop. Future tasks sit in a binary heap ordered by (time, id);
 * when several are due at once they move to an indexed instant (sim/kernel/instant-tasks.ts) from
 * which the chooser picks in O(log n), so the order of same-time tasks is a recorded choice while
 * the common case (one task due) never enters it.
 */
export class EventLoop implements SimLoop {
  private heap: Task[] = [];
  private instant = new InstantTasks<Task>();
  private now = 0;
  private nextId = 1;
  private executed = 0;
  readonly choices: RecordedChoice[] = [];
  /** Hears the label of every task about to run; only a model checker sets it (labels cost then). */
  private taskObserver: ((label: string) => void) | undefined;

  constructor(
    private readonly chooser: Chooser,
    /** How many choices to keep in `choices` (0: none — labels then cost nothing). */
    private readonly maxRecordedChoices = 0,
  ) {}

  nowUs(): number {
    return this.now;
  }

  get eventsExecuted(): number {
    return this.executed;
  }

  get pending(): number {
    return this.heap.length + this.instant.size;
  }

  schedule(atUs: number, options: TaskOptions, run: () => void): TimerHandle {
    assert(Number.isSafeInteger(atUs), 'task time is an integer µs');
    assert(atUs >= this.now, 'task is not scheduled in the past');
    const task = new ScheduledTask(this.nextId++, atUs, options.label, options.channel, options.about, run);
    if (atUs === this.now && this.instant.size > 0) this.instant.add(task);
    else this.heapPush(task);
    return task;
  }

  cancel(handle: TimerHandle): void {
    const task = handle as Task;
    if (task.cancelled) return;
    task.cancelled = true;
    if (task.instantPos >= 0) this.instant.cancel(task);
  }

  observeTasks(observer: (label: string) => void): void {
    this.taskObserver = observer;
  }

  /**
   * Live pending tasks in (time, schedule) order: the instant's first, then the heap's. For state
   * digests at choice points; O(n log n), never on the hot path.
   */
  pendingTasks(): PendingTask[] {
    const live = (t: Task): boolean => !t.cancelled;
    const later = this.heap.filter(live).sort((a, b) => (before(a, b) ? -1 : 1));
    return [...this.instant.live(), ...later].map((t) => ({ atUs: t.atUs, label: t.labelText(), channel: t.channel, about: t.about }));
  }

  /** Runs until nothing is pending or `maxEvents` tasks have run. */
  run(maxEvents: number, stall?: StallWatch): RunOutcome {
    return this.runUntil(Number.POSITIVE_INFINITY, maxEvents, stall);
  }

  /**
   * Runs every task due at or before `untilUs` ('quiescent' then means: nothing more before that
   * time). Interactive harnesses use it to advance a world step by step.
   */
  runUntil(untilUs: number, maxEvents: number, stall?: StallWatch): RunOutcome {
    // When a stall could first be seen: a horizon after the last progress (progress only moves it later).
    let stallCheckUs = stall === undefined ? Number.POSITIVE_INFINITY : stall.horizonUs;
    while (this.executed < maxEvents) {
      if (this.instant.size === 0 && !this.dueBy(untilUs)) return 'quiescent';
      const task = this.nextTask();
      if (task === undefined) return 'quiescent';
      if (this.now >= stallCheckUs) {
        const quietSinceUs = stall!.lastProgressUs();
        if (this.now - quietSinceUs > stall!.horizonUs && stall!.isHousekeeping(task.labelText()) && this.onlyHousekeeping(stall!)) return 'stalled';
        stallCheckUs = Math.max(quietSinceUs, this.now) + stall!.horizonUs;
      }
      this.executed++;
      if (this.taskObserver !== undefined) this.taskObserver(task.labelText());
      task.run();
    }
    return this.nextTaskPending() ? 'budget-exhausted' : 'quiescent';
  }

  /** Whether every live pending task is housekeeping (O(n); a stall check runs it rarely). */
  private onlyHousekeeping(stall: StallWatch): boolean {
    const busy = (task: Task): boolean => !task.cancelled && !stall.isHousekeeping(task.labelText());
    for (const task of this.instant.live()) if (busy(task)) return false;
    return !this.heap.some(busy);
  }

  /** Whether a live task is due at or before `untilUs` (drops cancelled tasks at the heap top). */
  private dueBy(untilUs: number): boolean {
    while (this.heap.length > 0 && this.heap[0]!.cancelled) this.heapPop();
    return this.heap.length > 0 && this.heap[0]!.atUs <= untilUs;
  }

  private nextTaskPending(): boolean {
    return this.instant.eligibleCount > 0 || this.heap.some((t) => !t.cancelled);
  }

  private nextTask(): Task | undefined {
    if (this.instant.size === 0) {
      const first = this.popLive();
      if (first === undefined) return undefined;
      assert(first.atUs >= this.now, 'virtual time never goes backwards');
      this.now = first.atUs;
      if (!this.liveDueNow()) return first; // the common case: one task due
      this.instant.add(first);
      while (this.liveDueNow()) this.instant.add(this.heapPop()!);
    }
    return this.chooseInstant();
  }

  /** Several tasks are due now: the chooser picks among the eligible ones, and it is recorded. */
  private chooseInstant(): Task {
    const instant = this.instant;
    assert(instant.eligibleCount > 0, 'an open instant holds a live task');
    if (instant.eligibleCount === 1) return instant.take(0);
    const pick = this.ask('order', instant.eligibleCount, (index) => labelOf(instant.eligibleAt(index)));
    return instant.take(pick);
  }

  /**
   * A draw that the chooser decides (choose-draws mode, sim/kernel/choosing-stream.ts): asked and
   * recorded exactly like an ordering, so checkers branch on it and schedules name it.
   */
  chooseDraw(count: number, label: (index: number) => string): number {
    assert(Number.isInteger(count) && count >= 2, 'a drawn choice has at least two options');
    return this.ask('draw', count, label);
  }

  /** Asks the chooser at a choice point and records the decision by its options' labels. */
  private ask(kind: ChoicePoint['kind'], count: number, label: (index: number) => string): number {
    const chosen = this.chooser.choose({ kind, count, nowUs: this.now, label });
    assert(Number.isInteger(chosen) && chosen >= 0 && chosen < count, 'chooser picks an option');
    if (this.choices.length < this.maxRecordedChoices) {
      const options = Array.from({ length: count }, (_, i) => label(i));
      this.choices.push({ t: this.now, options, chosen: options[chosen]! });
    }
    return chosen;
  }

  /** The next live task of the heap (cancelled ones are dropped on the way). */
  private popLive(): Task | undefined {
    let task = this.heapPop();
    while (task?.cancelled) task = this.heapPop();
    return task;
  }

  /** Whether a live task at the current instant tops the heap (cancelled ones at the top are dropped). */
  private liveDueNow(): boolean {
    while (this.heap.length > 0 && this.heap[0]!.cancelled) this.heapPop();
    return this.heap.length > 0 && this.heap[0]!.atUs === this.now;
  }

  private heapPush(task: Task): void {
    const heap = this.heap;
    heap.push(task);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(task, heap[parent]!)) break;
      heap[i] = heap[parent]!;
      i = parent;
    }
    heap[i] = task;
  }

  private heapPop(): Task | undefined {
    const heap = this.heap;
    if (heap.length === 0) return undefined;
    const top = heap[0]!;
    const last = heap.pop()!;
    if (heap.length > 0) {
      let i = 0;
      const n = heap.length;
      for (;;) {
        const left = 2 * i + 1;
        if (left >= n) break;
        const right = left + 1;
        const child = right < n && before(heap[right]!, heap[left]!) ? right : left;
        if (!before(heap[child]!, last)) break;
        heap[i] = heap[child]!;
        i = child;
      }
      heap[i] = last;
    }
    return top;
  }
}

function labelOf(task: Task): string {
  return task.labelText();
}

function before(a: Task, b: Task): boolean {
  return a.atUs < b.atUs || (a.atUs === b.atUs && a.id < b.id);
}

/** The default chooser: a uniform pick from the run's `ties` stream. */
export function seededChooser(next: () => number): Chooser {
  return { choose: (point) => Math.floor(next() * point.count) };
}
