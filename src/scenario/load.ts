import { InputError } from '../core/input-errors.ts';
import { statSync } from 'node:fs';
import { FileReadProblem, MiB, readBoundedText } from '../core/bounded-read.ts';
import { JsonProblem, parseStrictJson } from '../config/strict-json.ts';
import { basename, dirname, join, resolve } from 'node:path';
import type { ScenarioId } from '../core/ids.ts';
import { U64_MAX } from '../core/ids.ts';
import { JsonReader, describe } from '../config/json-reader.ts';
import { normalizeModelConfig, type ConfigSource, type ModelConfigCache, type NormalizedModel } from '../config/normalize.ts';
import { lineColumn, parsePbtxt } from '../config/pbtxt.ts';
import type { ModelConfig } from '../config/types.ts';
import { checkFaultTargets, normalizeFaults, parseFaults } from './faults.ts';
import { normalizeLifecycle, readLifecycle, type ModelNormalizer } from './lifecycle.ts';
import { checkInt64Sums, readStepValue } from './step-values.ts';
import type { Latency, Scenario, ScenarioSequence, ScenarioStep, TestHooks } from './types.ts';
import { StepTable } from './step-table.ts';

export { DEFAULT_EXIT_TIMEOUT_US, DEFAULT_DRAIN_TIMEOUT_US } from './lifecycle.ts';

const SCENARIO_FIELDS = ['name', 'seed', 'model', 'executor', 'transport', 'sequences', 'faults', 'lifecycle', 'schedule', 'draws', 'test_hooks'] as const;
/** A pinned same-instant schedule longer than this is not a reproducer anyone can read. */
const MAX_SCHEDULE_ENTRIES = 100_000;
const SEQUENCE_FIELDS = ['id', 'start_us', 'mode', 'steps'] as const;
const STEP_FIELDS = ['value', 'start', 'end', 'gap_us', 'timeout_us', 'cancel_after_us'] as const;
/** Bounds that keep a scenario's run finite and its trace readable. */
export const MAX_SEQUENCES = 1_000_000;
export const MAX_STEPS_PER_SEQUENCE = 1_000_000;
export const MAX_STEPS = 10_000_000;
/** The largest scenario, summary or patch JSON file read (it must fit one string, and a trace header holds it normalised). */
export const MAX_JSON_FILE_BYTES = 256 * MiB;
/** The largest model config file (config.pbtxt or .json) read: Triton's are a few KB. */
export const MAX_CONFIG_FILE_BYTES = 16 * MiB;
/** Every time in a scenario (and so every sum of a few of them) stays an exact integer. */
export const MAX_TIME_US = 2 ** 50;

/** Reads a JSON file; problems name the file and, for syntax errors, the line and column. */
export function loadJsonFile(file: string): unknown {
  return parseJsonText(readText(file), file);
}

export function loadScenarioFile(file: string, options: ScenarioLoadOptions = {}): Scenario {
  return parseScenario(loadJsonFile(file), file, dirname(resolve(file)), options);
}

export interface ScenarioLoadOptions {
  /**
   * Rewrites the model's Triton JSON config (read inline, or from its config.pbtxt / .json file)
   * before normalisation, so a changed config is validated like a written one (`seqsim compare`).
   */
  readonly transformModel?: (config: unknown) => unknown;
  /**
   * Normalises inline model configs (the model and lifecycle loads) through this cache: for callers
   * that parse many scenarios of plain JSON (explore's generated ones). The models it returns are frozen.
   */
  readonly models?: ModelConfigCache;
}

/**
 * Validates a scenario (shared/SCENARIO.md v1) and fills in every default. `baseDir` resolves a
 * model given as a path and holds an inline model's `initial_state/` files.
 */
