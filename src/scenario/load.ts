import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { ScenarioId } from '../core/ids.ts';
import { U64_MAX } from '../core/ids.ts';
import { JsonReader, describe } from '../config/json-reader.ts';
import { normalizeModelConfig } from '../config/normalize.ts';
import { parsePbtxt } from '../config/pbtxt.ts';
import type { ModelConfig } from '../config/types.ts';
import { normalizeFaults, parseFaults } from './faults.ts';
import { InputError, type Latency, type Scenario, type ScenarioSequence, type ScenarioStep, type StopEvent } from './types.ts';

const SCENARIO_FIELDS = ['name', 'seed', 'model', 'executor', 'transport', 'sequences', 'faults', 'lifecycle'] as const;
const SEQUENCE_FIELDS = ['id', 'start_us', 'mode', 'steps'] as const;
const STEP_FIELDS = ['value', 'start', 'end', 'gap_us', 'timeout_us', 'cancel_after_us'] as const;
const LIFECYCLE_FIELDS = ['at_us', 'load', 'files_changed', 'load_us', 'policy', 'drain_timeout_us', 'unload', 'stop', 'exit_timeout_us'] as const;
/** Not yet simulated: refused by name until the strategy-switching work lands. */
const LIFECYCLE_NOT_YET = ['load', 'files_changed', 'load_us', 'policy', 'drain_timeout_us', 'unload'] as const;
/** Triton's default server exit timeout. */
export const DEFAULT_EXIT_TIMEOUT_US = 30_000_000;
/** Bounds that keep a scenario's run finite and its trace readable. */
export const MAX_SEQUENCES = 1_000_000;
export const MAX_STEPS_PER_SEQUENCE = 1_000_000;
export const MAX_TIME_US = 2 ** 50;

/** Reads a JSON file; problems name the file and, for syntax errors, where. */
export function loadJsonFile(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new InputError(file, '', `cannot read file (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new InputError(file, '', `not valid JSON: ${(error as Error).message}`);
  }
}

export function loadScenarioFile(file: string): Scenario {
  return parseScenario(loadJsonFile(file), file, dirname(resolve(file)));
}

/** Validates a scenario (SCENARIO.md v1) and fills in every default. */
export function parseScenario(json: unknown, file: string, baseDir: string): Scenario {
  const root = new JsonReader(file, '', json);
  root.object();
  root.onlyKeys(SCENARIO_FIELDS);
  const name = root.optional('name', (r) => r.string(), 'scenario');
  const seed = root.has('seed') ? root.child('seed').integer() : undefined;
  if (!root.has('model')) root.fail('missing: the Triton model configuration (object, or path to a config.pbtxt)', 'model');
  const { config: model, normalized: normalizedModel } = loadModel(root.child('model'), baseDir);
  const executorLatencyUs = root.optional('executor', (r) => latencyBlock(r), 0);
  const transportLatencyUs = root.optional('transport', (r) => latencyBlock(r), 0);
  if (!root.has('sequences')) root.fail('missing: the client sequences', 'sequences');
  const sequenceReaders = root.child('sequences').array();
  if (sequenceReaders.length > MAX_SEQUENCES) root.child('sequences').fail(`at most ${MAX_SEQUENCES} sequences`);
  const sequences = sequenceReaders.map((r) => readSequence(r, model));
  const faults = root.has('faults') ? parseFaults(root.child('faults'), readId) : undefined;
  const lifecycle = root.optionalArray('lifecycle').map(readLifecycle);
  lifecycle.forEach((event, i) => {
    if (i > 0 && event.atUs < lifecycle[i - 1]!.atUs) root.child('lifecycle').child(i).child('at_us').fail('lifecycle entries must be in time order');
  });
  const normalized: Record<string, unknown> = {
    name,
    ...(seed !== undefined ? { seed } : {}),
    model: normalizedModel,
    executor: { latency_us: executorLatencyUs },
    transport: { latency_us: transportLatencyUs },
    sequences: sequences.map(normalizeSequence),
    ...(faults !== undefined ? { faults: normalizeFaults(faults) } : {}),
    ...(lifecycle.length > 0 ? { lifecycle: lifecycle.map((e) => ({ at_us: e.atUs, stop: true, exit_timeout_us: e.exitTimeoutUs })) } : {}),
  };
  return { name, seed, model, executorLatencyUs, transportLatencyUs, sequences, faults, lifecycle, normalized };
}

function loadModel(reader: JsonReader, baseDir: string): { config: ModelConfig; normalized: Record<string, unknown> } {
  if (typeof reader.value === 'string') {
    const path = resolve(baseDir, reader.value);
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (error) {
      return reader.fail(`cannot read model config ${reader.value} (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
    }
    const json = path.endsWith('.json') ? parseJsonText(text, path) : parsePbtxt(text, path);
    return normalizeModelConfig(json, { file: path, field: '', modelDir: dirname(path) });
  }
  reader.object();
  return normalizeModelConfig(reader.value, { file: reader.file, field: reader.path, modelDir: baseDir });
}

function parseJsonText(text: string, file: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new InputError(file, '', `not valid JSON: ${(error as Error).message}`);
  }
}

