import { benchPeer, type PeerBenchRow, type SideFigures } from '../../bench/peer-bench.ts';
import { benchPeerInProcess } from '../../bench/peer-in-process.ts';
import type { BenchProfile } from '../../bench/profile.ts';
import { benchStartup } from '../../bench/startup-bench.ts';
import { benchWorkers } from '../../bench/zoo-bench.ts';
import { keyOf, round, type BenchSection, type Figures } from './bench-section.ts';

/**
 * The sections that time what a user of `seqsim explore` waits for: the CLI's start-up, seeds/s
 * with 1 and 2 workers, and the race with the fast-check peer on every zoo bug (issue 19 §2, §3).
 */

/** Whole commands, fresh processes: wall and CPU time to start. */
export function startupSection(runs: number): BenchSection {
  return {
    title: `start-up: Node alone, seqsim --help, a small run and the fast-check peer's command, ${runs} fresh process(es) each`,
    run: (figures) => {
      const rows = benchStartup(runs);
      for (const row of rows) {
        figures[`startup_${row.key}_wall_ms_median`] = round(row.wallMsMedian);
        figures[`startup_${row.key}_cpu_ms_median`] = round(row.cpuMsMedian);
      }
      figures['startup_runs'] = runs;
      const lines = rows.map((r) => `  ${r.command.padEnd(56)} ${round(r.wallMsMedian)} ms wall, ${round(r.cpuMsMedian)} ms CPU`);
      const header = `start-up, whole commands (median of ${runs} fresh processes; goal for seqsim ≤ 300 ms wall; CPU: user + system, all threads):`;
      return `${header}\n${lines.join('\n')}\n`;
    },
  };
}

export function workersSection(seeds: number): BenchSection {
  return {
    title: `explore --generate with 1 and 2 workers, ${seeds} seeds`,
    run: async (figures) => {
      const workers = await benchWorkers(seeds);
      figures['explore_worker_seeds'] = seeds;
      figures['explore_seeds_per_s_1_worker'] = round(workers.workers1SeedsPerS);
      figures['explore_seeds_per_s_2_workers'] = round(workers.workers2SeedsPerS);
      return (
        `explore --generate, real batcher, ${seeds} seeds (in this process; 2 workers: this thread and one worker thread, its start included): ` +
        `${round(workers.workers1SeedsPerS)} seeds/s with 1 worker, ${round(workers.workers2SeedsPerS)} with 2 ` +
        `(${round(workers.workers2SeedsPerS / workers.workers1SeedsPerS, 2)}×)\n`
      );
    },
  };
}

/** seqsim explore vs the fast-check peer (bench/fastcheck-peer) on every zoo bug, whole commands spawned. */
export function peerSection(profile: BenchProfile, bugs?: readonly string[]): BenchSection {
  const capS = profile.peerBudgetMs / 1000;
  return {
    title: `seqsim explore vs the fast-check peer: ${profile.peerCampaigns} campaign(s) per bug, each side capped at ${capS} s`,
    run: (figures, progress) => {
      const { rows, nodeAloneMsMedian: nodeMs } = benchPeer({
        campaigns: profile.peerCampaigns,
        budgetMs: profile.peerBudgetMs,
        onProgress: progress,
        ...(bugs ? { bugs } : {}),
      });
      addPeerFigures(figures, 'peer', rows);
      figures['peer_node_alone_ms_median'] = round(nodeMs, 1);
      const header =
        'seqsim explore vs the fast-check peer (whole commands spawned, start-up included, 1 worker; ' +
        "found/campaigns, median / p90 ms to the first failure, median shrunk requests; the peer's median over seqsim's):";
      return formatPeer(header, rows, capS, true) + nodeFloorNote(rows, nodeMs);
    },
  };
}

/**
 * Issue 19 §3's goal against the floor neither side can go under: a 2× win on a bug needs seqsim's
 * whole command within half the peer's median, and Node alone already takes `nodeMs` of that. For
 * each bug both find where seqsim is not 2× faster: what such a win would leave seqsim beyond
 * Node's start-up, against what it takes beyond it now.
 */
