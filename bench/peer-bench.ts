import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packagePath } from '../src/core/package-path.ts';
import { percentileOf } from '../src/core/percentile.ts';
import { wallClockMs } from '../live/wall-clock.ts';
import { ZOO } from '../sim/zoo/variants.ts';
import { HARD_ZOO } from '../sim/zoo/hard-variants.ts';
import { scenarioForSeed } from '../sim/explore/explore.ts';
import { shrinkScenario } from '../sim/explore/shrink.ts';
import type { PeerResult } from './fastcheck-peer/run-peer.ts';
import { nodeAloneMs } from './startup-bench.ts';

/** One side's campaigns on one bug: how many found it, time to the first failure (whole command), shrunk size. */
export interface SideFigures {
  readonly found: number;
  readonly campaigns: number;
  /** Over the campaigns that found it; NaN when none did. */
  readonly msMedian: number;
  readonly msP90: number;
  readonly shrunkRequestsMedian: number;
}

export interface PeerBenchRow {
  readonly bug: string;
  readonly hard: boolean;
  readonly seqsim: SideFigures;
  readonly peer: SideFigures;
}

export interface PeerBenchOptions {
  readonly campaigns: number;
  /** Each side's cap per campaign: explore --time-budget, the peer's interruptAfterTimeLimit. */
  readonly budgetMs: number;
  /** Only these bugs (default: the shallow and the hard zoo). */
  readonly bugs?: readonly string[];
  readonly onProgress?: (line: string) => void;
}

const MAX_EVENTS = 200_000;

/**
 * For each zoo bug, `campaigns` campaigns from different seeds (1, 100001, …) of `seqsim explore
 * --generate` (the CLI spawned, one worker, no shrink: the wall time is the command's, start-up
 * included) and of the fast-check peer (bench/fastcheck-peer, spawned the same way; the time it
 * spent shrinking after its first failure is taken off). Both start as `node <file>` with no Node
 * flags (this process's are not passed on), so seqsim loads the code cache built for plain node;
 * seqsim's time keeps what it does after its find (writing the trace and reproducer). Node alone
 * is timed once per campaign between the two. Shrunk sizes: seqsim's shrinker on each find,
 * fast-check's own shrink.
 */
export function benchPeer(options: PeerBenchOptions): PeerBenchResult {
  const out = mkdtempSync(join(tmpdir(), 'seqsim-peer-'));
  const nodeAloneRuns: number[] = [];
  try {
    const rows = raceBugs(options.bugs).map(({ name, hard, lifecycle }) => {
      const seqsim: (PeerFind | undefined)[] = [];
      const peer: (PeerFind | undefined)[] = [];
      for (let c = 0; c < options.campaigns; c++) {
        const from = 1 + c * 100_000;
        seqsim.push(exploreCampaign(name, from, options.budgetMs, lifecycle, out));
        peer.push(peerCampaign(name, from, options.budgetMs));
        // Node alone between the two sides' commands, so all three see the same machine.
        nodeAloneRuns.push(nodeAloneMs(out));
      }
      const row = { bug: name, hard, seqsim: sideFigures(seqsim), peer: sideFigures(peer) };
      options.onProgress?.(`${name}: seqsim ${row.seqsim.found}/${options.campaigns}, peer ${row.peer.found}/${options.campaigns}`);
      return row;
    });
    return { rows, nodeAloneMsMedian: percentileOf(nodeAloneRuns, 0.5) };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

export interface PeerBenchResult {
  readonly rows: PeerBenchRow[];
  /** Node alone (an empty script), timed once per campaign between the sides: the floor under both. */
  readonly nodeAloneMsMedian: number;
}

/** One campaign that found its bug: wall time to the first failure, and the shrunk reproducer's requests. */
export interface PeerFind {
  readonly ms: number;
  readonly shrunkRequests: number;
}

function exploreCampaign(bug: string, from: number, budgetMs: number, lifecycle: boolean, out: string): PeerFind | undefined {
  const batcher = `bug:${bug}`;
  const args = ['explore', '--generate', '--batcher', batcher, '--from', String(from), '--seeds', '10000000', '--workers', '1'];
  args.push('--time-budget', `${Math.ceil(budgetMs / 1000)}s`, '--no-shrink', '--json', '--out', out, ...(lifecycle ? ['--lifecycle'] : []));
  const started = wallClockMs();
  const run = spawnSync(process.execPath, [packagePath('cli/bin.mjs'), ...args], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const ms = wallClockMs() - started;
  const finding = (JSON.parse(run.stdout) as { findings: { seed: number; oracle: string }[] }).findings[0];
  if (finding === undefined) return undefined;
  // The size seqsim's shrinker reaches from that find (in-process, untimed: the figure is the size).
  const { json } = scenarioForSeed({ batcher, ...(lifecycle ? { lifecycle: true } : {}) }, finding.seed);
  const options = { seed: finding.seed, batcher, oracle: finding.oracle, maxEvents: MAX_EVENTS };
  return { ms, shrunkRequests: shrinkScenario(json, options).after.requests };
}

function peerCampaign(bug: string, seed: number, budgetMs: number): PeerFind | undefined {
  const main = packagePath('dist/bench/fastcheck-peer/main.js');
  const started = wallClockMs();
  const run = spawnSync(process.execPath, [main, `bug:${bug}`, String(seed), String(budgetMs)], { encoding: 'utf8' });
  const ms = wallClockMs() - started;
  if (run.status !== 0) throw new Error(`the fast-check peer failed on bug:${bug}: ${run.stderr.trim().split('\n').slice(-3).join(' ')}`);
  return peerFind(JSON.parse(run.stdout) as PeerResult, ms);
}

/** Found count over the campaigns run; median and p90 over the finds (NaN when none). */
export function sideFigures(finds: readonly (PeerFind | undefined)[]): SideFigures {
  const found = finds.filter((f): f is PeerFind => f !== undefined);
  const ms = found.map((f) => f.ms);
  return {
    found: found.length,
    campaigns: finds.length,
    msMedian: percentileOf(ms, 0.5),
    msP90: percentileOf(ms, 0.9),
    shrunkRequestsMedian: percentileOf(
      found.map((f) => f.shrunkRequests),
      0.5,
    ),
  };
}

/** The peer's find from its result and the campaign's wall time: the time it spent shrinking after its first failure taken off. */
export function peerFind(result: PeerResult, ms: number): PeerFind | undefined {
  if (!result.found) return undefined;
  return { ms: ms - (result.afterFailureMs ?? 0), shrunkRequests: result.shrunkRequests ?? Number.NaN };
}

/** The bugs raced: the shallow and the hard zoo, or only `names`. */
export function raceBugs(names?: readonly string[]): { name: string; hard: boolean; lifecycle: boolean }[] {
  return [
    ...ZOO.map((bug) => ({ name: bug.name, hard: false, lifecycle: false })),
    ...HARD_ZOO.map((bug) => ({ name: bug.name, hard: true, lifecycle: bug.explore.lifecycle === true })),
  ].filter((bug) => names === undefined || names.includes(bug.name));
}
