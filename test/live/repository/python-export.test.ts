import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configCorpus } from './config-corpus.ts';
import {
  PYTHON_MODEL_TEMPLATE,
  PYTHON_STATE_KEYS,
  pythonRepositoryModel,
  type PythonRepositoryOptions,
} from '../../../live/repository/python-repository-model.ts';
import { repositoryModel } from '../../../live/repository/repository-model.ts';
import { CONFIG_FILE, writeRepositoryModel } from '../../../live/repository/write-repository.ts';
import { parsePbtxt } from '../../../src/config/pbtxt.ts';
import { writePbtxt } from '../../../src/config/pbtxt-writer.ts';
import { normalizeModelConfig } from '../../../src/config/normalize.ts';
import type { ModelConfig } from '../../../src/config/types.ts';
import { InputError } from '../../../src/core/input-errors.ts';
import { loadScenarioFile, parseScenario } from '../../../src/scenario/load.ts';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'seqsim-python-repo-'));

function scenarioModel(model: Record<string, unknown>, ids: (number | string)[] = [1]) {
  const scenario = parseScenario({ name: 't', model, sequences: ids.map((id) => ({ id, steps: [{ value: 1, start: true, end: true }] })) }, '<t>', '.');
  return { model: scenario.model, normalized: scenario.normalized['model'] as Record<string, unknown>, ids };
}

function exportModel(model: Record<string, unknown>, options: PythonRepositoryOptions = {}, ids?: (number | string)[]) {
  const scenario = scenarioModel(model, ids);
  return pythonRepositoryModel(scenario.model, scenario.normalized, { sequenceIds: scenario.ids, ...options });
}

function example(name: string) {
  const scenario = loadScenarioFile(join(root, 'sim/examples', name));
  return { model: scenario.model, normalized: scenario.normalized['model'] as Record<string, unknown> };
}

function refusal(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (error instanceof InputError) return error.message;
    throw error;
  }
  throw new Error('not refused');
}

const controlNames = (config: Record<string, unknown>): string[] =>
  ((config['sequence_batching'] as { control_input: { name: string }[] }).control_input ?? []).map((entry) => entry.name);
const parameter = (config: Record<string, unknown>, key: string): string | undefined =>
  (config['parameters'] as Record<string, { string_value: string }>)[key]?.string_value;

