import { assert } from '../core/assert.ts';

/** A (model instance, sequence slot) pair. */
export interface SlotRef {
  readonly instance: number;
  readonly slot: number;
}

/**
 * Triton's free-slot heap: a std::priority_queue ordered only by slot index (lowest on top).
 * This emulates libstdc++'s push_heap / pop_heap (__adjust_heap) exactly, because ties between
 * instances are decided by heap mechanics: a fresh 2×3 pool hands out
 * (I0,s0)(I1,s0)(I1,s1)(I0,s1)(I1,s2)(I0,s2), not instance order.
 */
export class TritonSlotHeap {
  private readonly items: SlotRef[] = [];

  get size(): number {
    return this.items.length;
  }

  push(ref: SlotRef): void {
    this.items.push(ref);
    this.siftUp(this.items.length - 1, 0, ref);
  }

  pop(): SlotRef | undefined {
    const items = this.items;
    if (items.length === 0) return undefined;
    const top = items[0]!;
    const last = items[items.length - 1]!;
    if (items.length > 1) {
      items[items.length - 1] = top;
      this.adjust(0, items.length - 1, last);
    }
    items.pop();
    return top;
  }

  /** Keeps only the slots `keep` accepts, popping and re-pushing in heap order (Triton rebuilds its heap on an update). */
  retain(keep: (ref: SlotRef) => boolean): void {
    const all: SlotRef[] = [];
    for (let ref = this.pop(); ref !== undefined; ref = this.pop()) all.push(ref);
    for (const ref of all) if (keep(ref)) this.push(ref);
  }

  /** libstdc++ comparator: a is "less" (lower priority) than b when its slot index is larger. */
  private static less(a: SlotRef, b: SlotRef): boolean {
    return a.slot > b.slot;
  }

  /** std::__push_heap */
  private siftUp(holeIndex: number, topIndex: number, value: SlotRef): void {
    const items = this.items;
    let hole = holeIndex;
    let parent = (hole - 1) >> 1;
    while (hole > topIndex && TritonSlotHeap.less(items[parent]!, value)) {
      items[hole] = items[parent]!;
      hole = parent;
      parent = (hole - 1) >> 1;
    }
    items[hole] = value;
  }

  /** std::__adjust_heap over the first `length` items. */
  private adjust(holeIndex: number, length: number, value: SlotRef): void {
    const items = this.items;
    const topIndex = holeIndex;
    let hole = holeIndex;
    let secondChild = holeIndex;
    while (secondChild < (length - 1) >> 1) {
      secondChild = 2 * (secondChild + 1);
      if (TritonSlotHeap.less(items[secondChild]!, items[secondChild - 1]!)) secondChild--;
      items[hole] = items[secondChild]!;
      hole = secondChild;
    }
    if ((length & 1) === 0 && secondChild === (length - 2) >> 1) {
      secondChild = 2 * (secondChild + 1);
      items[hole] = items[secondChild - 1]!;
      hole = secondChild - 1;
    }
    this.siftUp(hole, topIndex, value);
  }
}

/** The alternative tie-break: lowest slot first, then lowest instance. */
export class InstanceMajorSlotHeap {
  private readonly items: SlotRef[] = [];

  get size(): number {
    return this.items.length;
  }

  push(ref: SlotRef): void {
    const at = this.items.findIndex((r) => r.slot > ref.slot || (r.slot === ref.slot && r.instance > ref.instance));
    if (at < 0) this.items.push(ref);
    else this.items.splice(at, 0, ref);
  }

  pop(): SlotRef | undefined {
    return this.items.shift();
  }

  retain(keep: (ref: SlotRef) => boolean): void {
    const kept = this.items.filter(keep);
    this.items.length = 0;
    this.items.push(...kept);
  }
}

export type FreeSlotPool = TritonSlotHeap | InstanceMajorSlotHeap;
export type SlotOrder = 'triton-heap' | 'instance-major';

/**
 * All slots start free, pushed instance-major with slots ascending, as Triton does at load.
 * `instances` is a count (instances 0…n-1) or the instances' trace numbers.
 */
export function makeFreeSlotPool(order: SlotOrder, instances: number | readonly number[], slotsPerInstance: number): FreeSlotPool {
  const ids = typeof instances === 'number' ? Array.from({ length: instances }, (_, i) => i) : instances;
  assert(ids.length >= 1 && slotsPerInstance >= 1, 'a model has at least one slot');
  const pool = order === 'triton-heap' ? new TritonSlotHeap() : new InstanceMajorSlotHeap();
  pushInstanceSlots(pool, ids, slotsPerInstance);
  return pool;
}

/** Every slot of `instances` into the pool, instance by instance, slots ascending. */
export function pushInstanceSlots(pool: FreeSlotPool, instances: readonly number[], slotsPerInstance: number): void {
  for (const instance of instances) {
    for (let slot = 0; slot < slotsPerInstance; slot++) pool.push({ instance, slot });
  }
}
