import { parseScenario } from '../../src/scenario/load.ts';
import type { Scenario } from '../../src/scenario/types.ts';
import { simulate, type RunResult } from '../simulate.ts';
import { generateScenarioJson, type FaultMode } from '../generate/scenario-arbitrary.ts';
import { zooBug } from '../zoo/variants.ts';
import { isKnownTritonBehaviour } from './known-triton.ts';
import { enabledFaultKinds } from '../../src/scenario/faults.ts';

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
  readonly keepGoing: boolean;
  readonly maxEvents?: number;
  /** Called after each seed with its verdict; return false to stop (time budget). */
  readonly onSeed?: (seed: number, run: RunResult, verdict: SeedVerdict, findings: number) => boolean;
}

/** A seed whose run violated an oracle: everything needed to write and replay it. */
export interface Finding {
  readonly seed: number;
  readonly oracle: string;
  readonly message: string;
  readonly scenarioJson: Record<string, unknown>;
  readonly run: RunResult;
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
}

/** The scenario explored for a seed: the fixed one, or one generated from the seed. */
export function scenarioForSeed(options: Pick<ExploreOptions, 'scenario' | 'batcher' | 'faultMode' | 'lifecycle'>, seed: number): { scenario: Scenario; json: Record<string, unknown> } {
  if (options.scenario !== undefined) return { scenario: options.scenario, json: options.scenario.normalized as Record<string, unknown> };
  const bug = options.batcher.startsWith('bug:') ? zooBug(options.batcher.slice(4)) : undefined;
  const strategy = bug?.strategy === 'direct' || bug?.strategy === 'oldest' ? bug.strategy : undefined;
  const json = generateScenarioJson(seed, {
    ...(strategy ? { strategy } : {}),
    ...(options.faultMode ? { faults: options.faultMode } : {}),
    ...(options.lifecycle ? { lifecycle: true } : {}),
  });
  return { scenario: parseScenario(json, `generated seed ${seed}`, '.'), json };
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
  for (let seed = options.from; seed < options.from + options.seeds; seed++) {
    const { scenario, json } = scenarioForSeed(options, seed);
    const quick = simulate(scenario, { seed, batcher: options.batcher, serialize: false, ...(options.maxEvents ? { maxEvents: options.maxEvents } : {}) });
    // Clean seeds skip serialising their trace; a failing one is re-run in full for its trace.
    const run = quick.violations.length === 0 ? quick : simulate(scenario, { seed, batcher: options.batcher, ...(options.maxEvents ? { maxEvents: options.maxEvents } : {}) });
    seedsRun++;
    if (scenario.faults !== undefined) for (const kind of enabledFaultKinds(scenario.faults)) faultsEnabled[kind] = (faultsEnabled[kind] ?? 0) + 1;
    for (const [kind, count] of Object.entries(run.faultsFired)) faultsFired[kind] = (faultsFired[kind] ?? 0) + (count ?? 0);
    let stop = false;
    let verdict: SeedVerdict = 'clean';
    if (run.violations.length > 0) {
      if (isKnownTritonBehaviour(run)) {
        knownTritonRuns++;
        verdict = 'known-triton';
      } else {
        verdict = 'violation';
        violatingRuns++;
        for (const violation of run.violations) {
          oraclesFired[violation.oracle] = (oraclesFired[violation.oracle] ?? 0) + 1;
          if (!findings.some((f) => f.oracle === violation.oracle)) {
            findings.push({ seed, oracle: violation.oracle, message: violation.message, scenarioJson: json, run });
          }
        }
        stop = !options.keepGoing;
      }
    }
    if (options.onSeed && !options.onSeed(seed, run, verdict, findings.length)) stop = true;
    if (stop) break;
  }
  return { seedsRun, findings, knownTritonRuns, violatingRuns, oraclesFired, faultsEnabled, faultsFired };
}