describe('seqsim repo --backend python: the config model.py is served with', () => {
  it('direct-basic: backend python, the scenario config as it is, model.py keeping state per slot', () => {
    const { model, normalized } = example('direct-basic.json');
    const exported = pythonRepositoryModel(model, normalized);
    expect(exported).toMatchObject({ name: 'acc_direct', backend: 'python', modelFile: 'model.py', stateKey: 'slot', notes: [] });
    expect(Buffer.from(exported.model).equals(readFileSync(PYTHON_MODEL_TEMPLATE))).toBe(true);
    const { backend, parameters, ...rest } = exported.config;
    expect(backend).toBe('python');
    expect(rest).toEqual(normalized);
    expect(parameters).toEqual({
      seqsim_accumulator: { string_value: 'TYPE_INT32' },
      seqsim_state_key: { string_value: 'slot' },
      seqsim_initial: { string_value: '0' },
      seqsim_adds_corrid_on_end: { string_value: 'false' },
      seqsim_execute_delay_us: { string_value: '0' },
    });
  });

  it('oldest-basic: the CORRID-keyed state by default, and END adds the id (dyna); per slot is refused under Oldest', () => {
    const { model, normalized } = example('oldest-basic.json');
    const exported = pythonRepositoryModel(model, normalized, { executeDelayUs: 1000 });
    expect(exported.stateKey).toBe('corrid');
    expect(parameter(exported.config, 'seqsim_adds_corrid_on_end')).toBe('true');
    expect(parameter(exported.config, 'seqsim_execute_delay_us')).toBe('1000');
    expect(controlNames(exported.config)).toEqual(['START', 'END', 'READY', 'CORRID']);
    expect(refusal(() => pythonRepositoryModel(model, normalized, { stateKey: 'slot', source: { file: 'o.json', field: 'model' } }))).toBe(
      'o.json: model.sequence_batching.oldest: state per slot needs the Direct strategy: under Oldest a batch row is not a slot (use the corrid state key)',
    );
  });

  it('adds the controls model.py needs, under names the config leaves free, and says so', () => {
    const model = { name: 'm', max_batch_size: 2, input: [{ name: 'START', data_type: 'TYPE_INT32', dims: [1] }], sequence_batching: { control_input: [] } };
    const slot = exportModel(model);
    expect(controlNames(slot.config)).toEqual(['START_1', 'READY']);
    expect(slot.notes).toEqual([
      "sequence_batching.control_input gains CONTROL_SEQUENCE_START 'START_1': model.py restarts a sequence's sum on the row Triton marks START",
      "sequence_batching.control_input gains CONTROL_SEQUENCE_READY 'READY': model.py leaves the state alone on the padding rows Triton marks READY=0",
    ]);
    const corrid = exportModel(model, { stateKey: 'corrid' });
    expect(controlNames(corrid.config)).toEqual(['START_1', 'READY', 'CORRID']);
    expect(JSON.stringify(corrid.config['sequence_batching'])).toContain('"data_type":"TYPE_UINT64"');
    expect(parameter(corrid.config, 'seqsim_adds_corrid_on_end')).toBe('false');
    // Oldest has no padding rows: no READY is added.
    const oldest = exportModel({ name: 'm', max_batch_size: 2, sequence_batching: { control_input: [], oldest: {} } });
    expect(controlNames(oldest.config)).toEqual(['START', 'CORRID']);
  });

  it('an added CORRID takes the type of the scenario ids; mixed ids are refused; TYPE_STRING gets the 2.51 warning', () => {
    const model = { name: 'm', max_batch_size: 2, sequence_batching: { direct: {} } };
    const strings = exportModel(model, { stateKey: 'corrid' }, ['a', 'b']);
    expect(JSON.stringify(strings.config['sequence_batching'])).toContain('"data_type":"TYPE_STRING"');
    expect(strings.notes.some((note) => note.startsWith('a TYPE_STRING CORRID fails in the Python backend of Triton before 2.54'))).toBe(true);
    expect(refusal(() => exportModel(model, { stateKey: 'corrid' }, [1, 'b']))).toMatch(/ids mix integers and strings/);
    // The slot state needs no CORRID, so mixed ids are fine.
    expect(exportModel(model, {}, [1, 'b']).stateKey).toBe('slot');
  });

  it('says when two ids share a 32-bit CORRID (one sum while both are active)', () => {
    const model = {
      name: 'm',
      max_batch_size: 2,
      sequence_batching: { control_input: [{ name: 'C', control: [{ kind: 'CONTROL_SEQUENCE_CORRID', data_type: 'TYPE_UINT32' }] }], oldest: {} },
    };
    expect(exportModel(model, {}, [5, 2 ** 32 + 5]).notes).toContain(
      'ids 5 and 4294967301 carry the same TYPE_UINT32 CORRID: while both are active they share one sum',
    );
  });

  it('leaves implicit state out (the Python backend never updates it) and starts model.py from its initial value', () => {
    const entry = configCorpus().find((config) => config.label === 'implicit state with initial_state from a data file')!;
    const exported = pythonRepositoryModel(entry.model, entry.normalized);
    expect((exported.config['sequence_batching'] as { state: unknown[] }).state).toEqual([]);
    expect(parameter(exported.config, 'seqsim_initial')).toBe('100');
    expect(exported.notes).toEqual([
      'sequence_batching.state is left out: the Python backend never updates implicit state, so model.py keeps the accumulator itself ' +
        '(per slot, from 100 at each START)',
    ]);
  });

  it('refuses what model.py cannot serve, in one line', () => {
    expect(
      refusal(() =>
        exportModel({
          name: 'm',
          max_batch_size: 2,
          output: [
            { name: 'OUTPUT', data_type: 'TYPE_INT32', dims: [1] },
            { name: 'B', data_type: 'TYPE_BF16', dims: [1] },
          ],
          sequence_batching: {},
        }),
      ),
    ).toBe("model config: output[1].data_type: the Python backend has no numpy type for TYPE_BF16 output 'B'");
    expect(refusal(() => exportModel({ name: 'm', sequence_batching: {} }, { executeDelayUs: 61_000_000 }))).toBe(
      'model config: the execute delay must be a whole number of µs from 0 to 60000000, got 61000000',
    );
  });

  it('a copied repository config: platform, warmup and default_model_filename left out with notes; its parameters kept', () => {
    const entry = configCorpus().find((config) => config.label === 'a copied repository config: platform, warmup, parameters')!;
    const exported = pythonRepositoryModel(entry.model, entry.normalized);
    expect(exported.config['platform']).toBeUndefined();
    expect(exported.config['model_warmup']).toBeUndefined();
    expect(exported.config['default_model_filename']).toBeUndefined();
    expect(parameter(exported.config, 'intra_op_thread_count')).toBe('1');
    expect(exported.notes.map((note) => note.split(':')[0])).toEqual([
      'platform "onnxruntime_onnx" is left out',
      'default_model_filename "model.onnx" is left out',
      'model_warmup is left out',
    ]);
  });

  it('--cpu writes KIND_GPU groups as KIND_CPU with the instances seqsim counts, in both exports', () => {
    const model = {
      name: 'm',
      max_batch_size: 2,
      instance_group: [
        { kind: 'KIND_GPU', count: 2, gpus: [0, 1] },
        { kind: 'KIND_CPU', count: 1 },
      ],
      sequence_batching: {},
    };
    const scenario = scenarioModel(model);
    const python = pythonRepositoryModel(scenario.model, scenario.normalized, { cpuOnly: true });
    const onnx = repositoryModel(scenario.model, scenario.normalized, { cpuOnly: true });
    for (const exported of [python, onnx]) {
      expect(exported.config['instance_group']).toEqual([
        { count: 4, kind: 'KIND_CPU' },
        { count: 1, kind: 'KIND_CPU' },
      ]);
      expect(exported.notes).toContain(
        'instance group KIND_GPU × 2 on 2 GPUs is written as KIND_CPU × 4 (--cpu): the same instances, on a server without GPUs',
      );
      expect(normalizeModelConfig(exported.config, { file: 'x', field: '' }).config.instanceCount).toBe(scenario.model.instanceCount);
    }
  });
});

