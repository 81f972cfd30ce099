import { assert } from '../../src/core/assert.ts';
import { shrinkJson, sizeOf, type ScenarioSize } from './shrink.ts';
import { compareUnder, type MetamorphicSeed } from './metamorphic.ts';

type Json = Record<string, unknown>;

export interface CrossConfigShrinkResult {
  readonly scenarioJson: Json;
  /** The shrunk comparison, with serialised traces. */
  readonly comparison: MetamorphicSeed;
  readonly attempts: number;
  readonly before: ScenarioSize;
  readonly after: ScenarioSize;
}

/**
 * Shrinks a cross-config finding with the scenario shrinker's candidates, keeping the variant
 * spec and seed fixed, while the comparison still fails. Same-instant orderings are not pinned: a
 * schedule names one run's task labels, and the two configurations' runs have different tasks.
 */
export function shrinkCrossConfig(
  json: Json,
  spec: string,
  seed: number,
  batcher: string,
  options: { maxEvents?: number; maxAttempts?: number } = {},
): CrossConfigShrinkResult {
  const runOptions = options.maxEvents !== undefined ? { maxEvents: options.maxEvents } : {};
  const failing = (candidate: Json): MetamorphicSeed | undefined => {
    const result = compareUnder(candidate, spec, seed, batcher, runOptions);
    return result?.failure !== undefined ? result : undefined;
  };
  assert(failing(json) !== undefined, 'a cross-config finding fails before it is shrunk');
  const reduced = shrinkJson(json, failing, options.maxAttempts ?? 2000);
  const comparison = compareUnder(reduced.json, spec, seed, batcher, { ...runOptions, serialize: true });
  assert(comparison?.failure !== undefined, 'the shrunk comparison still fails');
  const choices = 0;
  return {
    scenarioJson: reduced.json,
    comparison,
    attempts: reduced.attempts,
    before: { ...sizeOf(json), choices },
    after: { ...sizeOf(reduced.json), choices },
  };
}
