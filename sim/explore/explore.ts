import { parseScenario } from '../../src/scenario/load.ts';
import type { Scenario } from '../../src/scenario/types.ts';
import { ModelConfigCache } from '../../src/config/normalize.ts';
import { simulate, simulateVerdict, type RunResult } from '../simulate.ts';
import { generateScenarioJson, type FaultMode } from '../generate/scenario-arbitrary.ts';
import { zooBug } from '../zoo/variants.ts';
import { isKnownTritonBehaviour } from './known-triton.ts';
import { enabledFaultKinds } from '../../src/scenario/faults.ts';
import { compareSeedVariant, type MetamorphicSeed } from './metamorphic.ts';
import { emptyCounts, type ExclusionCounts } from '../compare/compare.ts';
import { EXCLUSION_REASONS } from '../compare/outcomes.ts';

/** clean; a violation; or only documented Triton behaviour (see known-triton.ts), which every variant inherits. */
export type SeedVerdict = 'clean' | 'violation' | 'known-triton';

export interface ExploreOptions {
  /** A fixed scenario explored over seeds, or undefined to generate one scenario per seed. */
  readonly scenario?: Scenario;
  readonly from: number;
  readonly seeds: number;
  /** "real" or "bug:<name>". */
  readonly batcher: string;
  /** How generated scenarios draw faults (default swarm). */
  readonly faultMode?: FaultMode;
  /** Generated scenarios also draw a lifecycle block (model updates, reloads, unloads, stops). */
  readonly lifecycle?: boolean;
  /** Also compare each seed's scenario under a configuration variant drawn from the seed (oracle cross-config). */
  readonly metamorphic?: boolean;
  readonly keepGoing: boolean;
  readonly maxEvents?: number;
  /** Called after each seed with its verdict and what failed; return false to stop (time budget). */
  readonly onSeed?: (seed: number, run: RunResult, verdict: SeedVerdict, failed: readonly SeedViolation[]) => boolean;
}

/** One oracle's failure in a seed: a run violation, or a cross-config failure. */
export interface SeedViolation {
  readonly oracle: string;
  readonly message: string;
}

/**
 * `--metamorphic` bookkeeping, summed over seeds: a comparison that compares nothing must show.
 * `excluded` splits sequences_excluded by reason (absent in summaries written before it).
 */
export type MetamorphicStats = Readonly<Record<'seeds_compared' | 'sequences_compared' | 'sequences_excluded' | 'variants_invalid', number>> & {
  readonly excluded?: ExclusionCounts;
};

/** A seed whose run violated an oracle: everything needed to write and replay it. */
export interface Finding {
  readonly seed: number;
  readonly oracle: string;
  readonly message: string;
  readonly scenarioJson: Record<string, unknown>;
  readonly run: RunResult;
  /** cross-config findings: the variant spec the scenario was compared under. */
  readonly variant?: string;
}

export interface ExploreResult {
  readonly seedsRun: number;
  /** The first failing seed of each distinct oracle, in seed order. */
  readonly findings: readonly Finding[];
  /** Runs whose only violations are documented Triton behaviour (see known-triton.ts). */
  readonly knownTritonRuns: number;
  readonly violatingRuns: number;
  readonly oraclesFired: Readonly<Record<string, number>>;
  /** Fault accountability: in how many runs each kind was enabled, and how often it fired. */
  readonly faultsEnabled: Readonly<Record<string, number>>;
  readonly faultsFired: Readonly<Record<string, number>>;
  /** Lifecycle actions that happened over the runs (load-start, swap, update, unload, …). */
  readonly lifecycleActions: Readonly<Record<string, number>>;
  /** Only with `metamorphic`. */
  readonly metamorphic?: MetamorphicStats;
}

/**
 * Generated scenarios' models, normalised once per thread: seeds draw them from a few thousand
 * (sim/generate), and each parse otherwise normalised its model and lifecycle loads anew.
 */
const generatedModels = new ModelConfigCache();

/** The scenario explored for a seed: the fixed one, or one generated from the seed. */
export function scenarioForSeed(
  options: Pick<ExploreOptions, 'scenario' | 'batcher' | 'faultMode' | 'lifecycle'>,
  seed: number,
): { scenario: Scenario; json: Record<string, unknown> } {
  if (options.scenario !== undefined) return { scenario: options.scenario, json: options.scenario.normalized as Record<string, unknown> };
  const bug = options.batcher.startsWith('bug:') ? zooBug(options.batcher.slice(4)) : undefined;
  const strategy = bug?.strategy === 'direct' || bug?.strategy === 'oldest' ? bug.strategy : undefined;
  const json = generateScenarioJson(seed, {
    ...(strategy ? { strategy } : {}),
    ...(options.faultMode ? { faults: options.faultMode } : {}),
    ...(options.lifecycle ? { lifecycle: true } : {}),
  });
  return { scenario: parseScenario(json, `generated seed ${seed}`, '.', { models: generatedModels }), json };
}

