import { packagePath } from '../src/core/package-path.ts';
import { wallClockMs } from '../live/wall-clock.ts';
import { compareSeeds, runConfig } from '../sim/compare/compare.ts';
import { BASELINE, loadVariant, parseVariant } from '../sim/compare/variants.ts';

export interface CompareBenchFigures {
  readonly scenario: string;
  readonly configs: readonly string[];
  readonly seeds: number;
  /** `compareSeeds` over every seed: the runs plus outcome extraction and diffing. */
  readonly compareWallMs: number;
  /** The same runs, one `simulate` each, nothing else. */
  readonly singleRunsWallMs: number;
  /** compareWallMs / singleRunsWallMs: what the comparison adds on top of its runs. */
  readonly overheadX: number;
}

const DEFAULT_SCENARIO = packagePath('sim/examples/direct-basic.json');
const DEFAULT_VARIANTS = ['strategy=oldest', 'instances=1'];

/**
 * Wall time of a compare against the sum of its single runs (best of `repeats` each: GC makes
 * single timings of this allocation-heavy loop vary). Measured here, in a benchmark, never in a run.
 */
export function benchCompare(seedCount = 1000, file = DEFAULT_SCENARIO, specs: readonly string[] = DEFAULT_VARIANTS, repeats = 5): CompareBenchFigures {
  const configs = [loadVariant(file, BASELINE), ...specs.map((spec) => loadVariant(file, parseVariant(spec)))];
  const seeds = Array.from({ length: seedCount }, (_, i) => i + 1);
  let compareWallMs = Number.POSITIVE_INFINITY;
  let singleRunsWallMs = Number.POSITIVE_INFINITY;
  const timeSingles = (): void => {
    const started = wallClockMs();
    for (const seed of seeds) for (const config of configs) runConfig(config, seed);
    singleRunsWallMs = Math.min(singleRunsWallMs, wallClockMs() - started);
  };
  const timeCompare = (): void => {
    const started = wallClockMs();
    compareSeeds(configs, seeds);
    compareWallMs = Math.min(compareWallMs, wallClockMs() - started);
  };
  // Alternating which goes first keeps warm-up and GC debt from favouring either side.
  for (let r = 0; r < repeats; r++) {
    if (r % 2 === 0) {
      timeSingles();
      timeCompare();
    } else {
      timeCompare();
      timeSingles();
    }
  }
  return {
    scenario: configs[0]!.scenario.name,
    configs: configs.map((c) => c.name),
    seeds: seedCount,
    compareWallMs,
    singleRunsWallMs,
    overheadX: compareWallMs / singleRunsWallMs,
  };
}
