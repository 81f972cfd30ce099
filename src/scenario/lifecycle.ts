import { InputError } from '../core/input-errors.ts';
import { describe, type JsonReader } from '../config/json-reader.ts';
import { normalizeModelConfig, type ConfigSource, type NormalizedModel } from '../config/normalize.ts';
import type { LifecycleEvent, LoadEvent, LoadPolicy } from './types.ts';

/** Triton's default server exit timeout (tritonserver --exit-timeout-secs=30). */
export const DEFAULT_EXIT_TIMEOUT_US = 30_000_000;
/** The drain policy gives up after Triton's default exit timeout unless told otherwise. */
export const DEFAULT_DRAIN_TIMEOUT_US = 30_000_000;

const ACTIONS = ['load', 'unload', 'stop'] as const;
const FIELDS = ['at_us', 'load', 'files_changed', 'load_us', 'policy', 'drain_timeout_us', 'unload', 'stop', 'exit_timeout_us'];
/** Which fields belong to which action: anything else on an entry is a mistake worth naming. */
const ACTION_FIELDS: Record<(typeof ACTIONS)[number], readonly string[]> = {
  load: ['files_changed', 'load_us', 'policy', 'drain_timeout_us'],
  unload: [],
  stop: ['exit_timeout_us'],
};
const POLICIES: readonly LoadPolicy[] = ['triton', 'drain'];

/** Reads a `load` config (inline JSON, or a config file relative to the scenario) as Triton JSON. */
export type ModelJsonReader = (reader: JsonReader) => { readonly json: unknown; readonly source: ConfigSource };
/** Normalises a load's config: normalizeModelConfig, or a cache in front of it. */
export type ModelNormalizer = (json: unknown, source: ConfigSource) => NormalizedModel;

/**
 * The `lifecycle` block (shared/SCENARIO.md): entries in time order, one action each. Structural
 * mistakes are InputErrors naming the entry and field; a load config that Triton would refuse is
 * kept as `invalid` (the run traces `load-failed` and the old model keeps serving).
 */
export function readLifecycle(
  reader: JsonReader,
  maxTimeUs: number,
  readModelJson: ModelJsonReader,
  normalize: ModelNormalizer = normalizeModelConfig,
): LifecycleEvent[] {
  const events: LifecycleEvent[] = [];
  for (const entry of reader.array()) {
    const event = readEntry(entry, maxTimeUs, readModelJson, normalize);
    const previous = events[events.length - 1];
    if (previous !== undefined && event.atUs < previous.atUs) {
      entry.child('at_us').fail(`lifecycle entries must be in time order: ${event.atUs} comes before the previous entry's ${previous.atUs}`);
    }
    if (previous?.kind === 'stop') entry.fail('nothing can follow a server stop: the server is gone');
    events.push(event);
  }
  return events;
}

function readEntry(entry: JsonReader, maxTimeUs: number, readModelJson: ModelJsonReader, normalize: ModelNormalizer): LifecycleEvent {
  entry.object();
  entry.onlyKeys(FIELDS);
  const atUs = entry.required('at_us', 'when the event happens (at_us)').nonNegativeInt(maxTimeUs);
  const actions = ACTIONS.filter((action) => entry.has(action));
  if (actions.length === 0) entry.fail(`names no action: give one of ${ACTIONS.join(', ')}`);
  if (actions.length > 1) entry.fail(`names ${actions.join(' and ')}: give one action per entry`);
  const action = actions[0]!;
  for (const [other, fields] of Object.entries(ACTION_FIELDS)) {
    if (other === action) continue;
    for (const field of fields) {
      if (entry.has(field) && !ACTION_FIELDS[action].includes(field)) entry.child(field).fail(`only a ${other} takes ${field}, and this entry is a ${action}`);
    }
  }
  if (action === 'stop') {
    if (entry.child('stop').boolean() !== true) entry.child('stop').fail('must be true (leave the entry out for no stop)');
    const exitTimeoutUs = entry.optional('exit_timeout_us', (r) => r.nonNegativeInt(maxTimeUs), DEFAULT_EXIT_TIMEOUT_US);
    return { atUs, kind: 'stop', exitTimeoutUs };
  }
  if (action === 'unload') {
    if (entry.child('unload').boolean() !== true) entry.child('unload').fail('must be true (leave the entry out for no unload)');
    return { atUs, kind: 'unload' };
  }
  return readLoad(entry, atUs, maxTimeUs, readModelJson, normalize);
}

function readLoad(entry: JsonReader, atUs: number, maxTimeUs: number, readModelJson: ModelJsonReader, normalize: ModelNormalizer): LoadEvent {
  const policy = entry.optional('policy', (r) => r.string(), 'triton') as LoadPolicy;
  if (!POLICIES.includes(policy)) entry.child('policy').fail(`expected "triton" or "drain", got ${describe(policy)}`);
  if (policy !== 'drain' && entry.has('drain_timeout_us'))
    entry.child('drain_timeout_us').fail('only the "drain" policy waits, so only it takes drain_timeout_us');
  const { json, source } = readConfigJson(entry.child('load'), readModelJson);
  return {
    atUs,
    kind: 'load',
    config: normalizeLoadConfig(json, source, normalize),
    filesChanged: entry.optional('files_changed', (r) => r.boolean(), false),
    loadUs: entry.optional('load_us', (r) => r.nonNegativeInt(maxTimeUs), 0),
    policy,
    drainTimeoutUs: entry.optional('drain_timeout_us', (r) => r.nonNegativeInt(maxTimeUs), DEFAULT_DRAIN_TIMEOUT_US),
  };
}

/** A config file that cannot be parsed is bad input; the error names this entry as well as the file. */
function readConfigJson(reader: JsonReader, readModelJson: ModelJsonReader): ReturnType<ModelJsonReader> {
  try {
    return readModelJson(reader);
  } catch (error) {
    if (error instanceof InputError && error.file !== reader.file) reader.fail(`cannot parse model config ${String(reader.value)}: ${error.message}`);
    throw error;
  }
}

/** A config Triton refuses is not bad input: the load fails at run time, as Triton's would. */
function normalizeLoadConfig(
  json: unknown,
  source: ConfigSource,
  normalize: ModelNormalizer,
): NormalizedModel | { readonly invalid: string; readonly json: unknown } {
  try {
    return normalize(json, source);
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    return { invalid: error.field ? `${error.field}: ${error.problem}` : error.problem, json };
  }
}

/** The block as the trace header writes it: every default explicit, configs normalised where valid. */
export function normalizeLifecycle(events: readonly LifecycleEvent[]): Record<string, unknown>[] {
  return events.map((event) => {
    if (event.kind === 'stop') return { at_us: event.atUs, stop: true, exit_timeout_us: event.exitTimeoutUs };
    if (event.kind === 'unload') return { at_us: event.atUs, unload: true };
    return {
      at_us: event.atUs,
      load: 'invalid' in event.config ? event.config.json : event.config.normalized,
      files_changed: event.filesChanged,
      load_us: event.loadUs,
      policy: event.policy,
      ...(event.policy === 'drain' ? { drain_timeout_us: event.drainTimeoutUs } : {}),
    };
  });
}
