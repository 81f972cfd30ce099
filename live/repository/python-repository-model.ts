import { readFileSync } from 'node:fs';
import type { CorridDataType, ModelConfig, TensorDataType } from '../../src/config/types.ts';
import { correlationIdFromScenario, type ScenarioId } from '../../src/core/ids.ts';
import { InputError } from '../../src/core/input-errors.ts';
import { packagePath } from '../../src/core/package-path.ts';
import { corridValue } from '../../src/batcher/controls.ts';
import { accumulatorModelOf } from '../../src/model/reference.ts';
import { liveTensorSpec, type SpecSource } from '../tensor-spec.ts';
import { cpuInstanceGroups } from './instance-kind.ts';
import type { RepositoryModel } from './repository-model.ts';

/** The file Triton's Python backend loads from a version folder by default. */
export const PYTHON_MODEL_FILE = 'model.py';
/** The accumulator model.py, the same file for every model (its config's parameters choose). */
export const PYTHON_MODEL_TEMPLATE = packagePath('live', 'repository', 'python', PYTHON_MODEL_FILE);

/**
 * Where model.py keeps the accumulator: per batch row, which under Direct is the slot ('slot'), or
 * per CORRID value, as Triton's "dyna" QA backends keep it ('corrid').
 */
export type PythonStateKey = 'slot' | 'corrid';
export const PYTHON_STATE_KEYS: readonly PythonStateKey[] = ['slot', 'corrid'];

/**
 * The accumulator types model.py computes in (its ACCUMULATORS table). A new accumulator type
 * adds its row here, true once model.py has its class.
 */
export const PYTHON_ACCUMULATOR_TYPES: Readonly<Record<TensorDataType, boolean>> = {
  TYPE_INT32: true,
  TYPE_FP32: true,
  TYPE_INT64: false,
  TYPE_BOOL: false,
  TYPE_STRING: false,
};

/** The longest execute delay model.py may be given (a minute: a model, not a hang). */
export const MAX_EXECUTE_DELAY_US = 60_000_000;

/** The parameters model.py reads (every one `seqsim_`-prefixed, string-valued as Triton's parameters are). */
export const PYTHON_PARAMETERS = ['seqsim_accumulator', 'seqsim_state_key', 'seqsim_initial', 'seqsim_adds_corrid_on_end', 'seqsim_execute_delay_us'] as const;

export interface PythonRepositoryOptions {
  /** Default: 'slot' under Direct, 'corrid' under Oldest (where a row is not a slot). */
  readonly stateKey?: PythonStateKey;
  /** How long each execution sleeps, in µs (a model's compute time); default 0. */
  readonly executeDelayUs?: number;
  /** Write KIND_GPU instance groups as KIND_CPU groups with as many instances (`--cpu`). */
  readonly cpuOnly?: boolean;
  /** The scenario's sequence ids: they choose the data type of a CORRID control the export adds. */
  readonly sequenceIds?: readonly ScenarioId[];
  /** Where the config came from, for refusals. */
  readonly source?: SpecSource;
}

export interface PythonRepositoryModel extends RepositoryModel {
  readonly backend: 'python';
  readonly stateKey: PythonStateKey;
}

let template: Uint8Array | undefined;

/**
 * The model folder Triton's Python backend needs to serve the model seqsim simulates for a config:
 * the config (the scenario's, with backend "python", the controls model.py needs and its
 * parameters; see the notes) and model.py, which computes the reference accumulator with its state
 * where `stateKey` says. The added controls and left-out state change nothing seqsim simulates:
 * the config written reads back to a model whose runs give the same events and outputs. Refuses
 * (InputError) a config model.py cannot serve.
 */
