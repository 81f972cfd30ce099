import { packagePath } from '../src/core/package-path.ts';
import { loadScenarioFile } from '../src/scenario/load.ts';
import type { Scenario } from '../src/scenario/types.ts';
import { checkExhaustive } from '../sim/check/dfs.ts';
import { checkPct } from '../sim/check/pct.ts';
import { explore } from '../sim/explore/explore.ts';
import { ZOO } from '../sim/zoo/variants.ts';
import { wallClockMs } from '../live/wall-clock.ts';

/** One exhaustive search of a canonical world at a fixed depth. */
export interface CanonicalFigures {
  readonly scenario: string;
  readonly depth: number;
  readonly reduction: boolean;
  readonly schedules: number;
  readonly choicePoints: number;
  readonly statesExplored: number;
  readonly distinctStates: number;
  readonly schedulesPerS: number;
  readonly statesPerS: number;
}

export interface CheckBenchFigures {
  /** Each canonical world at the bench depth, without and with reduction. */
  readonly canonical: readonly CanonicalFigures[];
  /** The deepest bound each search exhausts within `depthBudgetSchedules` schedules. */
  readonly deepestExhausted: readonly { scenario: string; reduction: boolean; depth: number; schedules: number }[];
  /** Runs until the first counterexample in a canonical world (the bug's strategy): DFS, PCT and random seeds. */
  readonly zoo: readonly { bug: string; dfs: number | null; pct: number | null; random: number | null }[];
  /**
   * DFS schedules to the first counterexample in a world whose cancellations come only from the
   * fault plan (`cancel-before-reap`), with the seed's draws and with chosen draws (`--choose-draws`).
   */
  readonly chosenDraws: readonly { bug: string; seeded: number | null; chosen: number | null; chosenExhausted: boolean }[];
}

/** The world of the chosen-draws figures, and its bounds. */
export const DRAWS_WORLD = 'cancel-before-reap';
export const DRAWS_DEPTH = 12;

const CANONICAL = ['direct-race', 'oldest-race'];

/** How much searching the check figures do (`seqsim bench` quick or --full). */
export interface CheckBenchOptions {
  /** The depth bound of the canonical-world figures. */
  readonly depth: number;
  /** Runs (schedules, PCT runs, seeds) each bug search may spend before it gives up. */
  readonly budget: number;
  /** The fixed budget for "deepest depth exhausted": schedules, not seconds, so the figure is deterministic. */
  readonly depthBudgetSchedules: number;
}

export const FULL_CHECK_BENCH: CheckBenchOptions = { depth: 8, budget: 2000, depthBudgetSchedules: 10_000 };
/** No canonical run has more choice points than this. */
const MAX_DEPTH = 30;

export function benchCheck({ depth, budget, depthBudgetSchedules }: CheckBenchOptions = FULL_CHECK_BENCH): CheckBenchFigures {
  const file = (name: string) => packagePath('sim/examples/check', `${name}.json`);
  const canonical = CANONICAL.flatMap((name) =>
    [false, true].map((reduction): CanonicalFigures => {
      const scenario = loadScenarioFile(file(name));
      const started = wallClockMs();
      const result = checkExhaustive(scenario, { seed: 1, batcher: 'real', depth, maxSchedules: 1_000_000, reduction });
      const seconds = Math.max((wallClockMs() - started) / 1000, 1e-3);
      return {
        scenario: name,
        depth,
        reduction,
        schedules: result.schedules,
        choicePoints: result.choicePoints,
        statesExplored: result.statesExplored,
        distinctStates: result.distinctStates,
        schedulesPerS: Math.round(result.schedules / seconds),
        statesPerS: Math.round(result.statesExplored / seconds),
      };
    }),
  );
  const deepestExhausted = CANONICAL.flatMap((name) =>
    [false, true].map((reduction) => deepestWithinBudget(name, loadScenarioFile(file(name)), reduction, depthBudgetSchedules)),
  );
  const worlds = { direct: loadScenarioFile(file('direct-race')), oldest: loadScenarioFile(file('oldest-race')) };
  const zoo = ZOO.map((bug) => {
    const batcher = `bug:${bug.name}`;
    const world = bug.strategy === 'direct' ? worlds.direct : worlds.oldest;
    const dfs = checkExhaustive(world, { seed: 1, batcher, depth: 8, maxSchedules: budget });
    const pct = checkPct(world, { seed: 1, batcher, runs: budget, bugDepth: 2 });
    const random = explore({ scenario: world, from: 1, seeds: budget, batcher, keepGoing: false });
    return {
      bug: bug.name,
      dfs: dfs.counterexample ? dfs.schedules : null,
      pct: pct.counterexample ? pct.runs : null,
      random: random.findings.length > 0 ? random.seedsRun : null,
    };
  });
  const drawWorld = loadScenarioFile(file(DRAWS_WORLD));
  const chosenDraws = ZOO.filter((bug) => bug.strategy !== 'oldest').map((bug) => {
    const options = { seed: drawWorld.seed ?? 1, batcher: `bug:${bug.name}`, depth: DRAWS_DEPTH, maxSchedules: budget };
    const seeded = checkExhaustive(drawWorld, options);
    const chosen = checkExhaustive(drawWorld, { ...options, chooseDraws: true });
    return {
      bug: bug.name,
      seeded: seeded.counterexample ? seeded.schedules : null,
      chosen: chosen.counterexample ? chosen.schedules : null,
      chosenExhausted: chosen.exhausted,
    };
  });
  return { canonical, deepestExhausted, zoo, chosenDraws };
}

/** Raises the depth bound until the search no longer exhausts within the schedule budget. */
function deepestWithinBudget(
  name: string,
  scenario: Scenario,
  reduction: boolean,
  maxSchedules: number,
): { scenario: string; reduction: boolean; depth: number; schedules: number } {
  let best = { scenario: name, reduction, depth: 0, schedules: 0 };
  for (let depth = 1; depth <= MAX_DEPTH; depth++) {
    const result = checkExhaustive(scenario, { seed: 1, batcher: 'real', depth, maxSchedules, reduction });
    if (!result.exhausted) break;
    best = { scenario: name, reduction, depth, schedules: result.schedules };
    // Past its deepest run a bound changes nothing: the world is exhausted outright.
    if (!result.depthBoundHit) break;
  }
  return best;
}
