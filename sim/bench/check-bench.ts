import { fileURLToPath } from 'node:url';
import { loadScenarioFile } from '../../src/scenario/load.ts';
import { checkExhaustive } from '../check/dfs.ts';
import { checkPct } from '../check/pct.ts';
import { explore } from '../explore/explore.ts';
import { ZOO } from '../zoo/variants.ts';
import { wallClockMs } from '../../src/live/wall-clock.ts';

export interface CheckBenchFigures {
  readonly canonical: readonly { scenario: string; depth: number; schedules: number; choicePoints: number; schedulesPerS: number }[];
  /** Runs until the first counterexample in a canonical world (the bug's strategy): DFS, PCT and random seeds. */
  readonly zoo: readonly { bug: string; dfs: number | null; pct: number | null; random: number | null }[];
}

const CANONICAL = ['direct-race', 'oldest-race'];
const BUDGET = 2000;

export function benchCheck(depth: number): CheckBenchFigures {
  const file = (name: string) => fileURLToPath(new URL(`../examples/check/${name}.json`, import.meta.url));
  const canonical = CANONICAL.map((name) => {
    const scenario = loadScenarioFile(file(name));
    const started = wallClockMs();
    const result = checkExhaustive(scenario, { seed: 1, batcher: 'real', depth, maxSchedules: 1_000_000 });
    const seconds = (wallClockMs() - started) / 1000;
    return { scenario: name, depth, schedules: result.schedules, choicePoints: result.choicePoints, schedulesPerS: Math.round(result.schedules / seconds) };
  });
  const worlds = { direct: loadScenarioFile(file('direct-race')), oldest: loadScenarioFile(file('oldest-race')) };
  const zoo = ZOO.map((bug) => {
    const batcher = `bug:${bug.name}`;
    const world = bug.strategy === 'direct' ? worlds.direct : worlds.oldest;
    const dfs = checkExhaustive(world, { seed: 1, batcher, depth: 8, maxSchedules: BUDGET });
    const pct = checkPct(world, { seed: 1, batcher, runs: BUDGET, bugDepth: 2 });
    const random = explore({ scenario: world, from: 1, seeds: BUDGET, batcher, keepGoing: false });
    return {
      bug: bug.name,
      dfs: dfs.counterexample ? dfs.schedules : null,
      pct: pct.counterexample ? pct.runs : null,
      random: random.findings.length > 0 ? random.seedsRun : null,
    };
  });
  return { canonical, zoo };
}
