import seedrandom from 'seedrandom';
import { assert } from '../../src/core/assert.ts';

/**
 * What a draw decides ("fault:request_drop:7:2", "latency:up:7:2"), built only when a choosing
 * stream asks for it: a seeded stream never calls it, so naming a draw costs a closure, no string.
 */
export type DrawName = () => string;

/** One named stream of randomness: seeded, or (check --choose-draws) decided by the run's chooser. */
export interface RandomStream {
  /** Uniform float in [0, 1). */
  next(): number;
  /** Uniform integer in [min, max], both inclusive. */
  int(min: number, max: number, what?: DrawName): number;
  /** True with probability `rate`. */
  chance(rate: number, what?: DrawName): boolean;
  /** One of `items`, uniformly (seeded: exactly the draw of `int(0, items.length - 1)`). */
  pick<T extends string>(items: readonly T[], what?: DrawName): T;
  /** How many values were drawn: with the seed, the stream's whole state (for state digests). */
  readonly draws: number;
}

/** The named streams of a run; using one never shifts another (design §1). */
export type StreamName = 'workload' | 'transport' | 'executor' | 'ties' | 'faults' | 'swarm';

export class RandomStreams {
  private readonly streams = new Map<StreamName, RandomStream>();

  constructor(readonly seed: number) {
    assert(Number.isSafeInteger(seed), 'seed is a safe integer');
  }

  stream(name: StreamName): RandomStream {
    let stream = this.streams.get(name);
    if (stream === undefined) {
      stream = makeStream(`seqsim:${this.seed}:${name}`);
      this.streams.set(name, stream);
    }
    return stream;
  }
}

function makeStream(seedText: string): RandomStream {
  const prng = seedrandom.alea(seedText);
  const next = (): number => {
    stream.draws++;
    return prng();
  };
  const stream: { draws: number } & Omit<RandomStream, 'draws'> = {
    draws: 0,
    next,
    int(min, max) {
      assert(Number.isInteger(min) && Number.isInteger(max) && min <= max, 'int(min, max) bounds');
      return min + Math.floor(next() * (max - min + 1));
    },
    chance(rate) {
      return rate > 0 && next() < rate;
    },
    pick(items) {
      assert(items.length > 0, 'pick() from a non-empty list');
      return items[stream.int(0, items.length - 1)]!;
    },
  };
  return stream;
}
