import { packagePath } from '../src/core/package-path.ts';
import { explore } from '../sim/explore/explore.ts';
import { readFileSync } from 'node:fs';
import { shrinkScenario, sizeOf } from '../sim/explore/shrink.ts';
import { runCampaign } from '../sim/explore/campaign.ts';
import { ZOO } from '../sim/zoo/variants.ts';
import { wallClockMs } from '../live/wall-clock.ts';
import { percentileOf } from '../src/core/percentile.ts';

export interface ZooBenchRow {
  readonly bug: string;
  readonly campaigns: number;
  readonly found: number;
  readonly seedsToFailureMedian: number;
  readonly wallMsMedian: number;
  readonly wallMsP90: number;
  readonly shrunkRequestsMedian: number;
  readonly shrinkMsMedian: number;
  /** Requests of the hand-written reproducer in sim/zoo/minimal/<bug>.json. */
  readonly handMinimalRequests: number;
}

/** The request count of a bug's hand-minimal reproducer (sim/zoo/minimal). */
export function handMinimalRequests(bug: string): number {
  const json = JSON.parse(readFileSync(packagePath('sim/zoo/minimal', `${bug}.json`), 'utf8')) as Record<string, unknown>;
  return sizeOf(json).requests;
}

const MAX_SEEDS_PER_CAMPAIGN = 5000;
/** Event budget per run, so that a leak found only through liveness costs a fraction of a second. */
const MAX_EVENTS = 200_000;

/**
 * For each zoo bug: `campaigns` explorations from different starting seeds (1, 100001, …), each
 * stopping at its first failure; the first `shrinks` failures are also shrunk. Wall time is
 * measured here, in a benchmark, never inside a run.
 */
export function benchZoo(campaigns: number, shrinks: number): ZooBenchRow[] {
  return ZOO.map((bug) => {
    const seedsToFailure: number[] = [];
    const wallMs: number[] = [];
    const shrunkRequests: number[] = [];
    const shrinkMs: number[] = [];
    for (let c = 0; c < campaigns; c++) {
      const from = 1 + c * 100_000;
      const started = wallClockMs();
      const result = explore({ from, seeds: MAX_SEEDS_PER_CAMPAIGN, batcher: `bug:${bug.name}`, keepGoing: false, maxEvents: MAX_EVENTS });
      wallMs.push(wallClockMs() - started);
      const finding = result.findings[0];
      if (finding === undefined) continue;
      seedsToFailure.push(finding.seed - from + 1);
      if (shrinkMs.length < shrinks) {
        const shrinkStarted = wallClockMs();
        const shrunk = shrinkScenario(finding.scenarioJson, { seed: finding.seed, batcher: `bug:${bug.name}`, oracle: finding.oracle, maxEvents: MAX_EVENTS });
        shrinkMs.push(wallClockMs() - shrinkStarted);
        shrunkRequests.push(shrunk.after.requests);
      }
    }
    return {
      bug: bug.name,
      campaigns,
      found: seedsToFailure.length,
      seedsToFailureMedian: percentileOf(seedsToFailure, 0.5),
      wallMsMedian: percentileOf(wallMs, 0.5),
      wallMsP90: percentileOf(wallMs, 0.9),
      shrunkRequestsMedian: percentileOf(shrunkRequests, 0.5),
      shrinkMsMedian: percentileOf(shrinkMs, 0.5),
      handMinimalRequests: handMinimalRequests(bug.name),
    };
  });
}

/** Seeds per second of the real batcher over generated scenarios with 1 and 2 worker threads. */
export async function benchWorkers(seeds: number): Promise<{ workers1SeedsPerS: number; workers2SeedsPerS: number }> {
  const rate = async (workers: number): Promise<number> => {
    const started = wallClockMs();
    const result = await runCampaign({ from: 1, seeds, batcher: 'real', keepGoing: true, workers });
    return result.seedsRun / ((wallClockMs() - started) / 1000);
  };
  return { workers1SeedsPerS: await rate(1), workers2SeedsPerS: await rate(2) };
}

/** Swarm vs uniform fault selection: does swarm find every bug uniform finds, and how fast? */
export function benchSwarm(seeds: number): { bug: string; swarm: number | null; uniform: number | null }[] {
  const firstFailure = (bug: string, faultMode: 'swarm' | 'uniform'): number | null => {
    const result = explore({ from: 1, seeds, batcher: `bug:${bug}`, keepGoing: false, maxEvents: MAX_EVENTS, faultMode });
    return result.findings[0]?.seed ?? null;
  };
  return ZOO.map((bug) => ({ bug: bug.name, swarm: firstFailure(bug.name, 'swarm'), uniform: firstFailure(bug.name, 'uniform') }));
}
