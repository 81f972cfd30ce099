import { InputError } from '../../src/core/input-errors.ts';
import fc from 'fast-check';
import { compareSeed, type CompareRunOptions, type SeedComparison } from '../compare/compare.ts';
import { BASELINE, parseVariant, variantOfJson, type Variant, type VariantConfig } from '../compare/variants.ts';
import type { RunResult } from '../simulate.ts';
import { isKnownTritonBehaviour } from './known-triton.ts';

type Json = Record<string, unknown>;

/** Its own stream: the variant draw must not correlate with the scenario drawn from the same seed. */
const VARIANT_STREAM = 0x6d657461;

/**
 * `explore --metamorphic`: the configuration variant a seed is compared under — one to three of
 * compare's axes (strategy, instances, max_batch_size, max_candidate_sequences, executor speed),
 * drawn from the seed alone, as the spec string `seqsim compare --variant` takes.
 */
export function variantSpecForSeed(seed: number, model: Json): string {
  const isOldest = typeof model['sequence_batching'] === 'object' && model['sequence_batching'] !== null && 'oldest' in (model['sequence_batching'] as Json);
  const axes = fc.record(
    {
      strategy: fc.constantFrom('direct', 'oldest'),
      instances: fc.integer({ min: 1, max: 3 }),
      max_batch_size: fc.integer({ min: 0, max: 3 }),
      max_candidate_sequences: fc.integer({ min: 1, max: 4 }),
      executor_latency_x: fc.constantFrom(0, 0.5, 2, 3),
    },
    { requiredKeys: [] },
  );
  const [drawn] = fc.sample(axes, { seed: (seed ^ VARIANT_STREAM) | 0, numRuns: 1 });
  const picked: Record<string, string | number> = { ...drawn };
  // max_candidate_sequences is an Oldest setting: only where the variant runs Oldest.
  if ((picked['strategy'] ?? (isOldest ? 'oldest' : 'direct')) !== 'oldest') delete picked['max_candidate_sequences'];
  if (Object.keys(picked).length === 0) picked['instances'] = 1 + (Math.abs(seed) % 3);
  return Object.entries(picked)
    .map(([axis, value]) => `${axis}=${value}`)
    .join(',');
}

/**
 * The scenario a metamorphic comparison runs: the explored one without its loads and unloads. A
 * reload interrupts whatever sequences happen to be in flight at the swap, which depends on timing
 * and so on the configuration; compare has no way to tell that from a bug. Stops stay.
 */
export function comparableJson(json: Json): Json {
  const lifecycle = json['lifecycle'] as Json[] | undefined;
  if (lifecycle === undefined) return json;
  const { lifecycle: _dropped, ...rest } = json;
  const stops = lifecycle.filter((event) => event['stop'] === true);
  return stops.length > 0 ? { ...rest, lifecycle: stops } : rest;
}

export interface MetamorphicSeed {
  readonly spec: string;
  /** The compared scenario JSON (comparableJson of the explored one). */
  readonly json: Json;
  readonly configs: readonly VariantConfig[];
  readonly comparison: SeedComparison;
  readonly runs: readonly RunResult[];
  /** The cross-config failure of this seed, if any: a difference, or a violation in the variant's run. */
  readonly failure: string | undefined;
}

/**
 * Compares one seed's scenario under the baseline and its drawn variant. Undefined when the variant
 * makes an invalid config for this scenario (Triton would refuse it: nothing to compare).
 */
export function compareSeedVariant(json: Json, seed: number, batcher: string, options: CompareRunOptions = {}): MetamorphicSeed | undefined {
  const compared = comparableJson(json);
  return compareUnder(compared, variantSpecForSeed(seed, compared['model'] as Json), seed, batcher, options);
}

/** One seed's comparison under a given variant spec (the shrinker keeps the spec fixed). */
export function compareUnder(json: Json, spec: string, seed: number, batcher: string, options: CompareRunOptions = {}): MetamorphicSeed | undefined {
  const configs = configsFor(json, parseVariant(spec), batcher);
  if (configs === undefined) return undefined;
  const { comparison, runs } = compareSeed(configs, seed, options);
  return { spec, json, configs, comparison, runs, failure: failureOf(comparison, runs) };
}

function configsFor(json: Json, variant: Variant, batcher: string): VariantConfig[] | undefined {
  try {
    return [variantOfJson(json, 'generated', '.', BASELINE, batcher), variantOfJson(json, 'generated', '.', variant, batcher)];
  } catch (error) {
    if (error instanceof InputError) return undefined;
    throw error;
  }
}

/**
 * What fails a seed: a cross-config difference, or the variant run's own violation (the baseline's
 * are the ordinary explore findings). Runs showing documented Triton behaviour (a leaked slot, a
 * starved backlog) legitimately differ, so such a seed has no cross-config verdict.
 */
function failureOf(comparison: SeedComparison, runs: readonly RunResult[]): string | undefined {
  if (runs.some((run) => run.violations.length > 0 && isKnownTritonBehaviour(run))) return undefined;
  const difference = comparison.violations[0];
  if (difference !== undefined) return difference.message;
  const own = comparison.runViolations.find((v) => v.config !== BASELINE.name);
  return own === undefined ? undefined : `${own.oracle} in ${own.config}: ${own.message}`;
}
