import { parseScenario } from '../../src/scenario/load.ts';
import { explore } from './explore.ts';
import type { FaultMode } from '../generate/scenario-arbitrary.ts';

/** One worker's share of a campaign: a contiguous seed range. Plain data, so it crosses threads. */
export interface ChunkTask {
  readonly from: number;
  readonly seeds: number;
  readonly batcher: string;
  /** The normalised scenario, or undefined to generate one per seed. */
  readonly scenario?: Record<string, unknown>;
  readonly maxEvents?: number;
  /** Stop at the chunk's first violating seed. */
  readonly stopAtFirst: boolean;
  readonly faultMode?: FaultMode;
  readonly lifecycle?: boolean;
}

export interface ViolatingSeed {
  readonly seed: number;
  readonly oracles: readonly string[];
  readonly messages: readonly string[];
}

export interface ChunkResult {
  readonly from: number;
  readonly seedsRun: number;
  readonly violating: readonly ViolatingSeed[];
  readonly knownTritonRuns: number;
  readonly oraclesFired: Readonly<Record<string, number>>;
  readonly faultsEnabled: Readonly<Record<string, number>>;
  readonly faultsFired: Readonly<Record<string, number>>;
}

/** Runs a chunk of seeds; the same task gives the same result in any thread. */
export function runChunk(task: ChunkTask): ChunkResult {
  const scenario = task.scenario === undefined ? undefined : parseScenario(task.scenario, 'explore scenario', '.');
  const violating: ViolatingSeed[] = [];
  const result = explore({
    ...(scenario ? { scenario } : {}),
    from: task.from,
    seeds: task.seeds,
    batcher: task.batcher,
    ...(task.faultMode ? { faultMode: task.faultMode } : {}),
    ...(task.lifecycle ? { lifecycle: true } : {}),
    keepGoing: true,
    ...(task.maxEvents ? { maxEvents: task.maxEvents } : {}),
    onSeed: (seed, run, verdict) => {
      if (verdict !== 'violation') return true;
      violating.push({ seed, oracles: run.violations.map((v) => v.oracle), messages: run.violations.map((v) => v.message) });
      return !task.stopAtFirst;
    },
  });
  return {
    from: task.from,
    seedsRun: result.seedsRun,
    violating,
    knownTritonRuns: result.knownTritonRuns,
    oraclesFired: result.oraclesFired,
    faultsEnabled: result.faultsEnabled,
    faultsFired: result.faultsFired,
  };
}
