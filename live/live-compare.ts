import type { VariantConfig } from '../sim/compare/variants.ts';
import { diffRuns } from '../sim/compare/compare.ts';
import type { SeedComparison } from '../sim/compare/compare.ts';
import { runLive, type LiveOptions, type LiveResult } from './run-live.ts';

export interface LiveCompareOptions extends Omit<LiveOptions, 'seed' | 'batcher' | 'load' | 'keepFeeds'> {
  /** Relative tolerance for numeric outputs (a user's float model batched differently). */
  readonly tolerance: number;
}

/**
 * `seqsim compare --live`: each configuration's run happens on ONNX Runtime with the real clock,
 * one after another (so they do not compete for the cores), and the per-sequence response streams
 * are diffed as in the simulator. On a user's own model, which has no reference function, this is
 * the check that Direct, Oldest and one-sequence-at-a-time agree.
 */
export async function compareLiveSeed(
  configs: readonly VariantConfig[],
  file: string,
  seed: number,
  options: LiveCompareOptions,
): Promise<{ comparison: SeedComparison; runs: readonly LiveResult[] }> {
  const runs: LiveResult[] = [];
  for (const config of configs) {
    const run = await runLive(config.scenario, file, { ...options, seed, batcher: config.batcher });
    for (const session of run.sessions) await session.release();
    runs.push(run);
  }
  return { comparison: diffRuns(configs, seed, runs, options.tolerance), runs };
}
