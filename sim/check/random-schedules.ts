import seedrandom from 'seedrandom';
import type { Scenario } from '../../src/scenario/types.ts';
import { simulate, type RunResult } from '../simulate.ts';
import type { Chooser } from '../kernel/event-queue.ts';
import { namedCounterexample, runOptionsOf, type CheckRunOptions } from './dfs.ts';

export interface RandomScheduleResult {
  readonly runs: number;
  readonly choicePoints: number;
  readonly counterexample: { readonly run: RunResult; readonly schedule: readonly string[]; readonly runIndex: number } | undefined;
}

/**
 * `check --strategy random`: the baseline PCT is measured against. Each run picks every
 * same-instant option uniformly from its own stream; latencies and faults stay those of `seed`,
 * so the runs differ in orderings only — unless `chooseDraws` makes every fault decision and
 * latency bucket a choice point, picked uniformly too. A counterexample is re-run as a named schedule.
 */
export function checkRandom(scenario: Scenario, options: { seed: number; batcher: string; runs: number } & CheckRunOptions): RandomScheduleResult {
  let choicePoints = 0;
  for (let r = 0; r < options.runs; r++) {
    const random = seedrandom.alea(`seqsim-random-schedule:${options.seed}:${r}`);
    const picked: number[] = [];
    const chooser: Chooser = {
      choose: (point) => {
        const pick = Math.floor(random() * point.count);
        picked.push(pick);
        return pick;
      },
    };
    const run = simulate(scenario, { seed: options.seed, batcher: options.batcher, chooser, ...runOptionsOf(options) });
    choicePoints = Math.max(choicePoints, picked.length);
    if (run.violations.length > 0) {
      const named = namedCounterexample(scenario, options, picked);
      return { runs: r + 1, choicePoints, counterexample: { run: named.run, schedule: named.schedule, runIndex: r } };
    }
  }
  return { runs: options.runs, choicePoints, counterexample: undefined };
}
