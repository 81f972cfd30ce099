import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packagePath } from '../src/core/package-path.ts';
import { percentile } from '../src/core/percentile.ts';
import { wallClockMs } from '../live/wall-clock.ts';
import { ZOO } from '../sim/zoo/variants.ts';
import { HARD_ZOO } from '../sim/zoo/hard-variants.ts';
import { scenarioForSeed } from '../sim/explore/explore.ts';
import { shrinkScenario } from '../sim/explore/shrink.ts';
import type { PeerResult } from './fastcheck-peer/main.ts';

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
 * seqsim's time keeps what it does after its find (writing the trace and reproducer). Shrunk sizes: seqsim's shrinker on each
 * find, fast-check's own shrink.
 */
export function benchPeer(options: PeerBenchOptions): PeerBenchRow[] {
  const bugs = [
    ...ZOO.map((bug) => ({ bug, hard: false, lifecycle: false })),
    ...HARD_ZOO.map((bug) => ({ bug, hard: true, lifecycle: bug.explore.lifecycle === true })),
  ];
  const out = mkdtempSync(join(tmpdir(), 'seqsim-peer-'));
  try {
    return bugs
      .filter(({ bug }) => options.bugs === undefined || options.bugs.includes(bug.name))
      .map(({ bug, hard, lifecycle }) => {
        const seqsim: (Find | undefined)[] = [];
        const peer: (Find | undefined)[] = [];
        for (let c = 0; c < options.campaigns; c++) {
          const from = 1 + c * 100_000;
          seqsim.push(exploreCampaign(bug.name, from, options.budgetMs, lifecycle, out));
          peer.push(peerCampaign(bug.name, from, options.budgetMs));
        }
        const row = { bug: bug.name, hard, seqsim: figuresOf(seqsim, options.campaigns), peer: figuresOf(peer, options.campaigns) };
        options.onProgress?.(`${bug.name}: seqsim ${row.seqsim.found}/${options.campaigns}, peer ${row.peer.found}/${options.campaigns}`);
        return row;
      });
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

interface Find {
  readonly ms: number;
  readonly shrunkRequests: number;
}

function exploreCampaign(bug: string, from: number, budgetMs: number, lifecycle: boolean, out: string): Find | undefined {
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

function peerCampaign(bug: string, seed: number, budgetMs: number): Find | undefined {
  const main = packagePath('dist/bench/fastcheck-peer/main.js');
  const started = wallClockMs();
  const run = spawnSync(process.execPath, [main, `bug:${bug}`, String(seed), String(budgetMs)], { encoding: 'utf8' });
  const ms = wallClockMs() - started;
  if (run.status !== 0) throw new Error(`the fast-check peer failed on bug:${bug}: ${run.stderr.trim().split('\n').slice(-3).join(' ')}`);
  const result = JSON.parse(run.stdout) as PeerResult;
  if (!result.found) return undefined;
  return { ms: ms - (result.afterFailureMs ?? 0), shrunkRequests: result.shrunkRequests ?? Number.NaN };
}

function figuresOf(finds: readonly (Find | undefined)[], campaigns: number): SideFigures {
  const found = finds.filter((f): f is Find => f !== undefined);
  const q = (values: number[], p: number): number =>
    values.length === 0
      ? Number.NaN
      : percentile(
          [...values].sort((a, b) => a - b),
          p,
        );
  return {
    found: found.length,
    campaigns,
    msMedian: q(
      found.map((f) => f.ms),
      0.5,
    ),
    msP90: q(
      found.map((f) => f.ms),
      0.9,
    ),
    shrunkRequestsMedian: q(
      found.map((f) => f.shrunkRequests),
      0.5,
    ),
  };
}
