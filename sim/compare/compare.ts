import type { ScenarioId } from '../../src/core/ids.ts';
import { simulate, type RunResult } from '../simulate.ts';
import { describeOutcome, EXCLUSION_REASONS, sameOutcome, sequenceOutcomes, type ExclusionReason, type SequenceOutcome } from './outcomes.ts';
import type { VariantConfig } from './variants.ts';

/** A compared sequence got a different response under a variant than under the baseline. */
export interface CrossConfigViolation {
  readonly oracle: 'cross-config';
  readonly message: string;
  readonly seed: number;
  readonly sequence: ScenarioId;
  /** Index in the scenario's `sequences` (ids may be reused). */
  readonly sequenceIndex: number;
  /** The first step whose response differs. */
  readonly step: number;
  readonly baseline: ConfigValue;
  readonly variant: ConfigValue;
}

export interface ConfigValue {
  readonly config: string;
  /** "output 7", "error INVALID_ARG" or "no response". */
  readonly value: string;
  /** Trace line of that response (-1 = none). */
  readonly line: number;
}

/** An ordinary oracle violation in one configuration's run. */
export interface RunViolation {
  readonly config: string;
  readonly seed: number;
  readonly oracle: string;
  readonly message: string;
  readonly events: readonly number[];
}

export type ExclusionCounts = Readonly<Record<ExclusionReason, number>>;

export interface SeedComparison {
  readonly seed: number;
  readonly sequences: number;
  readonly compared: number;
  /** Excluded sequences, each counted once under its first reason in EXCLUSION_REASONS order. */
  readonly excluded: ExclusionCounts;
  readonly violations: readonly CrossConfigViolation[];
  readonly runViolations: readonly RunViolation[];
  /** Names of the configurations whose run takes part in a failure of this seed. */
  readonly failingConfigs: readonly string[];
}

export interface CompareRunOptions {
  readonly maxEvents?: number;
  /** Serialise the traces (needed to write them); off by default, as explorers do for clean seeds. */
  readonly serialize?: boolean;
}

/** One configuration's run: same scenario workload and seed, its own model config and batcher. */
export function runConfig(config: VariantConfig, seed: number, options: CompareRunOptions = {}): RunResult {
  return simulate(config.scenario, {
    seed,
    batcher: config.batcher,
    serialize: options.serialize ?? false,
    ...(options.maxEvents !== undefined ? { maxEvents: options.maxEvents } : {}),
  });
}

/**
 * Runs every configuration (configs[0] is the baseline) with one seed and diffs each comparable
 * sequence's response stream against the baseline's. A sequence is comparable only when no run
 * shows a timing-dependent reason for it.
 */
export function compareSeed(
  configs: readonly VariantConfig[],
  seed: number,
  options: CompareRunOptions = {},
): { comparison: SeedComparison; runs: readonly RunResult[] } {
  const runs = configs.map((config) => runConfig(config, seed, options));
  return { comparison: diffRuns(configs, seed, runs), runs };
}

/** What diffRuns needs of a run: its trace events and its own oracle verdict (simulated or live). */
export type ComparedRun = Pick<RunResult, 'events' | 'violations'>;

/**
 * Diffs each comparable sequence's response stream in every run (runs[i] ran configs[i]; [0] is
 * the baseline) against the baseline's. `tolerance` > 0 lets numeric outputs differ by that much,
 * relatively (live runs of a user's float model).
 */
export function diffRuns(configs: readonly VariantConfig[], seed: number, runs: readonly ComparedRun[], tolerance = 0): SeedComparison {
  const baseline = configs[0];
  if (baseline === undefined) throw new Error('diffRuns needs the baseline configuration');
  const outcomes = configs.map((config, i) => sequenceOutcomes(config.scenario, runs[i]!));
  const excluded = emptyCounts();
  const violations: CrossConfigViolation[] = [];
  const failing = new Set<string>();
  let compared = 0;
  outcomes[0]!.forEach((base, s) => {
    const reason = EXCLUSION_REASONS.find((r) => outcomes.some((perConfig) => perConfig[s]!.reasons.has(r)));
    if (reason !== undefined) {
      excluded[reason]++;
      return;
    }
    compared++;
    for (let v = 1; v < configs.length; v++) {
      const violation = firstDifference(seed, base, baseline.name, outcomes[v]![s]!, configs[v]!.name, tolerance);
      if (violation === undefined) continue;
      violations.push(violation);
      failing.add(baseline.name).add(configs[v]!.name);
    }
  });
  const runViolations: RunViolation[] = [];
  runs.forEach((run, i) => {
    const config = configs[i]!.name;
    for (const v of run.violations) runViolations.push({ config, seed, oracle: v.oracle, message: v.message, events: v.events });
    if (run.violations.length > 0) failing.add(config);
  });
  return {
    seed,
    sequences: outcomes[0]!.length,
    compared,
    excluded,
    violations,
    runViolations,
    failingConfigs: configs.map((c) => c.name).filter((name) => failing.has(name)),
  };
}

