import { describe, expect, it } from 'vitest';
import { formatFalseAlarmReport, runFalseAlarmCampaign, type FalseAlarmMode } from '../../bench/false-alarm-campaign.ts';

/**
 * A short false-alarm campaign (test/tools/false-alarm-campaign.mjs runs long ones): the real
 * batcher raises no violation beyond documented Triton behaviour in any mode. Each range holds a
 * seed that once raised a false alarm: 921108 (the cancel-release leak starving a backlog) and
 * 63031 (a reused id next to a reaped sequence, compared across configurations).
 */
describe('false-alarm campaign: no violation from the real batcher', () => {
  it.each<[FalseAlarmMode, number, number]>([
    ['plain', 920_800, 600],
    ['lifecycle', 5_000, 500],
    ['metamorphic', 62_700, 500],
  ])('%s: seeds from %i', async (mode, from, seeds) => {
    const [report] = await runFalseAlarmCampaign({ modes: [mode], from, seeds, budgetMs: Number.POSITIVE_INFINITY, workers: 1 });
    expect(report!.seedsRun).toBe(seeds);
    expect(report!.violating, formatFalseAlarmReport(report!)).toEqual([]);
    expect(report!.violatingRuns).toBe(0);
    if (mode === 'plain') expect(report!.knownTritonRuns).toBeGreaterThan(0);
    if (mode === 'metamorphic') {
      expect(report!.metamorphic!.sequences_compared).toBeGreaterThan(50);
      expect(report!.metamorphic!.excluded!['id-conflict']).toBeGreaterThan(0);
      expect(formatFalseAlarmReport(report!)).toMatch(
        /^metamorphic: 500 seeds \(62700…63199\) in .*\n {2}compared: 500 seed\(s\), \d+ sequence\(s\); excluded \d+ \(.*id-conflict \d+/,
      );
    }
  });
});
