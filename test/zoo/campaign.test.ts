import { describe, expect, it } from 'vitest';
import { merge, runCampaign, shardRange } from '../../sim/explore/campaign.ts';
import { runChunk } from '../../sim/explore/chunk.ts';

describe('exploration campaigns', () => {
  it('shards partition a seed range exactly', () => {
    for (const [seeds, n] of [
      [1000, 3],
      [7, 4],
      [1, 1],
      [100, 100],
    ] as const) {
      const parts = Array.from({ length: n }, (_, i) => shardRange(10, seeds, i + 1, n));
      expect(parts[0]!.from).toBe(10);
      for (let i = 1; i < n; i++) expect(parts[i]!.from).toBe(parts[i - 1]!.from + parts[i - 1]!.seeds);
      expect(parts.reduce((sum, p) => sum + p.seeds, 0)).toBe(seeds);
    }
  });

  it('gives the same findings with 1 or 2 worker threads, and merged shards give them too', async () => {
    const base = { from: 1, seeds: 600, batcher: 'bug:backlog-lifo', keepGoing: true, chunkSeeds: 100 } as const;
    const one = await runCampaign({ ...base, workers: 1 });
    const two = await runCampaign({ ...base, workers: 2 });
    expect(one.violating.length).toBeGreaterThan(0);
    expect(two).toEqual(one);
    const shards = [1, 2, 3].map((k) => shardRange(1, 600, k, 3)).map((range) => runChunk({ ...range, batcher: base.batcher, stopAtFirst: false }));
    expect(merge(1, 600, shards, true)).toEqual(one);
  });

  it('stopping at the first violation reports the lowest violating seed whatever the chunking', async () => {
    const base = { from: 1, seeds: 400, batcher: 'bug:backlog-lifo', keepGoing: false, workers: 1 } as const;
    const small = await runCampaign({ ...base, chunkSeeds: 7 });
    const large = await runCampaign({ ...base, chunkSeeds: 400 });
    expect(small.violating).toHaveLength(1);
    expect(large.violating).toEqual(small.violating);
    expect(small.firstByOracle).toEqual(large.firstByOracle);
  });
});
