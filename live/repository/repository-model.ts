import type { ModelConfig } from '../../src/config/types.ts';
import { InputError } from '../../src/core/input-errors.ts';
import { buildAccumulatorOnnx } from '../onnx/accumulator-onnx.ts';
import { onnxSignature } from '../onnx/model-signature.ts';
import { WORK_OUTPUT } from '../onnx/synthetic-work.ts';
import { liveTensorSpec, type LiveTensorSpec, type SpecSource } from '../tensor-spec.ts';
import { cpuInstanceGroups } from './instance-kind.ts';
import { stateTensorProblem, tritonOnnxLoadError } from './triton-onnx-load-checks.ts';

/** The file Triton's onnxruntime backend loads from a version folder by default. */
export const MODEL_FILE = 'model.onnx';
/** The version folder seqsim writes (Triton serves the latest version by default). */
export const MODEL_VERSION = '1';

/** A model folder of a Triton model repository, ready to write. */
export interface RepositoryModel {
  readonly name: string;
  /** The Triton backend that serves it. */
  readonly backend: 'onnxruntime' | 'python';
  /** The config.pbtxt content in Triton's JSON form (written with writePbtxt). */
  readonly config: Record<string, unknown>;
  /** The model file's name in the version folder: model.onnx or model.py. */
  readonly modelFile: string;
  /** The generated accumulator (model.onnx, or model.py for the Python backend). */
  readonly model: Uint8Array;
  /** Other files, by path inside the model folder (initial_state data files). */
  readonly files: ReadonlyMap<string, Uint8Array>;
  /** What the export changed in the scenario's config, and why, one sentence each. */
  readonly notes: readonly string[];
}

export interface RepositoryOptions {
  /** Dense layers of synthetic work per row (`--model-work`); 0: none. */
  readonly workLayers?: number;
  /** Write KIND_GPU instance groups as KIND_CPU groups with as many instances (`--cpu`). */
  readonly cpuOnly?: boolean;
  /** Where the config came from, for refusals. */
  readonly source?: SpecSource;
}

/**
 * The model folder Triton needs to serve exactly the model seqsim simulates for a config: the
 * config (the scenario's, made loadable by Triton's onnxruntime backend, see the notes) and the
 * generated accumulator, checked against each other as the backend checks them at load. Refuses
 * (InputError) a config no exported model can serve.
 */