/**
 * Runs seeds [from, from + seeds) one after another. Deterministic: the same options give the
 * same findings whatever machine or worker runs them.
 */
export function explore(options: ExploreOptions): ExploreResult {
  const findings: Finding[] = [];
  const oraclesFired: Record<string, number> = {};
  let knownTritonRuns = 0;
  let violatingRuns = 0;
  let seedsRun = 0;
  const faultsEnabled: Record<string, number> = {};
  const faultsFired: Record<string, number> = {};
  /** Lifecycle accountability: how often each model-management action really happened. */
  const lifecycleActions: Record<string, number> = {};
  const stats = { seeds_compared: 0, sequences_compared: 0, sequences_excluded: 0, variants_invalid: 0, excluded: emptyCounts() };
  const runOptions = { seed: 0, batcher: options.batcher, ...(options.maxEvents ? { maxEvents: options.maxEvents } : {}) };
  for (let seed = options.from; seed < options.from + options.seeds; seed++) {
    const { scenario, json } = scenarioForSeed(options, seed);
    const meta = options.metamorphic ? compareSeedVariant(json, seed, options.batcher, options.maxEvents ? { maxEvents: options.maxEvents } : {}) : undefined;
    if (options.metamorphic) countComparison(stats, meta);
    // The comparison's baseline run is this seed's run when nothing was left out of it.
    const reused = meta !== undefined && meta.json === json ? meta.runs[0] : undefined;
    // Clean seeds are judged online with no trace kept (only lifecycle events, counted below); a
    // failing one is re-run in full for its trace.
    const quick = reused ?? simulateVerdict(scenario, { ...runOptions, seed });
    const run = quick.violations.length === 0 ? quick : simulate(scenario, { ...runOptions, seed });
    seedsRun++;
    if (scenario.faults !== undefined) for (const kind of enabledFaultKinds(scenario.faults)) faultsEnabled[kind] = (faultsEnabled[kind] ?? 0) + 1;
    for (const [kind, count] of Object.entries(run.faultsFired)) faultsFired[kind] = (faultsFired[kind] ?? 0) + (count ?? 0);
    if (scenario.lifecycle.length > 0) {
      for (const event of run.events) if (event.type === 'lifecycle') lifecycleActions[event.action] = (lifecycleActions[event.action] ?? 0) + 1;
    }
    const known = run.violations.length > 0 && isKnownTritonBehaviour(run);
    if (known) knownTritonRuns++;
    const failed: SeedViolation[] = known ? [] : run.violations.map((v) => ({ oracle: v.oracle, message: v.message }));
    if (meta?.failure !== undefined) failed.push({ oracle: 'cross-config', message: `${meta.failure} (variant ${meta.spec})` });
    let stop = false;
    let verdict: SeedVerdict = known ? 'known-triton' : 'clean';
    if (failed.length > 0) {
      verdict = 'violation';
      violatingRuns++;
      for (const violation of failed) {
        oraclesFired[violation.oracle] = (oraclesFired[violation.oracle] ?? 0) + 1;
        if (findings.some((f) => f.oracle === violation.oracle)) continue;
        const crossConfig = violation.oracle === 'cross-config' && meta !== undefined;
        findings.push({
          seed,
          oracle: violation.oracle,
          message: violation.message,
          scenarioJson: crossConfig ? meta.json : json,
          run,
          ...(crossConfig ? { variant: meta.spec } : {}),
        });
      }
      stop = !options.keepGoing;
    }
    if (options.onSeed && !options.onSeed(seed, run, verdict, failed)) stop = true;
    if (stop) break;
  }
  return {
    seedsRun,
    findings,
    knownTritonRuns,
    violatingRuns,
    oraclesFired,
    faultsEnabled,
    faultsFired,
    lifecycleActions,
    ...(options.metamorphic ? { metamorphic: stats } : {}),
  };
}

function countComparison(
  stats: Record<Exclude<keyof MetamorphicStats, 'excluded'>, number> & { excluded: Record<string, number> },
  meta: MetamorphicSeed | undefined,
): void {
  if (meta === undefined) {
    stats.variants_invalid++;
    return;
  }
  stats.seeds_compared++;
  stats.sequences_compared += meta.comparison.compared;
  stats.sequences_excluded += meta.comparison.sequences - meta.comparison.compared;
  for (const reason of EXCLUSION_REASONS) stats.excluded[reason] = (stats.excluded[reason] ?? 0) + meta.comparison.excluded[reason];
}