function latencyBlock(reader: JsonReader): Latency {
  reader.object();
  reader.onlyKeys(['latency_us']);
  return reader.optional('latency_us', readLatency, 0);
}

function readLatency(reader: JsonReader): Latency {
  if (typeof reader.value === 'number' || typeof reader.value === 'string') return reader.nonNegativeInt(MAX_TIME_US);
  reader.object();
  reader.onlyKeys(['min', 'max']);
  const min = reader.child('min').nonNegativeInt(MAX_TIME_US);
  const max = reader.child('max').nonNegativeInt(MAX_TIME_US);
  if (min > max) reader.child('min').fail(`min (${min}) must not exceed max (${max})`);
  return { min, max };
}

function readSequence(reader: JsonReader, model: ModelConfig): ScenarioSequence {
  reader.object();
  reader.onlyKeys(SEQUENCE_FIELDS);
  if (!reader.has('id')) reader.fail('missing: the correlation id', `${reader.path}.id`);
  const id = readId(reader.child('id'));
  const startUs = reader.optional('start_us', (r) => r.nonNegativeInt(MAX_TIME_US), 0);
  const mode = reader.optional('mode', (r) => r.string(), 'sync');
  if (mode !== 'sync' && mode !== 'stream') reader.child('mode').fail(`expected "sync" or "stream", got ${describe(mode)}`);
  if (!reader.has('steps')) reader.fail('missing: the steps of the sequence', `${reader.path}.steps`);
  const steps = reader.child('steps').array();
  if (steps.length === 0) reader.child('steps').fail('a sequence needs at least one step');
  if (steps.length > MAX_STEPS_PER_SEQUENCE) reader.child('steps').fail(`at most ${MAX_STEPS_PER_SEQUENCE} steps`);
  return { id, startUs, mode: mode as 'sync' | 'stream', steps: steps.map((s) => readStep(s, model)) };
}

/** JSON number = uint64 id; string = string id; {"u64": "…"} for ids above 2^53. */
function readId(reader: JsonReader): ScenarioId {
  const value = reader.value;
  if (typeof value === 'string') return value;
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value) || value < 0) reader.fail(`a numeric id must be a non-negative integer up to 2^53-1 (use {"u64": "…"} above), got ${describe(value)}`);
    return value;
  }
  reader.object();
  reader.onlyKeys(['u64']);
  const text = reader.child('u64').string();
  if (!/^\d+$/.test(text) || BigInt(text) > U64_MAX) reader.child('u64').fail(`expected a decimal uint64, got ${describe(text)}`);
  const big = BigInt(text);
  return big <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(big) : { u64: big.toString() };
}

function readStep(reader: JsonReader, model: ModelConfig): ScenarioStep {
  reader.object();
  reader.onlyKeys(STEP_FIELDS);
  if (!reader.has('value')) reader.fail('missing: the INPUT value of the step', `${reader.path}.value`);
  const value = reader.child('value').number();
  if (model.tensorDataType === 'TYPE_INT32' && (!Number.isInteger(value) || value < -(2 ** 31) || value >= 2 ** 31)) {
    reader.child('value').fail(`model '${model.name}' takes TYPE_INT32 input: expected a 32-bit integer, got ${describe(value)}`);
  }
  return {
    value,
    start: reader.optional('start', (r) => r.boolean(), false),
    end: reader.optional('end', (r) => r.boolean(), false),
    gapUs: reader.optional('gap_us', (r) => r.nonNegativeInt(MAX_TIME_US), 0),
    timeoutUs: reader.optional('timeout_us', (r) => r.nonNegativeInt(MAX_TIME_US), 0),
    cancelAfterUs: reader.has('cancel_after_us') ? reader.child('cancel_after_us').nonNegativeInt(MAX_TIME_US) : undefined,
  };
}

function readLifecycle(reader: JsonReader, index: number): StopEvent {
  reader.object();
  reader.onlyKeys(LIFECYCLE_FIELDS);
  for (const field of LIFECYCLE_NOT_YET) {
    if (reader.has(field)) reader.child(field).fail('not supported yet: model loads and unloads arrive with the strategy-switching work');
  }
  if (!reader.has('at_us')) reader.fail('missing: when the event happens', `${reader.path}.at_us`);
  const atUs = reader.child('at_us').nonNegativeInt(MAX_TIME_US);
  if (!reader.has('stop')) reader.fail(`lifecycle[${index}] names no action (expected "stop": true)`);
  if (reader.child('stop').boolean() !== true) reader.child('stop').fail('must be true');
  const exitTimeoutUs = reader.optional('exit_timeout_us', (r) => r.nonNegativeInt(MAX_TIME_US), DEFAULT_EXIT_TIMEOUT_US);
  return { atUs, kind: 'stop', exitTimeoutUs };
}

function normalizeSequence(sequence: ScenarioSequence): Record<string, unknown> {
  return {
    id: sequence.id,
    start_us: sequence.startUs,
    mode: sequence.mode,
    steps: sequence.steps.map((step) => ({
      value: step.value,
      start: step.start,
      end: step.end,
      gap_us: step.gapUs,
      timeout_us: step.timeoutUs,
      ...(step.cancelAfterUs !== undefined ? { cancel_after_us: step.cancelAfterUs } : {}),
    })),
  };
}
