import { parseScenario } from '../../src/scenario/load.ts';
import { explore, type MetamorphicStats } from './explore.ts';
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
  readonly metamorphic?: boolean;
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
  readonly lifecycleActions: Readonly<Record<string, number>>;
  readonly metamorphic?: MetamorphicStats;
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
    ...(task.metamorphic ? { metamorphic: true } : {}),
    keepGoing: true,
    ...(task.maxEvents ? { maxEvents: task.maxEvents } : {}),
    onSeed: (seed, _run, verdict, failed) => {
      if (verdict !== 'violation') return true;
      violating.push({ seed, oracles: failed.map((v) => v.oracle), messages: failed.map((v) => v.message) });
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
    lifecycleActions: result.lifecycleActions,
    ...(result.metamorphic ? { metamorphic: result.metamorphic } : {}),
  };
}