export function pythonRepositoryModel(
  model: ModelConfig,
  normalizedModel: Readonly<Record<string, unknown>>,
  options: PythonRepositoryOptions = {},
): PythonRepositoryModel {
  const source = options.source ?? { file: 'model config', field: '' };
  const refuse = (field: string, problem: string): never => {
    throw new InputError(source.file, source.field ? (field ? `${source.field}.${field}` : source.field) : field, problem);
  };
  // The same tensor rules as the ONNX export: OUTPUT must hold every accumulator value exactly, no ragged input.
  liveTensorSpec(model, normalizedModel, source);
  const name = model.name;
  if (!/^[^/\\\0]+$/.test(name) || name === '.' || name === '..') refuse('name', `'${name}' cannot name a folder in a model repository`);
  if (!PYTHON_ACCUMULATOR_TYPES[model.tensorDataType]) {
    refuse('input[0].data_type', `the Python backend's model.py has no ${model.tensorDataType} accumulator yet (use --backend onnx)`);
  }
  for (const key of ['batch_input', 'batch_output']) {
    const entries = normalizedModel[key];
    if (Array.isArray(entries) && entries.length > 0)
      refuse(key, `the generated accumulator has no ${key === 'batch_input' ? 'batch inputs' : 'batch outputs'}: leave ${key} out to export this model`);
  }
  const stateOutputs = new Map(model.states.map((state) => [state.outputName, state.inputName]));
  (normalizedModel['output'] as Record<string, unknown>[]).forEach((output, index) => {
    const carried = stateOutputs.get(String(output['name']));
    if (carried !== undefined) {
      refuse(
        `output[${index}].name`,
        `output '${String(output['name'])}' carries state '${carried}', and the Python backend keeps no implicit state (use --backend onnx)`,
      );
    }
    if (output['data_type'] === 'TYPE_BF16')
      refuse(`output[${index}].data_type`, `the Python backend has no numpy type for TYPE_BF16 output '${String(output['name'])}'`);
  });
  const direct = model.strategy.kind === 'direct';
  const stateKey = options.stateKey ?? (direct ? 'slot' : 'corrid');
  if (stateKey === 'slot' && !direct) {
    refuse('sequence_batching.oldest', 'state per slot needs the Direct strategy: under Oldest a batch row is not a slot (use the corrid state key)');
  }
  const executeDelayUs = options.executeDelayUs ?? 0;
  if (!Number.isSafeInteger(executeDelayUs) || executeDelayUs < 0 || executeDelayUs > MAX_EXECUTE_DELAY_US) {
    refuse('', `the execute delay must be a whole number of µs from 0 to ${MAX_EXECUTE_DELAY_US}, got ${executeDelayUs}`);
  }

  const notes: string[] = [];
  const config: Record<string, unknown> = { name, backend: 'python' };
  for (const [key, value] of Object.entries(structuredClone(normalizedModel))) {
    if (key === 'name' || key === 'parameters') continue;
    if (key === 'backend' || key === 'platform') {
      if (value !== '' && value !== 'python')
        notes.push(`${key} "${String(value)}" is ${key === 'backend' ? 'replaced by "python"' : 'left out'}: the exported model is model.py`);
      continue;
    }
    if ((key === 'runtime' || key === 'default_model_filename') && value !== '' && value !== PYTHON_MODEL_FILE) {
      notes.push(`${key} "${String(value)}" is left out: Triton's Python backend loads 1/${PYTHON_MODEL_FILE}`);
      continue;
    }
    if (key === 'cc_model_filenames' && Object.keys(value as object).length > 0) {
      notes.push(`cc_model_filenames is left out: the export writes one ${PYTHON_MODEL_FILE} for every device`);
      continue;
    }
    if (key === 'model_warmup' && (value as unknown[]).length > 0) {
      notes.push(
        'model_warmup is left out: a warmup request belongs to no sequence (no START), model.py answers it with an error, and a failed warmup fails the load',
      );
      continue;
    }
    config[key] = value;
  }

  const batching = config['sequence_batching'] as Record<string, unknown>;
  if ((batching['state'] as unknown[]).length > 0) {
    notes.push(
      `sequence_batching.state is left out: the Python backend never updates implicit state, so model.py keeps the accumulator itself ` +
        `(per ${stateKey === 'slot' ? 'slot' : 'correlation id'}, from ${model.initialStateValue} at each START)`,
    );
    batching['state'] = [];
  }
  const controls = batching['control_input'] as Record<string, unknown>[];
  const taken = new Set<string>(
    [...controls, ...(config['input'] as Record<string, unknown>[]), ...(config['output'] as Record<string, unknown>[])].map((entry) => String(entry['name'])),
  );
  const addControl = (base: string, control: Record<string, unknown>, why: string): void => {
    const tensor = freeName(base, taken);
    taken.add(tensor);
    controls.push({ name: tensor, control: [control] });
    notes.push(`sequence_batching.control_input gains ${String(control['kind'])} '${tensor}': ${why}`);
  };
  if (model.controls.start === undefined) {
    addControl('START', { kind: 'CONTROL_SEQUENCE_START', int32_false_true: [0, 1] }, "model.py restarts a sequence's sum on the row Triton marks START");
  }
  if (direct && model.controls.ready === undefined) {
    addControl(
      'READY',
      { kind: 'CONTROL_SEQUENCE_READY', int32_false_true: [0, 1] },
      'model.py leaves the state alone on the padding rows Triton marks READY=0',
    );
  }
  if (stateKey === 'corrid') {
    const control = model.controls.corrid;
    const dataType = control?.dataType ?? addedCorridType(options.sequenceIds ?? [], refuse);
    if (control === undefined) {
      addControl(
        'CORRID',
        { kind: 'CONTROL_SEQUENCE_CORRID', data_type: dataType },
        "model.py keys each sequence's sum by the CORRID Triton fills in (it adds nothing: the config has no END control)",
      );
    }
    const collision = sharedCorrid(dataType, options.sequenceIds ?? []);
    if (collision !== undefined) notes.push(`ids ${collision} carry the same ${dataType} CORRID: while both are active they share one sum`);
  }
  if (controls.some((entry) => (entry['control'] as Record<string, unknown>[]).some((control) => control['data_type'] === 'TYPE_STRING'))) {
    notes.push(
      "a TYPE_STRING CORRID fails in the Python backend of Triton before 2.54: every request is answered 'unexpected number of string elements 2 for " +
        "inference input ...' (the CORRID tensor is sized 4 + 128 bytes whatever the id)",
    );
  }

  if (options.cpuOnly === true) cpuInstanceGroups(config, notes);
  const parameters: Record<string, { string_value: string }> = {
    ...((normalizedModel['parameters'] as Record<string, { string_value: string }> | undefined) ?? {}),
  };
  const written: Record<(typeof PYTHON_PARAMETERS)[number], string> = {
    seqsim_accumulator: model.tensorDataType,
    seqsim_state_key: stateKey,
    seqsim_initial: String(model.initialStateValue),
    seqsim_adds_corrid_on_end: String(accumulatorModelOf(model).addsCorridOnEnd),
    seqsim_execute_delay_us: String(executeDelayUs),
  };
  for (const [key, value] of Object.entries(written)) {
    const before = parameters[key]?.string_value;
    if (before !== undefined && before !== value) notes.push(`parameters.${key} "${before}" is replaced by "${value}"`);
    parameters[key] = { string_value: value };
  }
  config['parameters'] = parameters;
  template ??= new Uint8Array(readFileSync(PYTHON_MODEL_TEMPLATE));
  return { name, backend: 'python', config, modelFile: PYTHON_MODEL_FILE, model: template, files: new Map(), notes, stateKey };
}