export function parseScenario(json: unknown, file: string, baseDir: string, options: ScenarioLoadOptions = {}): Scenario {
  const root = new JsonReader(file, '', json);
  root.object();
  root.onlyKeys(SCENARIO_FIELDS);
  const name = root.optional('name', (r) => r.string(), 'scenario');
  const seed = root.has('seed') ? root.child('seed').integer() : undefined;
  const { config: model, normalized: normalizedModel } = loadModel(
    root.required('model', 'the Triton model configuration (an object, or the path of a config.pbtxt)'),
    baseDir,
    options,
  );
  const executorLatencyUs = root.optional('executor', latencyBlock, 0);
  const transportLatencyUs = root.optional('transport', latencyBlock, 0);
  const sequences = readSequences(root.required('sequences', 'the client sequences'), model);
  const faults = root.has('faults') ? parseFaults(root.child('faults'), readId) : undefined;
  if (faults !== undefined)
    checkFaultTargets(
      root.child('faults'),
      faults,
      sequences.map((s) => ({ id: s.id, steps: s.steps.length })),
    );
  const lifecycle = root.has('lifecycle') ? readLifecycle(root.child('lifecycle'), MAX_TIME_US, (r) => readModelJson(r, baseDir), normalizerOf(options)) : [];
  const schedule = root.has('schedule') ? readSchedule(root.child('schedule')) : undefined;
  const draws = root.has('draws') ? readDraws(root.child('draws')) : undefined;
  const testHooks = root.has('test_hooks') ? readTestHooks(root.child('test_hooks')) : undefined;
  // Key order here is the trace header's: every field explicit, the model inline, ids as read.
  const normalized: Record<string, unknown> = {
    name,
    ...(seed !== undefined ? { seed } : {}),
    model: normalizedModel,
    executor: { latency_us: executorLatencyUs },
    transport: { latency_us: transportLatencyUs },
    sequences: sequences.map(normalizeSequence),
    ...(faults !== undefined ? { faults: normalizeFaults(faults) } : {}),
    ...(lifecycle.length > 0 ? { lifecycle: normalizeLifecycle(lifecycle) } : {}),
    ...(schedule !== undefined ? { schedule: [...schedule] } : {}),
    ...(draws !== undefined ? { draws } : {}),
    ...(testHooks !== undefined
      ? { test_hooks: { delay_scheduler: testHooks.delaySchedulerRequests, backlog_delay_scheduler: testHooks.backlogDelaySchedulerRequests } }
      : {}),
  };
  return {
    name,
    seed,
    model,
    executorLatencyUs,
    transportLatencyUs,
    sequences,
    faults,
    lifecycle,
    normalized,
    ...(schedule !== undefined ? { schedule } : {}),
    ...(draws !== undefined ? { draws } : {}),
    ...(testHooks !== undefined ? { testHooks } : {}),
  };
}

/** The largest hook count: Triton reads it with atoi into a size_t; more requests than this never queue in a scenario. */
const MAX_HOOK_REQUESTS = 1_000_000;

/**
 * `test_hooks` (seqsim's extension): Triton's QA environment variables, which the server reads when
 * a model's batcher threads start. `seqsim drive --compare-sim` and `npm run triton:diff` set them
 * on the real server; the simulator holds its batcher the same way (src/batcher/delay-hook.ts).
 */
function readTestHooks(reader: JsonReader): TestHooks {
  reader.object();
  reader.onlyKeys(['delay_scheduler', 'backlog_delay_scheduler']);
  const delaySchedulerRequests = reader.optional('delay_scheduler', (r) => r.integer(0, MAX_HOOK_REQUESTS), 0);
  const backlogDelaySchedulerRequests = reader.optional('backlog_delay_scheduler', (r) => r.integer(0, MAX_HOOK_REQUESTS), 0);
  if (backlogDelaySchedulerRequests > 0 && delaySchedulerRequests === 0)
    reader.fail('backlog_delay_scheduler only acts while delay_scheduler holds the batcher (Triton checks it inside that wait): set delay_scheduler too');
  return { delaySchedulerRequests, backlogDelaySchedulerRequests };
}

/**
 * `draws` (seqsim's extension): "chosen" makes fault decisions and latency draws choice points, as
 * `check --choose-draws` does, so a reproducer's `schedule` can name them; "seeded" is the default.
 */
function readDraws(reader: JsonReader): 'chosen' | undefined {
  const value = reader.string();
  if (value !== 'chosen' && value !== 'seeded')
    reader.fail(`must be "seeded" (the default: the seed draws faults and latencies) or "chosen" (they are choice points), got ${JSON.stringify(value)}`);
  return value === 'chosen' ? 'chosen' : undefined;
}

/**
 * `schedule` (seqsim's extension): the same-instant decisions a shrunk reproducer pins, each a task
 * label ("reaper", "arrive:7:2") or an option index — with `"draws": "chosen"`, draw labels too
 * ("fault:request_drop:7:2=fire") — and after the list, the first option. With it, ties no longer
 * depend on the seed.
 */
function readSchedule(reader: JsonReader): (number | string)[] {
  const entries = reader.array();
  if (entries.length > MAX_SCHEDULE_ENTRIES) reader.fail(`at most ${MAX_SCHEDULE_ENTRIES} entries, got ${entries.length}`);
  return entries.map((entry) => (typeof entry.value === 'string' ? entry.string() : entry.integer(0, 1_000_000)));
}

/** `model`: an inline Triton JSON config, or a path (config.pbtxt, .json, or a model folder). */
function loadModel(reader: JsonReader, baseDir: string, options: ScenarioLoadOptions): NormalizedModel {
  const { json, source } = readModelJson(reader, baseDir);
  return normalizerOf(options)(options.transformModel ? options.transformModel(json) : json, source);
}