function firstDifference(
  seed: number,
  base: SequenceOutcome,
  baseName: string,
  other: SequenceOutcome,
  otherName: string,
  tolerance: number,
): CrossConfigViolation | undefined {
  const step = base.steps.findIndex((outcome, k) => !sameOutcome(outcome, other.steps[k]!, tolerance));
  if (step < 0) return undefined;
  const baseline: ConfigValue = { config: baseName, value: describeOutcome(base.steps[step]!), line: base.responseLines[step]! };
  const variant: ConfigValue = { config: otherName, value: describeOutcome(other.steps[step]!), line: other.responseLines[step]! };
  return {
    oracle: 'cross-config',
    message: `sequence ${JSON.stringify(base.id)} (sequences[${base.index}]) step ${step}: ${baseName} ${baseline.value}, ${otherName} ${variant.value}`,
    seed,
    sequence: base.id,
    sequenceIndex: base.index,
    step,
    baseline,
    variant,
  };
}

export function emptyCounts(): Record<ExclusionReason, number> {
  const counts = {} as Record<ExclusionReason, number>;
  for (const reason of EXCLUSION_REASONS) counts[reason] = 0;
  return counts;
}

/** Keeps reports bounded: many seeds × sequences could otherwise list thousands of lines. */
export const MAX_LISTED_VIOLATIONS = 100;

export interface CompareSummary {
  readonly scenario: string;
  readonly configs: readonly string[];
  readonly seeds: readonly number[];
  /** Sequence runs over all seeds (sequences × seeds). */
  readonly sequences: number;
  readonly compared: number;
  readonly excluded: ExclusionCounts;
  readonly excludedTotal: number;
  readonly violationCount: number;
  readonly runViolationCount: number;
  /** The first MAX_LISTED_VIOLATIONS of each. */
  readonly violations: readonly CrossConfigViolation[];
  readonly runViolations: readonly RunViolation[];
}

/** Compares over several seeds and sums; `onSeed` sees each seed's runs (to write failing traces). */
export function compareSeeds(
  configs: readonly VariantConfig[],
  seeds: readonly number[],
  options: CompareRunOptions & { readonly onSeed?: (comparison: SeedComparison, runs: readonly RunResult[]) => void; readonly tolerance?: number } = {},
): CompareSummary {
  const comparisons: SeedComparison[] = [];
  for (const seed of seeds) {
    const runs = configs.map((config) => runConfig(config, seed, options));
    const comparison = diffRuns(configs, seed, runs, options.tolerance ?? 0);
    options.onSeed?.(comparison, runs);
    comparisons.push(comparison);
  }
  return summarize(configs, seeds, comparisons);
}

/** Sums per-seed comparisons into one report (lists capped at MAX_LISTED_VIOLATIONS). */
export function summarize(configs: readonly VariantConfig[], seeds: readonly number[], comparisons: readonly SeedComparison[]): CompareSummary {
  const excluded = emptyCounts();
  const violations: CrossConfigViolation[] = [];
  const runViolations: RunViolation[] = [];
  let sequences = 0;
  let compared = 0;
  let violationCount = 0;
  let runViolationCount = 0;
  for (const comparison of comparisons) {
    sequences += comparison.sequences;
    compared += comparison.compared;
    for (const reason of EXCLUSION_REASONS) excluded[reason] += comparison.excluded[reason];
    violationCount += comparison.violations.length;
    runViolationCount += comparison.runViolations.length;
    violations.push(...comparison.violations.slice(0, MAX_LISTED_VIOLATIONS - violations.length));
    runViolations.push(...comparison.runViolations.slice(0, MAX_LISTED_VIOLATIONS - runViolations.length));
  }
  return {
    scenario: configs[0]?.scenario.name ?? '',
    configs: configs.map((c) => c.name),
    seeds,
    sequences,
    compared,
    excluded,
    excludedTotal: sequences - compared,
    violationCount,
    runViolationCount,
    violations,
    runViolations,
  };
}
