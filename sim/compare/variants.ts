import { InputError } from '../../src/core/input-errors.ts';
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { loadJsonFile, parseScenario } from '../../src/scenario/load.ts';
import type { Scenario } from '../../src/scenario/types.ts';
import { makeScheduler, UnknownBatcherError } from '../pipeline/batcher-choice.ts';
import { applyMergePatch } from './merge-patch.ts';

/** The built-in axes a `--variant` spec may set, as `axis=value`. */
export const VARIANT_AXES = ['strategy', 'instances', 'max_batch_size', 'max_candidate_sequences', 'executor_latency_x', 'batcher', 'one_at_a_time'] as const;
type AxisName = (typeof VARIANT_AXES)[number];

export type VariantAxis =
  | { readonly axis: 'strategy'; readonly strategy: 'direct' | 'oldest' }
  | { readonly axis: 'instances'; readonly count: number }
  | { readonly axis: 'max_batch_size'; readonly size: number }
  | { readonly axis: 'max_candidate_sequences'; readonly count: number }
  | { readonly axis: 'executor_latency_x'; readonly factor: number }
  /** One slot in all (Direct, one instance, max_batch_size 1): sequences run one at a time. */
  | { readonly axis: 'one_at_a_time' }
  /** Not a config change: runs this side with another batcher (a zoo bug), to test the oracle itself. */
  | { readonly axis: 'batcher'; readonly batcher: string }
  /** A JSON Merge Patch (RFC 7396) applied to the model's Triton JSON config. */
  | { readonly axis: 'patch'; readonly file: string; readonly patch: unknown };

/** One configuration to compare: its name is the spec as written (`strategy=oldest,instances=2`). */
export interface Variant {
  readonly name: string;
  readonly axes: readonly VariantAxis[];
}

export const BASELINE: Variant = { name: 'baseline', axes: [] };

/** A loaded configuration: the scenario with the variant applied, and the batcher it runs. */
export interface VariantConfig {
  readonly name: string;
  readonly scenario: Scenario;
  readonly batcher: string;
}

/**
 * Parses `axis=value[,axis=value…]`; a part that is not a known axis is the path of a merge patch
 * file (so a path cannot contain a comma). Problems are InputErrors naming the spec.
 */
export function parseVariant(spec: string): Variant {
  const name = spec.trim();
  const fail = (problem: string): never => {
    throw new InputError(`--variant ${JSON.stringify(name)}`, '', problem);
  };
  if (name === '') fail(`empty variant: give axis=value (axes: ${VARIANT_AXES.join(', ')}) or a merge patch file`);
  const axes: VariantAxis[] = [];
  const seen = new Set<string>();
  for (const rawPart of name.split(',')) {
    const part = rawPart.trim();
    if (part === '') fail('empty part between commas');
    const match = /^([A-Za-z_]+)=(.*)$/.exec(part);
    const axisName = match?.[1];
    if (match !== null && axisName !== undefined && isAxisName(axisName)) {
      if (seen.has(axisName)) fail(`${axisName} is given twice`);
      seen.add(axisName);
      axes.push(parseAxis(axisName, match[2]!, fail));
    } else if (existsSync(part)) {
      axes.push({ axis: 'patch', file: part, patch: loadJsonFile(part) });
    } else if (match !== null) {
      fail(`unknown axis ${JSON.stringify(axisName)} (axes: ${VARIANT_AXES.join(', ')}; or the path of a JSON merge patch file)`);
    } else {
      fail(`no merge patch file ${JSON.stringify(part)} (or give axis=value; axes: ${VARIANT_AXES.join(', ')})`);
    }
  }
  return { name, axes };
}

function isAxisName(name: string): name is AxisName {
  return (VARIANT_AXES as readonly string[]).includes(name);
}

function parseAxis(axis: AxisName, value: string, fail: (problem: string) => never): VariantAxis {
  switch (axis) {
    case 'strategy':
      if (value !== 'direct' && value !== 'oldest') return fail(`strategy must be "direct" or "oldest", got ${JSON.stringify(value)}`);
      return { axis, strategy: value };
    case 'instances':
      return { axis, count: wholeNumber(axis, value, 1, fail) };
    case 'max_batch_size':
      return { axis, size: wholeNumber(axis, value, 0, fail) };
    case 'max_candidate_sequences':
      return { axis, count: wholeNumber(axis, value, 1, fail) };
    case 'executor_latency_x': {
      const factor = /^\d+(\.\d+)?$/.test(value) ? Number(value) : NaN;
      if (!Number.isFinite(factor)) return fail(`executor_latency_x must be a non-negative number (a factor such as 2 or 0.5), got ${JSON.stringify(value)}`);
      return { axis, factor };
    }
    case 'one_at_a_time':
      if (value !== 'true' && value !== '1') return fail(`one_at_a_time takes true (or 1), got ${JSON.stringify(value)}`);
      return { axis };
    case 'batcher':
      try {
        makeScheduler(value);
      } catch (error) {
        if (error instanceof UnknownBatcherError) return fail(`batcher: ${error.message}`);
        throw error;
      }
      return { axis, batcher: value };
  }
}

