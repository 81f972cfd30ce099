import { describe, expect, it } from 'vitest';
import { explore } from '../../sim/explore/explore.ts';
import { merge, runCampaign } from '../../sim/explore/campaign.ts';
import type { ChunkResult } from '../../sim/explore/chunk.ts';
import type { MetamorphicStats } from '../../sim/explore/explore.ts';
import { compareUnder, variantSpecForSeed } from '../../sim/explore/metamorphic.ts';
import { shrinkCrossConfig } from '../../sim/explore/shrink-cross-config.ts';
import { scenarioForSeed } from '../../sim/explore/explore.ts';
import { parseVariant } from '../../sim/compare/variants.ts';

describe('explore --metamorphic', () => {
  it('draws a valid compare variant per seed, deterministically', () => {
    for (let seed = 1; seed <= 300; seed++) {
      const { json } = scenarioForSeed({ batcher: 'real' }, seed);
      const spec = variantSpecForSeed(seed, json['model'] as Record<string, unknown>);
      expect(variantSpecForSeed(seed, json['model'] as Record<string, unknown>)).toBe(spec);
      expect(parseVariant(spec).axes.length).toBeGreaterThan(0);
    }
  });

  it('the real batcher shows no cross-config difference over 3,000 seeds, and the comparison is not vacuous', () => {
    const result = explore({ from: 1, seeds: 3000, batcher: 'real', metamorphic: true, keepGoing: true, maxEvents: 200_000 });
    expect(result.findings.map((f) => `${f.oracle} at seed ${f.seed}: ${f.message}`)).toEqual([]);
    expect(result.metamorphic!.seeds_compared).toBeGreaterThan(2900);
    expect(result.metamorphic!.sequences_compared).toBeGreaterThan(500);
  });

  it('with lifecycle blocks too (loads and unloads are left out of the comparison)', () => {
    const result = explore({ from: 1, seeds: 1000, batcher: 'real', metamorphic: true, lifecycle: true, keepGoing: true, maxEvents: 200_000 });
    expect(result.findings.map((f) => `${f.oracle} at seed ${f.seed}: ${f.message}`)).toEqual([]);
  });

  it('finds a planted difference (state-not-reset-on-start), shrinks it with the variant fixed, and the shrunk case still differs', () => {
    const batcher = 'bug:state-not-reset-on-start';
    const result = explore({ from: 1, seeds: 300, batcher, metamorphic: true, keepGoing: true, maxEvents: 200_000 });
    const finding = result.findings.find((f) => f.oracle === 'cross-config');
    expect(finding).toBeDefined();
    expect(finding!.variant).toBeDefined();
    const shrunk = shrinkCrossConfig(finding!.scenarioJson, finding!.variant!, finding!.seed, batcher, { maxEvents: 200_000 });
    expect(shrunk.after.requests).toBeLessThanOrEqual(shrunk.before.requests);
    expect(shrunk.after.requests).toBeLessThanOrEqual(4);
    const again = compareUnder(shrunk.scenarioJson, finding!.variant!, finding!.seed, batcher);
    expect(again?.failure).toBe(shrunk.comparison.failure);
  });

  it('a zoo bug on the variant side only (batcher=) is a cross-config failure', () => {
    const failing = [];
    for (let seed = 1; seed <= 200; seed++) {
      const { json } = scenarioForSeed({ batcher: 'real' }, seed);
      const result = compareUnder(json, 'instances=1,batcher=bug:state-not-reset-on-start', seed, 'real');
      if (result?.failure !== undefined) failing.push(seed);
    }
    expect(failing.length).toBeGreaterThan(0);
  });

  it('gives the same findings with 1 or 2 worker threads', async () => {
    const base = {
      from: 1,
      seeds: 400,
      batcher: 'bug:state-not-reset-on-start',
      metamorphic: true,
      keepGoing: true,
      chunkSeeds: 50,
      maxEvents: 200_000,
    } as const;
    const one = await runCampaign({ ...base, workers: 1 });
    const two = await runCampaign({ ...base, workers: 2 });
    expect(one.firstByOracle['cross-config']).toBeDefined();
    expect(two).toEqual(one);
    // Exclusions by reason add up to the excluded total, summed over chunks like the other counts.
    const byReason = Object.values(one.metamorphic!.excluded!).reduce((sum, n) => sum + n, 0);
    expect(byReason).toBe(one.metamorphic!.sequences_excluded);
    expect(byReason).toBeGreaterThan(0);
  });

  it('merging a summary written before exclusions were counted by reason keeps the reasons it has', () => {
    const counts = { seeds_compared: 1, sequences_compared: 2, sequences_excluded: 3, variants_invalid: 0 };
    const part = (from: number, metamorphic: MetamorphicStats): ChunkResult => ({
      from,
      seedsRun: 1,
      violating: [],
      knownTritonRuns: 0,
      oraclesFired: {},
      faultsEnabled: {},
      faultsFired: {},
      lifecycleActions: {},
      metamorphic,
    });
    const excluded = { 'idle-timeout': 2, expired: 0, cancel: 0, fault: 0, reject: 0, lifecycle: 0, 'id-conflict': 1 };
    const merged = merge(1, 2, [part(1, { ...counts, excluded }), part(2, counts)], true);
    expect(merged.metamorphic).toEqual({ seeds_compared: 2, sequences_compared: 4, sequences_excluded: 6, variants_invalid: 0, excluded });
    expect(merge(1, 1, [part(1, counts)], true).metamorphic).toEqual(counts);
  });
});