/** A CORRID for ids that are all integers is TYPE_UINT64, for ids that are all strings TYPE_STRING. */
function addedCorridType(ids: readonly ScenarioId[], refuse: (field: string, problem: string) => never): CorridDataType {
  const strings = ids.filter((id) => typeof id === 'string').length;
  if (strings > 0 && strings < ids.length) {
    refuse(
      'sequence_batching.control_input',
      "the corrid state key needs a CORRID control, and the scenario's ids mix integers and strings, which no CORRID data type takes both of " +
        '(use the slot state key)',
    );
  }
  return strings > 0 ? 'TYPE_STRING' : 'TYPE_UINT64';
}

/** Two ids whose CORRID tensors are equal (a 32-bit CORRID keeps the low 32 bits), as "a and b"; else undefined. */
function sharedCorrid(dataType: CorridDataType, ids: readonly ScenarioId[]): string | undefined {
  const seen = new Map<string, string>();
  const control = { kind: 'CONTROL_SEQUENCE_CORRID' as const, tensorName: 'CORRID', dataType };
  for (const id of ids) {
    const correlation = correlationIdFromScenario(id);
    const text = correlation.kind === 'u64' ? correlation.value.toString() : correlation.value;
    const key = JSON.stringify(corridValue(control, correlation));
    const other = seen.get(key);
    if (other !== undefined && other !== text) return `${other} and ${text}`;
    seen.set(key, text);
  }
  return undefined;
}

function freeName(base: string, taken: ReadonlySet<string>): string {
  let name = base;
  for (let suffix = 1; taken.has(name); suffix++) name = `${base}_${suffix}`;
  return name;
}
