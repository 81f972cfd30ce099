import { describe, expect, it } from 'vitest';
import { benchSections, profileOf, runBench, type BenchSection } from '../../cli/commands/bench.ts';
import { FULL_BENCH, QUICK_BENCH } from '../../bench/profile.ts';
import type { CliIO } from '../../cli/command.ts';
import { benchPeer } from '../../bench/peer-bench.ts';

function capture(): { io: CliIO; out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return { io: { out: (t) => (out += t), err: (t) => (err += t), interactive: false }, out: () => out, err: () => err };
}

describe('seqsim bench', () => {
  it('runs the quick set by default; --full adds swarm and the worker figures and the bigger sizes; flags override sizes', () => {
    expect(profileOf({})).toEqual(QUICK_BENCH);
    expect(profileOf({ full: true })).toEqual(FULL_BENCH);
    expect(profileOf({ requests: 2000, 'zoo-campaigns': 0 })).toMatchObject({ requests: 2000, zooCampaigns: 0 });
    const titles = (full: boolean): string[] => benchSections(profileOf({ full })).map((s) => s.title);
    expect(titles(false).some((t) => t.startsWith('swarm') || t.startsWith('explore'))).toBe(false);
    expect(titles(true).filter((t) => t.startsWith('swarm') || t.startsWith('explore'))).toHaveLength(2);
    expect(() => profileOf({ requests: -1 })).toThrow(/--requests must be a positive integer/);
  });

  it('compares seqsim with the fast-check peer only with --zoo (3 campaigns, 3 s) or --full (10, 60 s)', () => {
    expect(profileOf({})).toMatchObject({ peerCampaigns: 0 });
    expect(benchSections(profileOf({})).some((s) => s.title.includes('fast-check peer'))).toBe(false);
    expect(profileOf({ zoo: true })).toMatchObject({ peerCampaigns: 3, peerBudgetMs: 3000 });
    expect(profileOf({ full: true })).toMatchObject({ peerCampaigns: 10, peerBudgetMs: 60_000 });
    expect(benchSections(profileOf({ full: true })).filter((s) => s.title.includes('fast-check peer'))).toHaveLength(1);
    expect(profileOf({ zoo: true, 'peer-campaigns': 5, 'peer-budget': 10 })).toMatchObject({ peerCampaigns: 5, peerBudgetMs: 10_000 });
  });

  it('races seqsim explore (the CLI) against the fast-check peer (its own command) on a zoo bug', () => {
    const [row] = benchPeer({ campaigns: 1, budgetMs: 20_000, bugs: ['padding-ready'] });
    expect(row).toMatchObject({ bug: 'padding-ready', hard: false, seqsim: { found: 1, campaigns: 1 }, peer: { found: 1, campaigns: 1 } });
    expect(row!.seqsim.msMedian).toBeGreaterThan(0);
    expect(row!.peer.shrunkRequestsMedian).toBeLessThanOrEqual(4);
    expect(row!.seqsim.shrunkRequestsMedian).toBeLessThanOrEqual(4);
  }, 120_000);

  it('reports progress on stderr and figures on stdout (one JSON object with --json)', async () => {
    const sections: BenchSection[] = [
      {
        title: 'one',
        run: (f) => {
          f['a'] = 1;
          return 'a = 1\n';
        },
      },
      {
        title: 'two',
        run: async (f) => {
          f['b'] = 2;
          return 'b = 2\n';
        },
      },
    ];
    const text = capture();
    await runBench(sections, text.io, false);
    expect(text.out()).toBe('a = 1\nb = 2\n');
    expect(text.err()).toMatch(/^bench \[1\/2\] one…\nbench \[1\/2\] done in [\d.]+ s\nbench \[2\/2\] two…\n/);
    const json = capture();
    await runBench(sections, json.io, true);
    expect(JSON.parse(json.out())).toEqual({ a: 1, b: 2 });
  });

  it('prints figures, not internal targets', async () => {
    const cheap = benchSections({ ...QUICK_BENCH, requests: 200, zooCampaigns: 0, compareSeeds: 5 }).filter(
      // The cheap ones: the 10,000-sequence and routing workloads take seconds whatever --requests says.
      (s) => s.title.startsWith('compare') || s.title.startsWith('reload') || s.title.endsWith(' 100 concurrent sequences'),
    );
    const text = capture();
    await runBench(cheap, text.io, false);
    expect(text.out()).toMatch(/Direct 2×8 slots, \d+ requests/);
    expect(text.out()).toMatch(/reload Direct → Oldest under load/);
    expect(text.out()).not.toMatch(/target/i);
  });
});