describe('every config seqsim simulates exports for the Python backend, or is refused in one line', () => {
  const entries = configCorpus().flatMap((entry) => PYTHON_STATE_KEYS.map((stateKey) => ({ ...entry, stateKey })));

  it.each(entries.map((entry) => [`${entry.label} [${entry.stateKey}]`, entry] as const))('%s', (_label, entry) => {
    let exported: ReturnType<typeof pythonRepositoryModel>;
    try {
      exported = pythonRepositoryModel(entry.model, entry.normalized, { stateKey: entry.stateKey });
    } catch (error) {
      expect(error).toBeInstanceOf(InputError);
      expect((error as Error).message).not.toContain('\n');
      return;
    }
    const repository = join(dir, `${entry.label.replace(/[^A-Za-z0-9]+/g, '_')}-${entry.stateKey}`);
    writeRepositoryModel(repository, exported);
    const text = readFileSync(join(repository, exported.name, CONFIG_FILE), 'utf8');
    expect(text).toBe(writePbtxt(exported.config));
    const reread = normalizeModelConfig(parsePbtxt(text, CONFIG_FILE), { file: CONFIG_FILE, field: '' }).config;
    // What seqsim simulates is unchanged, but for the controls model.py needs and the state it keeps itself.
    const simulated = ({ controls, states, initialStateValue, ...rest }: ModelConfig) => rest;
    expect(simulated(reread)).toEqual(simulated(entry.model));
    for (const [role, control] of Object.entries(entry.model.controls)) expect(reread.controls[role as keyof ModelConfig['controls']]).toEqual(control);
    expect(reread.controls.start).toBeDefined();
    if (entry.model.strategy.kind === 'direct') expect(reread.controls.ready).toBeDefined();
    if (entry.stateKey === 'corrid') expect(reread.controls.corrid).toBeDefined();
    // END, which decides whether the id is added, is never added.
    expect(reread.controls.end).toEqual(entry.model.controls.end);
    expect(parameter(exported.config, 'seqsim_initial')).toBe(String(entry.model.initialStateValue));
  });
});