function nodeFloorNote(rows: readonly PeerBenchRow[], nodeMs: number): string {
  const short = rows.filter((r) => r.seqsim.found > 0 && r.peer.found > 0 && r.peer.msMedian < 2 * r.seqsim.msMedian);
  const room = short.map((r) => {
    const halfMs = r.peer.msMedian / 2;
    const leftMs = halfMs - nodeMs;
    return leftMs <= 0
      ? `${r.bug} ≤ ${round(halfMs)} ms, under Node alone`
      : `${r.bug} ≤ ${round(halfMs)} ms, ${round(leftMs)} ms beyond Node (seqsim now takes ${round(r.seqsim.msMedian - nodeMs)} beyond it)`;
  });
  return (
    `  Node alone starts and exits in ${round(nodeMs)} ms (an empty script, median of one run per campaign between the two sides' commands)` +
    (short.length === 0
      ? '; seqsim is 2× faster on every bug both sides find\n'
      : `; a 2× win where seqsim has none needs its whole command within: ${room.join('; ')}\n`)
  );
}

/** The same race in this process: no start-up on either side (the quick set's version). */
export function inProcessPeerSection(profile: BenchProfile, bugs?: readonly string[]): BenchSection {
  const campaigns = profile.inProcessPeerCampaigns;
  const capS = profile.inProcessPeerBudgetMs / 1000;
  return {
    title: `seqsim explore vs the fast-check peer in this process: ${campaigns} campaign(s) per bug, each side capped at ${capS} s`,
    run: async (figures, progress) => {
      const rows = await benchPeerInProcess({ campaigns, budgetMs: profile.inProcessPeerBudgetMs, onProgress: progress, ...(bugs ? { bugs } : {}) });
      figures['peer_in_process_budget_ms'] = profile.inProcessPeerBudgetMs;
      addPeerFigures(figures, 'peer_in_process', rows);
      const found = (side: 'seqsim' | 'peer'): number => rows.filter((r) => r[side].found > 0).length;
      const header =
        `seqsim explore vs the fast-check peer, both in this process (start-up excluded: each whole command adds its start-up above), ` +
        `from seed 1, ${campaigns === 1 ? 'ms to the first failure' : 'found/campaigns, median / p90 ms to the first failure'}, ` +
        `shrunk requests (a side that misses a bug's first campaign is not run again on it):`;
      const footer =
        `  found: seqsim ${found('seqsim')} of ${rows.length} bugs, the peer ${found('peer')}; ` +
        'issue 19 §3 times whole commands over 10 campaigns: `seqsim bench --zoo` or `--full`\n';
      return formatPeer(header, rows, capS) + footer;
    },
  };
}

function addPeerFigures(figures: Figures, prefix: string, rows: readonly PeerBenchRow[]): void {
  for (const row of rows) {
    const key = `${prefix}_${keyOf(row.bug)}`;
    for (const [side, f] of [
      ['seqsim', row.seqsim],
      ['fastcheck', row.peer],
    ] as const) {
      figures[`${key}_${side}_found`] = f.found;
      figures[`${key}_${side}_campaigns`] = f.campaigns;
      figures[`${key}_${side}_ms_median`] = round(f.msMedian, 1);
      figures[`${key}_${side}_ms_p90`] = round(f.msP90, 1);
      figures[`${key}_${side}_shrunk_requests_median`] = f.shrunkRequestsMedian;
    }
  }
}

function formatPeer(header: string, rows: readonly PeerBenchRow[], capS: number, ratio = false): string {
  const ms = (value: number): string => (value < 10 ? value.toFixed(1) : value.toFixed(0));
  const side = (f: SideFigures): string => {
    if (f.found === 0) return `not found in ${f.campaigns === 1 ? '' : `${f.campaigns}×`}${capS} s`.padEnd(36);
    const time = f.campaigns === 1 ? `${ms(f.msMedian)} ms` : `${f.found}/${f.campaigns}, ${ms(f.msMedian)} / ${ms(f.msP90)} ms`;
    return `${time}, ${f.shrunkRequestsMedian} req`.padEnd(36);
  };
  const lines = [header, `  ${'bug'.padEnd(34)} ${'seqsim'.padEnd(36)} fast-check peer`];
  for (const r of rows) {
    const times = ratio && r.seqsim.found > 0 && r.peer.found > 0 ? ` ${ms(r.peer.msMedian / r.seqsim.msMedian)}×`.padStart(7) : '';
    lines.push(`  ${`${r.bug}${r.hard ? ' (hard)' : ''}`.padEnd(34)} ${side(r.seqsim)} ${side(r.peer)}${times}`.trimEnd());
  }
  return `${lines.join('\n')}\n`;
}