/** The caller's model cache, if it gave one; else each config is normalised anew. */
function normalizerOf(options: ScenarioLoadOptions): ModelNormalizer {
  const cache = options.models;
  return cache === undefined ? normalizeModelConfig : (json, source) => cache.normalize(json, source);
}

/**
 * A model config file (config.pbtxt or .json) or a model folder, loaded as a scenario's `model`
 * path is: parsed, named after its folder when `name` is left out, normalised and validated.
 */
export function loadModelConfig(path: string): NormalizedModel {
  const { json, source } = readModelFile(new JsonReader('<arguments>', 'model', path), path);
  return normalizeModelConfig(json, source);
}

/**
 * A model config as Triton JSON, not yet validated: inline, or read from its file (a missing or
 * unparseable file is bad input). Shared by `model` and lifecycle `load` entries.
 */
function readModelJson(reader: JsonReader, baseDir: string): { json: unknown; source: ConfigSource } {
  if (typeof reader.value === 'string') return readModelFile(reader, resolve(baseDir, reader.value));
  if (typeof reader.value !== 'object' || reader.value === null || Array.isArray(reader.value)) {
    reader.fail(`expected a Triton model configuration (an object) or the path of a config.pbtxt, got ${describe(reader.value)}`);
  }
  return { json: reader.value, source: { file: reader.file, field: reader.path, modelDir: baseDir } };
}

function readModelFile(reader: JsonReader, path: string): { json: unknown; source: ConfigSource } {
  // A model folder, as in a Triton model repository, holds its config.pbtxt.
  const file = isDirectory(path) ? join(path, 'config.pbtxt') : path;
  let text: string;
  try {
    text = readBoundedText(file, MAX_CONFIG_FILE_BYTES);
  } catch (error) {
    const shown = file === path ? String(reader.value) : join(String(reader.value), 'config.pbtxt');
    return reader.fail(`cannot read model config ${shown} (${errorCode(error)})`);
  }
  const json = file.endsWith('.json') ? parseJsonText(text, file) : parsePbtxt(text, file);
  const modelDir = dirname(file);
  // Triton names a model after its folder when the config leaves `name` out.
  if (typeof json === 'object' && json !== null && !Array.isArray(json) && ((json as Record<string, unknown>)['name'] ?? '') === '') {
    (json as Record<string, unknown>)['name'] = basename(modelDir);
  }
  return { json, source: { file, field: '', modelDir } };
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function latencyBlock(reader: JsonReader): Latency {
  reader.object();
  reader.onlyKeys(['latency_us']);
  return reader.optional('latency_us', readLatency, 0);
}

/** Fixed µs, or {min, max}: uniform integer in [min, max] drawn from the run's seed. */
function readLatency(reader: JsonReader): Latency {
  if (typeof reader.value === 'number') return reader.nonNegativeInt(MAX_TIME_US);
  if (typeof reader.value !== 'object' || reader.value === null || Array.isArray(reader.value)) {
    reader.fail(`expected integer µs or {"min": …, "max": …}, got ${describe(reader.value)}`);
  }
  reader.onlyKeys(['min', 'max']);
  const min = reader.required('min', 'the smallest latency (µs)').nonNegativeInt(MAX_TIME_US);
  const max = reader.required('max', 'the largest latency (µs)').nonNegativeInt(MAX_TIME_US);
  if (min > max) reader.child('min').fail(`min (${min}) must not exceed max (${max})`);
  return { min, max };
}

function readSequences(reader: JsonReader, model: ModelConfig): ScenarioSequence[] {
  const sequences = reader.array();
  if (sequences.length > MAX_SEQUENCES) reader.fail(`at most ${MAX_SEQUENCES} sequences`);
  let steps = 0;
  const table = new StepTable();
  const read = sequences.map((r) => {
    const sequence = readSequence(r, model, table);
    steps += sequence.steps.length;
    if (steps > MAX_STEPS) r.fail(`a scenario holds at most ${MAX_STEPS} steps in all`);
    return sequence;
  });
  checkInt64Sums(reader, model, read);
  return read;
}

function readSequence(reader: JsonReader, model: ModelConfig, table: StepTable): ScenarioSequence {
  reader.object();
  reader.onlyKeys(SEQUENCE_FIELDS);
  const id = readId(reader.required('id', 'the correlation id'));
  const startUs = reader.optional('start_us', (r) => r.nonNegativeInt(MAX_TIME_US), 0);
  const mode = reader.optional('mode', (r) => r.string(), 'sync');
  if (mode !== 'sync' && mode !== 'stream') reader.child('mode').fail(`expected "sync" or "stream", got ${describe(mode)}`);
  const stepsReader = reader.required('steps', 'the steps of the sequence');
  const steps = stepsReader.array();
  if (steps.length === 0) stepsReader.fail('a sequence needs at least one step');
  if (steps.length > MAX_STEPS_PER_SEQUENCE) stepsReader.fail(`at most ${MAX_STEPS_PER_SEQUENCE} steps`);
  return { id, startUs, mode: mode as 'sync' | 'stream', steps: steps.map((s) => table.share(readStep(s, model))) };
}

/**
 * A correlation id: JSON number = uint64 (a non-negative safe integer); string = string id;
 * {"u64": "…"} = uint64 written in decimal, up to 2^64-1. A u64 that fits a safe integer reads as
 * that number, so one id has one spelling in traces. 0 and "" are allowed: Triton's answer to
 * them is part of what a scenario can test.
 */
function readId(reader: JsonReader): ScenarioId {
  const value = reader.value;
  if (typeof value === 'string') return value;
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value) || value < 0)
      reader.fail(`a numeric id must be a non-negative integer up to 2^53-1 (write {"u64": "…"} above that), got ${describe(value)}`);
    return value;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) reader.fail(`expected a number, a string or {"u64": "…"}, got ${describe(value)}`);
  reader.onlyKeys(['u64']);
  const text = reader.required('u64', 'the id in decimal').string();
  if (!/^\d{1,20}$/.test(text) || BigInt(text) > U64_MAX)
    reader.child('u64').fail(`expected a decimal uint64 (0 … 18446744073709551615), got ${describe(text)}`);
  const big = BigInt(text);
  return big <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(big) : { u64: big.toString() };
}