function wholeNumber(axis: string, value: string, min: number, fail: (problem: string) => never): number {
  const n = /^\d+$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(n) || n < min) fail(`${axis} must be an integer ≥ ${min}, got ${JSON.stringify(value)}`);
  return n;
}

/**
 * Loads the scenario file with the variant applied to its raw JSON: the executor latency scaled,
 * the model config patched before normalisation, so Triton's validation judges the result. An
 * invalid result is an InputError naming the variant and the problem.
 */
export function loadVariant(file: string, variant: Variant, batcher = 'real'): VariantConfig {
  return variantOfJson(loadJsonFile(file), file, dirname(resolve(file)), variant, batcher);
}

/** loadVariant for scenario JSON already in memory (`explore --metamorphic`); `file` names it in errors. */
export function variantOfJson(raw: unknown, file: string, baseDir: string, variant: Variant, batcher = 'real'): VariantConfig {
  const factor = variant.axes.find((a) => a.axis === 'executor_latency_x')?.factor;
  const json = factor === undefined ? raw : scaleExecutorLatency(raw, factor);
  const options = variant.axes.length === 0 ? {} : { transformModel: (config: unknown) => applyModelAxes(config, variant) };
  let scenario: Scenario;
  try {
    scenario = parseScenario(json, file, baseDir, options);
  } catch (error) {
    // Errors that already name the variant (from its own axes) pass as they are.
    if (error instanceof InputError && variant !== BASELINE && !error.file.startsWith('--variant')) {
      throw new InputError(`--variant ${JSON.stringify(variant.name)}`, '', `makes an invalid scenario: ${error.message}`);
    }
    throw error;
  }
  const own = variant.axes.find((a) => a.axis === 'batcher')?.batcher;
  return { name: variant.name, scenario, batcher: own ?? batcher };
}

/** Strategy first, so `max_candidate_sequences=2,strategy=oldest` means the same as the other order. */
function applyModelAxes(config: unknown, variant: Variant): unknown {
  const ordered = [...variant.axes.filter((a) => a.axis === 'strategy'), ...variant.axes.filter((a) => a.axis !== 'strategy')];
  let result = config;
  for (const axis of ordered) result = applyMergePatch(result, modelPatch(result, axis, variant.name));
  return result;
}

/** The merge patch one axis makes on the current config ({} changes nothing). */
function modelPatch(config: unknown, axis: VariantAxis, variantName: string): unknown {
  switch (axis.axis) {
    case 'strategy': {
      // The two strategies are one oneof: setting one deletes the other (an existing block is kept).
      const other = axis.strategy === 'direct' ? 'oldest' : 'direct';
      return { sequence_batching: { [other]: null, [axis.strategy]: {} } };
    }
    case 'instances': {
      // One group of N, keeping the first group's kind; `gpus` goes so N means N instances.
      const kind = field(field(config, 'instance_group', 0), 'kind');
      return { instance_group: [{ count: axis.count, ...(typeof kind === 'string' ? { kind } : {}) }] };
    }
    case 'max_batch_size':
      return { max_batch_size: axis.size };
    case 'max_candidate_sequences':
      // Creating an `oldest` block would silently switch a Direct model's strategy.
      if (field(field(config, 'sequence_batching'), 'oldest') === undefined) {
        throw new InputError(
          `--variant ${JSON.stringify(variantName)}`,
          '',
          'max_candidate_sequences is an Oldest setting and the model uses Direct: add strategy=oldest',
        );
      }
      return { sequence_batching: { oldest: { max_candidate_sequences: axis.count } } };
    case 'one_at_a_time': {
      const kind = field(field(config, 'instance_group', 0), 'kind');
      return {
        max_batch_size: 1,
        instance_group: [{ count: 1, ...(typeof kind === 'string' ? { kind } : {}) }],
        sequence_batching: { oldest: null, direct: {} },
      };
    }
    case 'patch':
      return axis.patch;
    case 'executor_latency_x':
    case 'batcher':
      return {};
  }
}

function field(value: unknown, key: string, index?: number): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const child = (value as Record<string, unknown>)[key];
  if (index === undefined) return child;
  return Array.isArray(child) ? child[index] : undefined;
}

/** `executor.latency_us` × factor, rounded to whole µs; malformed blocks are left for the loader to name. */
function scaleExecutorLatency(json: unknown, factor: number): unknown {
  const latency = field(field(json, 'executor'), 'latency_us');
  const min = field(latency, 'min');
  const max = field(latency, 'max');
  let scaled: unknown;
  if (typeof latency === 'number') scaled = Math.round(latency * factor);
  else if (typeof min === 'number' && typeof max === 'number') scaled = { min: Math.round(min * factor), max: Math.round(max * factor) };
  else return json;
  return applyMergePatch(json, { executor: { latency_us: scaled } });
}
