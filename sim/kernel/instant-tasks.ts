import { assert } from '../../src/core/assert.ts';

/** A power of two plus one (Fenwick trees are 1-based). */
const INITIAL_TREE_SIZE = 64 + 1;

/** What the instant needs of a task: its channel (one task per channel may run next) and whether it was cancelled. */
export interface InstantTask {
  readonly channel: string | undefined;
  cancelled: boolean;
  /** Its position in the current instant, or -1 when it is not in one (kept by InstantTasks). */
  instantPos: number;
}

/**
 * The tasks due at the current instant, in schedule order, and which of them may run next: every
 * channel-less task and the first live task of each channel. The chooser picks the k-th eligible
 * task, so eligibility is kept in a Fenwick tree over the tasks' positions: adding, cancelling,
 * taking and finding the k-th eligible task all cost O(log n), however many tasks share the
 * instant (100k sequences starting at t = 0 must not cost n² scans).
 *
 * Positions only grow within an instant (tasks are appended in id order), so position order is
 * schedule order; everything is reset when the instant empties.
 */
export class InstantTasks<T extends InstantTask> {
  /** Tasks by position; a taken or cancelled task leaves a hole. */
  private tasks: (T | undefined)[] = [];
  /** Fenwick tree (1-based) over positions: 1 where the task is eligible. */
  private tree: Int32Array = new Int32Array(INITIAL_TREE_SIZE);
  /** Per channel, the positions of its waiting tasks in order; `head` indexes the eligible one. */
  private channels = new Map<string, { readonly positions: number[]; head: number }>();
  private entries = 0;
  private eligible = 0;

  /** Tasks still held, cancelled ones included until they are dropped (as the loop sees "an instant is open"). */
  get size(): number {
    return this.entries;
  }

  /** How many tasks may run next: the chooser's option count. */
  get eligibleCount(): number {
    return this.eligible;
  }

  add(task: T): void {
    const pos = this.tasks.length;
    if (pos + 1 >= this.tree.length) this.grow();
    this.tasks.push(task);
    task.instantPos = pos;
    this.entries++;
    if (task.cancelled) return;
    const channel = task.channel;
    if (channel === undefined) {
      this.mark(pos, 1);
      return;
    }
    const queue = this.channels.get(channel);
    if (queue === undefined) {
      this.channels.set(channel, { positions: [pos], head: 0 });
      this.mark(pos, 1);
    } else {
      queue.positions.push(pos);
    }
  }

  /** The k-th eligible task (0-based, schedule order). */
  eligibleAt(k: number): T {
    assert(k >= 0 && k < this.eligible, 'an eligible index is in range');
    // Fenwick descent: the smallest position whose prefix count exceeds k.
    const tree = this.tree;
    let pos = 0;
    let remaining = k;
    // The tree's size is a power of two: the descent starts at its top node.
    for (let step = tree.length - 1; step > 0; step >>= 1) {
      const next = pos + step;
      if (next < tree.length && tree[next]! <= remaining) {
        pos = next;
        remaining -= tree[next]!;
      }
    }
    const task = this.tasks[pos];
    assert(task !== undefined && !task.cancelled, 'an eligible position holds a live task');
    return task;
  }

  /** Removes the k-th eligible task and returns it; the next live task of its channel becomes eligible. */
  take(k: number): T {
    const task = this.eligibleAt(k);
    this.remove(task);
    return task;
  }

  /** A task of this instant was cancelled: it stops being eligible (its channel's next live task takes its place). */
  cancel(task: T): void {
    const pos = task.instantPos;
    if (pos < 0 || this.tasks[pos] !== task) return;
    if (this.isEligible(pos)) this.remove(task);
    // A waiting task stays in its channel's list and is skipped when the channel moves on.
  }

  /** Live tasks in schedule order (state digests and stall checks: O(n), never on the hot path). */
  *live(): IterableIterator<T> {
    for (const task of this.tasks) if (task !== undefined && !task.cancelled) yield task;
  }

  /** Drops every task (the instant is over: nothing eligible is left, only cancelled ones). */
  clear(): void {
    for (const task of this.tasks) if (task !== undefined) task.instantPos = -1;
    this.tasks = [];
    // A large instant's tree is not kept: clearing it for every later small instant would cost its size.
    if (this.tree.length > INITIAL_TREE_SIZE) this.tree = new Int32Array(INITIAL_TREE_SIZE);
    else this.tree.fill(0);
    this.channels.clear();
    this.entries = 0;
    this.eligible = 0;
  }

  private remove(task: T): void {
    const pos = task.instantPos;
    assert(this.isEligible(pos), 'only an eligible task leaves the instant this way');
    this.mark(pos, -1);
    this.tasks[pos] = undefined;
    task.instantPos = -1;
    this.entries--;
    if (task.channel !== undefined) this.advanceChannel(task.channel);
    if (this.eligible === 0) this.clear();
  }

  /** The channel's head left: the next live waiting task (if any) becomes eligible; cancelled ones are dropped. */
  private advanceChannel(channel: string): void {
    const queue = this.channels.get(channel)!;
    for (queue.head++; queue.head < queue.positions.length; queue.head++) {
      const pos = queue.positions[queue.head]!;
      const next = this.tasks[pos]!;
      if (!next.cancelled) {
        this.mark(pos, 1);
        return;
      }
      this.tasks[pos] = undefined;
      next.instantPos = -1;
      this.entries--;
    }
    this.channels.delete(channel);
  }

  private isEligible(pos: number): boolean {
    return this.prefix(pos + 1) - this.prefix(pos) === 1;
  }

  private prefix(count: number): number {
    let sum = 0;
    for (let i = count; i > 0; i -= i & -i) sum += this.tree[i]!;
    return sum;
  }

  private mark(pos: number, delta: 1 | -1): void {
    this.eligible += delta;
    for (let i = pos + 1; i < this.tree.length; i += i & -i) this.tree[i]! += delta;
  }

  /** Doubles the tree and rebuilds it from the eligible positions (amortised O(log n) per add). */
  private grow(): void {
    const tree = new Int32Array((this.tree.length - 1) * 2 + 1);
    for (let pos = 0; pos < this.tasks.length; pos++) if (this.isEligible(pos)) tree[pos + 1] = 1;
    // Linear Fenwick build: each node adds itself into its parent.
    for (let i = 1; i < tree.length; i++) {
      const parent = i + (i & -i);
      if (parent < tree.length) tree[parent]! += tree[i]!;
    }
    this.tree = tree;
  }
}