export function repositoryModel(model: ModelConfig, normalizedModel: Readonly<Record<string, unknown>>, options: RepositoryOptions = {}): RepositoryModel {
  const source = options.source ?? { file: 'model config', field: '' };
  const refuse = (field: string, problem: string): never => {
    throw new InputError(source.file, source.field ? (field ? `${source.field}.${field}` : source.field) : field, problem);
  };
  const spec = liveTensorSpec(model, normalizedModel, source);
  const notes: string[] = [];
  const name = model.name;
  if (!/^[^/\\\0]+$/.test(name) || name === '.' || name === '..') refuse('name', `'${name}' cannot name a folder in a model repository`);
  for (const key of ['batch_input', 'batch_output']) {
    const entries = normalizedModel[key];
    if (Array.isArray(entries) && entries.length > 0) {
      refuse(key, `the generated accumulator has no ${key === 'batch_input' ? 'batch inputs' : 'batch outputs'}: leave ${key} out to export this model`);
    }
  }

  const files = new Map<string, Uint8Array>();
  const config: Record<string, unknown> = { name, platform: 'onnxruntime_onnx', backend: 'onnxruntime' };
  for (const [key, value] of Object.entries(structuredClone(normalizedModel))) {
    if (key === 'name') continue;
    if (key === 'platform' || key === 'backend') {
      if (value !== config[key]) notes.push(`${key} "${String(value)}" is replaced by "${String(config[key])}": the exported model is ONNX`);
      continue;
    }
    if ((key === 'runtime' && value !== '') || (key === 'default_model_filename' && value !== MODEL_FILE && value !== '')) {
      notes.push(`${key} "${String(value)}" is left out: Triton's onnxruntime backend loads ${MODEL_VERSION}/${MODEL_FILE}`);
      continue;
    }
    if (key === 'model_warmup' && (value as unknown[]).length > 0) {
      // Facts from Triton core (backend_model_instance.cc WarmUp, backend_model.cc StateNew).
      notes.push(
        "model_warmup is left out: a warmup request belongs to no sequence, so the backend cannot write the model's output state ('State " +
          "configuration is missing'), and a failed warmup fails the load",
      );
      continue;
    }
    if (key === 'cc_model_filenames' && Object.keys(value as object).length > 0) {
      notes.push(`cc_model_filenames is left out: the export writes one ${MODEL_FILE} for every device`);
      continue;
    }
    config[key] = value;
  }

  const batching = config['sequence_batching'] as Record<string, unknown>;
  const states = batching['state'] as Record<string, unknown>[];
  states.forEach((state, index) => {
    for (const initial of state['initial_state'] as Record<string, unknown>[]) {
      const value = initial['seqsim_initial_value'];
      delete initial['seqsim_initial_value'];
      if (initial['data_file'] === undefined) continue;
      const file = String(initial['data_file']);
      if (!/^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/.test(file) || file.split('/').some((part) => part === '..' || part === '.')) {
        refuse(`sequence_batching.state[${index}].initial_state[0].data_file`, `'${file}' must be a relative path inside the model's initial_state folder`);
      }
      files.set(`initial_state/${file}`, initialStateBytes(String(initial['data_type']), initial['dims'] as number[], Number(value)));
    }
    if (!model.controls.start && (state['initial_state'] as unknown[]).length === 0 && index === 0) {
      notes.push(
        `state '${String(state['input_name'])}' has no initial_state and the config no START control: Triton hands the model uninitialised memory at ` +
          `each START, where seqsim starts from 0`,
      );
    }
  });
  if (spec.stateAdded) {
    batching['state'] = [addedState(spec)];
    notes.push(
      `sequence_batching.state gains '${spec.stateInput}' / '${spec.stateOutput}' (zero initial_state): Triton's implicit state then keeps the ` +
        `accumulator per slot, as seqsim simulates`,
    );
  }
  const workLayers = options.workLayers ?? 0;
  if (workLayers > 0) {
    (config['output'] as Record<string, unknown>[]).push({ name: WORK_OUTPUT, data_type: 'TYPE_FP32', dims: [1] });
    notes.push(`output '${WORK_OUTPUT}' carries --model-work's ${workLayers} synthetic layers (Triton only computes outputs the config lists)`);
  }
  checkStringCorridIds(spec, notes);
  if (options.cpuOnly === true) cpuInstanceGroups(config, notes);

  const bytes = buildAccumulatorOnnx(spec, { workLayers });
  const signature = onnxSignature(bytes);
  const problem = tritonOnnxLoadError(config, signature) ?? stateTensorProblem(config, signature);
  if (problem !== undefined) refuse('', `Triton's onnxruntime backend would not load the exported model: ${problem}`);
  return { name, backend: 'onnxruntime', config, modelFile: MODEL_FILE, model: bytes, files, notes };
}

/** The state pair seqsim keeps the accumulator in, declared for Triton's implicit state. */
function addedState(spec: LiveTensorSpec): Record<string, unknown> {
  const dataType = spec.state.input.dataType;
  return {
    input_name: spec.stateInput,
    output_name: spec.stateOutput,
    data_type: dataType,
    dims: [1],
    initial_state: [{ data_type: dataType, dims: [1], zero_data: true, name: 'seqsim_zero' }],
  };
}

/** An initial_state data file holding the value seqsim starts from, in every element. */
function initialStateBytes(dataType: string, dims: readonly number[], value: number): Uint8Array {
  const elements = Math.max(
    1,
    dims.reduce((product, dim) => product * dim, 1),
  );
  const values = new Array<number>(elements).fill(value);
  if (dataType === 'TYPE_INT64') return new Uint8Array(BigInt64Array.from(values, (v) => BigInt(v)).buffer);
  if (dataType === 'TYPE_BOOL') return Uint8Array.from(values, (v) => (v === 0 ? 0 : 1));
  const array = dataType === 'TYPE_FP32' ? Float32Array.from(values) : Int32Array.from(values);
  return new Uint8Array(array.buffer);
}

/** A TYPE_STRING CORRID the model adds on END must parse as an integer: say which ids will not. */
function checkStringCorridIds(spec: LiveTensorSpec, notes: string[]): void {
  if (spec.corrid?.onnxType !== 'STRING' || spec.end === undefined) return;
  notes.push(
    `the model adds the TYPE_STRING CORRID '${spec.corrid.tensorName}' on END as the integer it spells (std::stoll): a request whose id is not a ` +
      `decimal integer within int64 fails with an ONNX Runtime Cast error`,
  );
}
