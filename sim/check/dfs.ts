import type { Scenario } from '../../src/scenario/types.ts';
import { simulate, type RunResult } from '../simulate.ts';
import { namedSchedule, ScriptedChooser } from './scripted-chooser.ts';

export interface CheckOptions {
  readonly seed: number;
  readonly batcher: string;
  /** Branch only at the first `depth` choice points of a run; later ones take their first option. */
  readonly depth: number;
  /** Bound on schedules (complete runs) explored. */
  readonly maxSchedules: number;
  readonly maxEvents?: number;
}

export interface CheckResult {
  readonly schedules: number;
  /** Choice points met over all runs (each a state where the search could branch). */
  readonly choicePoints: number;
  readonly deepestRun: number;
  /** True when every schedule within the depth bound was run. */
  readonly exhausted: boolean;
  /** The first schedule whose run violated an oracle, with that run. */
  readonly counterexample: { readonly schedule: readonly string[]; readonly run: RunResult } | undefined;
}

/**
 * Stateless bounded depth-first search over same-instant orderings (like loom or Coyote): re-run
 * the scenario from the start for every schedule, the seed fixing everything else (latencies,
 * faults). Within `depth` choice points every alternative is tried; the search stops at the first
 * violation or when the schedule budget is spent, and says which.
 */
export function checkExhaustive(scenario: Scenario, options: CheckOptions): CheckResult {
  let schedule: number[] = [];
  let schedules = 0;
  let choicePoints = 0;
  let deepestRun = 0;
  for (;;) {
    if (schedules >= options.maxSchedules) return { schedules, choicePoints, deepestRun, exhausted: false, counterexample: undefined };
    const chooser = new ScriptedChooser(schedule);
    const run = simulate(scenario, { seed: options.seed, batcher: options.batcher, chooser, ...(options.maxEvents ? { maxEvents: options.maxEvents } : {}) });
    schedules++;
    choicePoints += chooser.domains.length;
    deepestRun = Math.max(deepestRun, chooser.domains.length);
    if (run.violations.length > 0) {
      return { schedules, choicePoints, deepestRun, exhausted: false, counterexample: namedCounterexample(scenario, options, chooser.picked) };
    }
    const next = nextSchedule(chooser.picked, chooser.domains, options.depth);
    if (next === undefined) return { schedules, choicePoints, deepestRun, exhausted: true, counterexample: undefined };
    schedule = next;
  }
}

/** The next schedule in depth-first order: bump the deepest point (within depth) that has an untried option. */
export function nextSchedule(picked: readonly number[], domains: readonly number[], depth: number): number[] | undefined {
  for (let i = Math.min(depth, picked.length) - 1; i >= 0; i--) {
    if (picked[i]! + 1 < domains[i]!) return [...picked.slice(0, i), picked[i]! + 1];
  }
  return undefined;
}

/**
 * Re-runs a failing schedule to name its decisions by task label ("reaper", "arrive:7:2"), and
 * returns the run of that named schedule: its trace header carries labels, not indices, so the
 * reproducer keeps its meaning after a refactor.
 */
export function namedCounterexample(
  scenario: Scenario,
  options: { seed: number; batcher: string; maxEvents?: number },
  picked: readonly number[],
): { readonly schedule: readonly string[]; readonly run: RunResult } {
  const common = { seed: options.seed, batcher: options.batcher, ...(options.maxEvents ? { maxEvents: options.maxEvents } : {}) };
  const labelled = simulate(scenario, { ...common, schedule: picked, recordChoices: picked.length });
  const schedule = namedSchedule(picked, (point, option) => labelled.choices[point]!.options[option]!);
  return { schedule, run: simulate(scenario, { ...common, schedule }) };
}
