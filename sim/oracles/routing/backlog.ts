import { assert } from '../../../src/core/assert.ts';
import type { Epoch } from './epoch.ts';

interface Waiting {
  readonly epoch: Epoch;
  /** The trace event that put the sequence in the backlog. */
  readonly index: number;
}

/** One model object's backlog queues in creation order; `head` skips those already resolved. */
interface CreationOrder {
  epochs: Epoch[];
  head: number;
}

/** Entries resolved at the front are dropped once they are this many and half the array. */
const COMPACT_AFTER = 1024;

/**
 * Sequences waiting in the backlog for a slot, by sequence key (one id may have several queues)
 * and in creation order per model object, the order Triton serves them in (spec §5 step 4).
 */
export class Backlog {
  /** Keys stay once added, even emptied: `atEnd` lists them in first-backlog order. */
  private readonly byKey = new Map<string, Waiting[]>();
  private readonly byGeneration = new Map<number | undefined, CreationOrder>();
  private waitingCount = 0;

  get size(): number {
    return this.waitingCount;
  }

  add(epoch: Epoch, generation: number | undefined, index: number): void {
    const queue = this.byKey.get(epoch.sequenceKey) ?? [];
    queue.push({ epoch, index });
    this.byKey.set(epoch.sequenceKey, queue);
    const order = this.byGeneration.get(generation) ?? { epochs: [], head: 0 };
    order.epochs.push(epoch);
    this.byGeneration.set(generation, order);
    this.waitingCount++;
  }

  /** The queue an assign promotes: the one `first_request` names, else the key's first. */
  promote(key: string, named: Epoch | undefined): Epoch | undefined {
    const queue = this.byKey.get(key);
    if (queue === undefined || queue.length === 0) return undefined;
    const at =
      named === undefined
        ? 0
        : Math.max(
            0,
            queue.findIndex((w) => w.epoch === named),
          );
    return this.take(queue, at);
  }

  /** The queue a backlog release removes: the one `first_request` names (nothing if it is not here), else the key's first. */
  leave(key: string, named: Epoch | undefined): Epoch | undefined {
    const queue = this.byKey.get(key) ?? [];
    const at = named === undefined ? 0 : queue.findIndex((w) => w.epoch === named);
    return at >= 0 && at < queue.length ? this.take(queue, at) : undefined;
  }

  /**
   * The model object's earliest-created queue still waiting for a slot. Being promoted or released
   * is final, so entries skipped once never need looking at again: amortised O(1) per call.
   */
  oldestWaiting(generation: number | undefined): Epoch | undefined {
    const order = this.byGeneration.get(generation);
    if (order === undefined) return undefined;
    while (order.head < order.epochs.length && !order.epochs[order.head]!.waitingForSlot) order.head++;
    if (order.head > COMPACT_AFTER && order.head * 2 > order.epochs.length) {
      order.epochs = order.epochs.slice(order.head);
      order.head = 0;
    }
    return order.epochs[order.head];
  }

  /** Sequences still waiting, each with its backlog event, keys in first-backlog order. */
  atEnd(): { sequenceKey: string; index: number }[] {
    const waiting: { sequenceKey: string; index: number }[] = [];
    for (const [key, queue] of this.byKey) for (const entry of queue) waiting.push({ sequenceKey: key, index: entry.index });
    return waiting;
  }

  private take(queue: Waiting[], at: number): Epoch {
    const { epoch } = queue.splice(at, 1)[0]!;
    // Only promotion or a backlog release takes a queue out, so it has waited until now.
    assert(epoch.waitingForSlot, 'a backlogged sequence neither holds a slot nor was released before it leaves the backlog');
    this.waitingCount--;
    return epoch;
  }
}
