import { assert, InvariantError } from '../../src/core/assert.ts';
import type { DrawName, RandomStream } from './random.ts';

/** Where a choosing stream takes its decisions: the run's event loop, which asks its chooser. */
export interface DrawDecider {
  /** Asks the chooser to pick one of `count` options and records the choice; returns its index. */
  chooseDraw(count: number, label: (index: number) => string): number;
}

/** A ranged value offers these buckets, not every integer: the edges and the middle of the range. */
const BUCKETS = ['min', 'mid', 'max'] as const;

/**
 * A random stream that draws nothing (`check --choose-draws`): each fault decision is a choice
 * between `<what>=skip` and `<what>=fire`, each ranged value one among `<what>=min|mid|max`, and a
 * pick one among `<what>=<item>` — option 0 first (skip, min), which checkers take beyond their
 * depth bound. A certain outcome (rate ≤ 0 or ≥ 1, a one-value range) asks nothing.
 *
 * It has no position: what it returns is whatever the chooser answered, so a state digest that
 * sees it sees a constant (`draws` stays 0) and equal digests still mean the same future.
 */
export class ChoosingStream implements RandomStream {
  readonly draws = 0;

  constructor(private readonly decider: DrawDecider) {}

  next(): number {
    throw new InvariantError('a choosing stream decides named draws only (chance, int, pick)');
  }

  chance(rate: number, what?: DrawName): boolean {
    if (rate <= 0) return false;
    if (rate >= 1) return true;
    const name = nameOf(what);
    return this.decider.chooseDraw(2, (i) => `${name}=${i === 0 ? 'skip' : 'fire'}`) === 1;
  }

  int(min: number, max: number, what?: DrawName): number {
    assert(Number.isInteger(min) && Number.isInteger(max) && min <= max, 'int(min, max) bounds');
    if (min === max) return min;
    const name = nameOf(what);
    // Two apart or more, the middle differs from both edges; adjacent bounds have no middle.
    const buckets = max - min >= 2 ? BUCKETS : (['min', 'max'] as const);
    const bucket = buckets[this.decider.chooseDraw(buckets.length, (i) => `${name}=${buckets[i]!}`)]!;
    return bucket === 'min' ? min : bucket === 'max' ? max : Math.floor((min + max) / 2);
  }

  pick<T extends string>(items: readonly T[], what?: DrawName): T {
    assert(items.length > 0, 'pick() from a non-empty list');
    if (items.length === 1) return items[0]!;
    const name = nameOf(what);
    return items[this.decider.chooseDraw(items.length, (i) => `${name}=${items[i]!}`)]!;
  }
}

function nameOf(what: DrawName | undefined): string {
  assert(what !== undefined, 'a chosen draw is named (its label is what schedules record)');
  return what();
}
