import { describe, expect, it } from 'vitest';
import { benchSections, profileOf, runBench, type BenchSection } from '../../cli/commands/bench.ts';
import { FULL_BENCH, QUICK_BENCH } from '../../bench/profile.ts';
import type { CliIO } from '../../cli/command.ts';
import { benchPeer } from '../../bench/peer-bench.ts';
import { inProcessPeerSection, startupSection, workersSection } from '../../cli/commands/bench-explore-sections.ts';

function capture(): { io: CliIO; out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return { io: { out: (t) => (out += t), err: (t) => (err += t), interactive: false }, out: () => out, err: () => err };
}

describe('seqsim bench', () => {
  it('runs the quick set by default; --full adds swarm, the zoo campaigns and the bigger sizes; flags override sizes', () => {
    expect(profileOf({})).toEqual(QUICK_BENCH);
    expect(profileOf({ full: true })).toEqual(FULL_BENCH);
    expect(profileOf({ requests: 2000, 'zoo-campaigns': 0 })).toMatchObject({ requests: 2000, zooCampaigns: 0 });
    const titles = (full: boolean): string[] => benchSections(profileOf({ full })).map((s) => s.title);
    expect(titles(false).filter((t) => t.startsWith('swarm') || t.startsWith('bug zoo'))).toEqual([]);
    expect(titles(true).filter((t) => t.startsWith('swarm') || t.startsWith('bug zoo'))).toHaveLength(2);
    expect(() => profileOf({ requests: -1 })).toThrow(/--requests must be a positive integer/);
  });

  it("prints issue 19's figures in the quick set too: start-up, 1 and 2 workers, and every zoo bug against the fast-check peer", () => {
    const titles = (args: Record<string, unknown>): string[] => benchSections(profileOf(args)).map((s) => s.title);
    for (const args of [{}, { full: true }]) {
      expect(titles(args).filter((t) => t.startsWith('start-up:'))).toHaveLength(1);
      expect(titles(args).filter((t) => t.startsWith('explore --generate with 1 and 2 workers'))).toHaveLength(1);
    }
    // The quick set races in this process; --full (and --peer-campaigns) spawns whole commands instead.
    const races = (args: Record<string, unknown>): string[] => titles(args).filter((t) => t.startsWith('seqsim explore vs'));
    expect(races({})).toEqual([
      expect.stringMatching(/^seqsim explore vs the fast-check peer in this process: 1 campaign\(s\) per bug, each side capped at 0.2 s$/),
    ]);
    expect(races({ full: true })).toEqual([
      expect.stringMatching(/^seqsim explore vs the fast-check peer: 10 campaign\(s\) per bug, each side capped at 60 s$/),
    ]);
    expect(races({ 'peer-campaigns': 2 })).toEqual([expect.stringMatching(/^seqsim explore vs the fast-check peer: 2 campaign/)]);
    expect(profileOf({ 'worker-seeds': 0 })).toMatchObject({ workerSeeds: 0 });
    expect(titles({ 'worker-seeds': 0 }).some((t) => t.startsWith('explore --generate'))).toBe(false);
  });

  it('compares seqsim with the fast-check peer as whole commands only with --zoo (3 campaigns, 3 s) or --full (10, 60 s)', () => {
    expect(profileOf({})).toMatchObject({ peerCampaigns: 0 });
    expect(profileOf({ zoo: true })).toMatchObject({ peerCampaigns: 3, peerBudgetMs: 3000 });
    expect(profileOf({ full: true })).toMatchObject({ peerCampaigns: 10, peerBudgetMs: 60_000 });
    expect(profileOf({ zoo: true, 'peer-campaigns': 5, 'peer-budget': 10 })).toMatchObject({ peerCampaigns: 5, peerBudgetMs: 10_000 });
  });

  it('times whole commands from fresh processes: Node alone, seqsim --help, a small run and the peer, wall and CPU', async () => {
    const figures: Record<string, number> = {};
    const text = await startupSection(1).run(figures, () => {});
    for (const key of ['node', 'help', 'run', 'peer']) {
      expect(figures[`startup_${key}_wall_ms_median`]).toBeGreaterThan(0);
      // CPU comes from /proc in 10 ms ticks: a start-up costs more than one.
      expect(figures[`startup_${key}_cpu_ms_median`]).toBeGreaterThan(0);
    }
    expect(figures['startup_runs']).toBe(1);
    expect(text).toMatch(/^start-up, whole commands \(median of 1 fresh processes; goal for seqsim ≤ 300 ms wall/);
    expect(text).toMatch(/\n {2}node <an empty script> \(the floor of both sides\) +\d+ ms wall, \d+ ms CPU\n/);
    expect(text).toMatch(/\n {2}seqsim --help +\d+ ms wall, \d+ ms CPU\n/);
    // Node alone is the floor under every whole command.
    expect(figures['startup_node_wall_ms_median']).toBeLessThan(figures['startup_help_wall_ms_median']!);
    expect(text).toMatch(/\n {2}seqsim run sim\/examples\/direct-basic.json --trace <tmp> +\d+ ms wall, \d+ ms CPU\n/);
    expect(text).toMatch(/\n {2}fast-check peer, 1 ms budget +\d+ ms wall, \d+ ms CPU\n$/);
  }, 60_000);

  it('measures explore seeds/s with 1 and 2 workers', async () => {
    const figures: Record<string, number> = {};
    const text = await workersSection(20).run(figures, () => {});
    expect(figures).toMatchObject({ explore_worker_seeds: 20 });
    expect(figures['explore_seeds_per_s_1_worker']).toBeGreaterThan(0);
    expect(figures['explore_seeds_per_s_2_workers']).toBeGreaterThan(0);
    expect(text).toMatch(/^explore --generate, real batcher, 20 seeds .*: \d+ seeds\/s with 1 worker, \d+ with 2 \([\d.]+×\)\n$/);
  }, 60_000);

  it('races seqsim against the fast-check peer in-process: median / p90 and shrunk size per side, a miss printed with its cap', async () => {
    const profile = { ...QUICK_BENCH, inProcessPeerCampaigns: 2, inProcessPeerBudgetMs: 5000 };
    const figures: Record<string, number> = {};
    const progress: string[] = [];
    const text = await inProcessPeerSection(profile, ['padding-ready']).run(figures, (line) => progress.push(line));
    expect(progress).toEqual(['padding-ready: seqsim 2/2, peer 2/2']);
    expect(text).toMatch(/\n {2}padding-ready +2\/2, [\d.]+ \/ [\d.]+ ms, [12] req +2\/2, [\d.]+ \/ [\d.]+ ms, [12] req\n/);
    expect(text).toMatch(/found: seqsim 1 of 1 bugs, the peer 1;/);
    expect(figures).toMatchObject({
      peer_in_process_budget_ms: 5000,
      peer_in_process_padding_ready_seqsim_found: 2,
      peer_in_process_padding_ready_seqsim_campaigns: 2,
      peer_in_process_padding_ready_fastcheck_found: 2,
    });
    for (const side of ['seqsim', 'fastcheck']) {
      const key = `peer_in_process_padding_ready_${side}`;
      expect(figures[`${key}_ms_p90`]).toBeGreaterThanOrEqual(figures[`${key}_ms_median`]!);
      expect(figures[`${key}_shrunk_requests_median`]).toBeLessThanOrEqual(2);
    }
    // The peer's property misses idle-from-completion (docs/zoo.md): one campaign, then no more on it.
    const missed: Record<string, number> = {};
    const one = { ...QUICK_BENCH, inProcessPeerCampaigns: 3, inProcessPeerBudgetMs: 50 };
    const missText = await inProcessPeerSection(one, ['idle-from-completion']).run(missed, () => {});
    expect(missText).toMatch(/\n {2}idle-from-completion +.* {2,}not found in 0.05 s\n/);
    expect(missed).toMatchObject({ peer_in_process_idle_from_completion_fastcheck_found: 0, peer_in_process_idle_from_completion_fastcheck_campaigns: 1 });
    expect(JSON.parse(JSON.stringify(missed))).toMatchObject({ peer_in_process_idle_from_completion_fastcheck_ms_median: null });
  }, 60_000);

  it('races seqsim explore (the CLI) against the fast-check peer (its own command) on a zoo bug', () => {
    const { rows, nodeAloneMsMedian } = benchPeer({ campaigns: 1, budgetMs: 20_000, bugs: ['padding-ready'] });
    const [row] = rows;
    // Node alone, timed beside the campaigns: the floor under both whole commands.
    expect(nodeAloneMsMedian).toBeGreaterThan(0);
    expect(nodeAloneMsMedian).toBeLessThan(row!.seqsim.msMedian);
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
    expect(text.err()).toMatch(/^bench \[1\/2\] one…\nbench \[1\/2\] done in [\d.]+ s \([\d.]+ s CPU in this process\)\nbench \[2\/2\] two…\n/);
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
    // The checked run part by part (issue 19 §1's profile), and the floor it implies.
    const parts = /per trace event, best of 2 warm runs each: the world alone .* [\d.]+ µs; recorded .* [\d.]+; \+ trace bytes [\d.]+;/;
    expect(text.out()).toMatch(new RegExp(`${parts.source} \\+ oracles instead [\\d.]+; both [\\d.]+`));
    const floor = /the trace's bytes alone .*: [\d.]+ µs\/event \(V8's JSON.stringify alone of the same events: [\d.]+\);/;
    expect(text.out()).toMatch(new RegExp(`${floor.source} with the world alone that is [\\d.]+ µs, at most \\d+ trace events/s`));
    expect(text.out()).toMatch(/reload Direct → Oldest under load/);
    expect(text.out()).not.toMatch(/target/i);
  });
});
