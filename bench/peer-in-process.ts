import { wallClockMs } from '../live/wall-clock.ts';
import { explore } from '../sim/explore/explore.ts';
import { shrinkScenario } from '../sim/explore/shrink.ts';
import { runPeer } from './fastcheck-peer/run-peer.ts';
import { peerFind, raceBugs, sideFigures, type PeerBenchOptions, type PeerBenchRow, type PeerFind } from './peer-bench.ts';

/** Event budget per run, as `seqsim explore --generate` has by default. */
const MAX_EVENTS = 200_000;
/** How long the peer's warm-up runs (on the real batcher: it finds nothing). */
const WARM_UP_MS = 50;

/**
 * bench/peer-bench.ts's race without its processes (the quick bench's economy: two spawns per
 * campaign cost more than most finds): both sides run in this process, so neither time includes a
 * command's start-up. seqsim: the seeds `explore --generate --workers 1` would run, from the same
 * seeds (1, 100001, …), until the first failure or the cap; its shrink is untimed (the figure is
 * the size). The peer: runPeer (bench/fastcheck-peer), its shrink after the first failure taken off.
 * A side that misses its first campaign on a bug is not run again on it: its campaigns would only
 * spend the cap again (the row says 0/1).
 */
export async function benchPeerInProcess(options: PeerBenchOptions): Promise<PeerBenchRow[]> {
  const bugs = raceBugs(options.bugs);
  // Both sides warm up first (module loading, JIT) on the real batcher, which neither finds
  // anything in: otherwise the first bug's times would include it.
  explore({ from: 1, seeds: 20, batcher: 'real', keepGoing: false, maxEvents: MAX_EVENTS });
  await runPeer('real', 1, WARM_UP_MS);
  const rows: PeerBenchRow[] = [];
  for (const bug of bugs) {
    const seqsim: (PeerFind | undefined)[] = [];
    const peer: (PeerFind | undefined)[] = [];
    for (let c = 0; c < options.campaigns; c++) {
      const from = 1 + c * 100_000;
      if (c === 0 || seqsim[0] !== undefined) seqsim.push(seqsimCampaign(bug.name, from, options.budgetMs, bug.lifecycle));
      if (c === 0 || peer[0] !== undefined) peer.push(await peerCampaign(bug.name, from, options.budgetMs));
    }
    const row = { bug: bug.name, hard: bug.hard, seqsim: sideFigures(seqsim), peer: sideFigures(peer) };
    options.onProgress?.(`${bug.name}: seqsim ${row.seqsim.found}/${row.seqsim.campaigns}, peer ${row.peer.found}/${row.peer.campaigns}`);
    rows.push(row);
  }
  return rows;
}

function seqsimCampaign(bug: string, from: number, budgetMs: number, lifecycle: boolean): PeerFind | undefined {
  const batcher = `bug:${bug}`;
  const started = wallClockMs();
  const result = explore({
    from,
    seeds: 10_000_000,
    batcher,
    keepGoing: false,
    maxEvents: MAX_EVENTS,
    ...(lifecycle ? { lifecycle: true } : {}),
    onSeed: () => wallClockMs() - started < budgetMs,
  });
  const ms = wallClockMs() - started;
  const finding = result.findings[0];
  if (finding === undefined) return undefined;
  const shrunk = shrinkScenario(finding.scenarioJson, { seed: finding.seed, batcher, oracle: finding.oracle, maxEvents: MAX_EVENTS });
  return { ms, shrunkRequests: shrunk.after.requests };
}

async function peerCampaign(bug: string, seed: number, budgetMs: number): Promise<PeerFind | undefined> {
  const started = wallClockMs();
  const result = await runPeer(`bug:${bug}`, seed, budgetMs);
  return peerFind(result, wallClockMs() - started);
}
