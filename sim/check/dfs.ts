import type { Scenario } from '../../src/scenario/types.ts';
import { simulate, type RunResult } from '../simulate.ts';
import { ScriptedChooser } from './scripted-chooser.ts';

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
  readonly counterexample: { readonly schedule: readonly number[]; readonly run: RunResult } | undefined;
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
    const run = simulate(scenario, { seed: options.seed, batcher: options.batcher, chooser, schedule, ...(options.maxEvents ? { maxEvents: options.maxEvents } : {}) });
    schedules++;
    choicePoints += chooser.domains.length;
    deepestRun = Math.max(deepestRun, chooser.domains.length);
    if (run.violations.length > 0) return { schedules, choicePoints, deepestRun, exhausted: false, counterexample: { schedule: chooser.picked.slice(0, lastBranch(chooser) + 1), run } };
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

/** The schedule only needs entries up to its last non-default pick. */
function lastBranch(chooser: ScriptedChooser): number {
  for (let i = chooser.picked.length - 1; i >= 0; i--) if (chooser.picked[i] !== 0) return i;
  return -1;
}