function readStep(reader: JsonReader, model: ModelConfig): ScenarioStep {
  reader.object();
  reader.onlyKeys(STEP_FIELDS);
  const valueReader = reader.required('value', 'the INPUT value of the step');
  const value = readStepValue(valueReader, model);
  return {
    value,
    start: reader.optional('start', (r) => r.boolean(), false),
    end: reader.optional('end', (r) => r.boolean(), false),
    gapUs: reader.optional('gap_us', (r) => r.nonNegativeInt(MAX_TIME_US), 0),
    timeoutUs: reader.optional('timeout_us', (r) => r.nonNegativeInt(MAX_TIME_US), 0),
    cancelAfterUs: reader.has('cancel_after_us') ? reader.child('cancel_after_us').nonNegativeInt(MAX_TIME_US) : undefined,
  };
}

/**
 * A sequence as the trace header writes it. Its `steps` are built anew on each read (the header's
 * serialisation, a shrinker's copy) and never kept: a million normalised steps would hold some
 * 75 MB for the whole run. Read, copied (spread, structuredClone) or serialised, it is plain JSON.
 * One getter shared by all sequences, reading the sequence from a hidden property, keeps each
 * object small (some 90 bytes; a closure per sequence cost 400).
 */
function normalizeSequence(sequence: ScenarioSequence): Record<string, unknown> {
  return Object.defineProperties({ id: sequence.id, start_us: sequence.startUs, mode: sequence.mode } as Record<string | symbol, unknown>, {
    [SEQUENCE]: { value: sequence },
    steps: { enumerable: true, get: normalizedSteps },
  });
}

const SEQUENCE = Symbol('sequence');

function normalizedSteps(this: Record<symbol, ScenarioSequence>): Record<string, unknown>[] {
  return this[SEQUENCE]!.steps.map(normalizeStep);
}

function normalizeStep(step: ScenarioStep): Record<string, unknown> {
  return {
    value: step.value,
    start: step.start,
    end: step.end,
    gap_us: step.gapUs,
    timeout_us: step.timeoutUs,
    ...(step.cancelAfterUs !== undefined ? { cancel_after_us: step.cancelAfterUs } : {}),
  };
}

function readText(file: string): string {
  try {
    return readBoundedText(file, MAX_JSON_FILE_BYTES);
  } catch (error) {
    throw new InputError(file, '', `cannot read file (${errorCode(error)})`);
  }
}

/**
 * JSON with every key once per object (parseStrictJson): a syntax error names its line and column
 * and the offending token (escaped, short), a duplicate key its JSON path; never more of the text.
 */
function parseJsonText(text: string, file: string): unknown {
  try {
    return parseStrictJson(text);
  } catch (error) {
    if (!(error instanceof JsonProblem)) throw error;
    if (error.path !== undefined) throw new InputError(file, error.path, `${error.problem} (${lineColumn(text, error.at)})`);
    throw new InputError(file, lineColumn(text, error.at), `not valid JSON: ${error.problem}`);
  }
}

function errorCode(error: unknown): string {
  if (error instanceof FileReadProblem) return error.problem;
  return (error as NodeJS.ErrnoException).code ?? String(error);
}
