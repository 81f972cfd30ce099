import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadScenarioFile, parseScenario } from '../../../src/scenario/load.ts';
import type { ModelConfig } from '../../../src/config/types.ts';
import { directModel, oldestModel } from '../../conformance/harness.ts';

const root = fileURLToPath(new URL('../../../', import.meta.url));

/** One model config seqsim simulates, as its scenario normalised it. */
export interface CorpusConfig {
  readonly label: string;
  readonly model: ModelConfig;
  readonly normalized: Record<string, unknown>;
  /** The scenario's sequence ids (for the string-CORRID notes). */
  readonly file: string;
}

function scenarioFiles(dir: string): string[] {
  return readdirSync(join(root, dir))
    .sort()
    .flatMap((name) => {
      const path = join(dir, name);
      if (statSync(join(root, path)).isDirectory()) return scenarioFiles(path);
      return name.endsWith('.json') ? [path] : [];
    });
}

const flag = (name: string, kind: string, list = 'int32_false_true', values: unknown[] = [0, 1]) => ({ name, control: [{ kind, [list]: values }] });
const START = flag('START', 'CONTROL_SEQUENCE_START');
const END = flag('END', 'CONTROL_SEQUENCE_END');
const READY = flag('READY', 'CONTROL_SEQUENCE_READY');
const corrid = (dataType: string, name = 'CORRID') => ({ name, control: [{ kind: 'CONTROL_SEQUENCE_CORRID', data_type: dataType }] });
const tensor = (name: string, dataType: string, dims: unknown[] = [1], extra: Record<string, unknown> = {}) => ({ name, data_type: dataType, dims, ...extra });

/**
 * Configs written for the export: every shape and type the exported model must declare exactly
 * (Triton QA's nobatch models, dyna CORRIDs of every type with and without END, bool and fp32
 * controls, variable and multi-element dims, reshape, extra inputs and outputs of other types, an
 * optional input, implicit state with initial_state, several states, an output that is a state).
 */
const WRITTEN: Record<string, Record<string, unknown>> = {
  'nobatch, QA controls': { name: 'nobatch', max_batch_size: 0, sequence_batching: { control_input: [START, END, READY], direct: {} } },
  'nobatch oldest, CORRID uint64 with END': oldestModel({
    max_batch_size: 0,
    sequence_batching: { control_input: [START, END, READY, corrid('TYPE_UINT64')] },
  }),
  ...Object.fromEntries(
    ['TYPE_UINT64', 'TYPE_INT64', 'TYPE_UINT32', 'TYPE_INT32', 'TYPE_STRING'].flatMap((type) => [
      [`CORRID ${type} without END`, directModel({ max_batch_size: 4, sequence_batching: { control_input: [START, READY, corrid(type)] } })],
      [`CORRID ${type} alone`, directModel({ max_batch_size: 2, sequence_batching: { control_input: [corrid(type)] } })],
      [
        `CORRID ${type} with END, fp32`,
        directModel({
          input: [tensor('INPUT', 'TYPE_FP32')],
          output: [tensor('OUTPUT', 'TYPE_FP32')],
          max_batch_size: 3,
          sequence_batching: { control_input: [START, END, READY, corrid(type)] },
        }),
      ],
      [`CORRID ${type} with END, int32, nobatch`, directModel({ max_batch_size: 0, sequence_batching: { control_input: [START, END, READY, corrid(type)] } })],
    ]),
  ),
  'bool controls': directModel({
    max_batch_size: 4,
    sequence_batching: {
      control_input: [
        flag('S', 'CONTROL_SEQUENCE_START', 'bool_false_true', [false, true]),
        flag('E', 'CONTROL_SEQUENCE_END', 'bool_false_true', [false, true]),
        flag('R', 'CONTROL_SEQUENCE_READY', 'bool_false_true', [false, true]),
        corrid('TYPE_UINT64', 'C'),
      ],
    },
  }),
  'fp32 controls, inverted values': directModel({
    max_batch_size: 2,
    sequence_batching: {
      control_input: [flag('S', 'CONTROL_SEQUENCE_START', 'fp32_false_true', [1, 0]), flag('R', 'CONTROL_SEQUENCE_READY', 'fp32_false_true', [0.5, 2.5])],
    },
  }),
  'no controls': directModel({ max_batch_size: 2, sequence_batching: { control_input: [] } }),
  'variable and multi-element dims, reshape': directModel({
    max_batch_size: 4,
    input: [tensor('INPUT', 'TYPE_INT32', [-1]), tensor('IMAGE', 'TYPE_FP32', [2, 3]), tensor('FLAT', 'TYPE_INT8', [4], { reshape: { shape: [2, 2] } })],
    output: [tensor('OUTPUT', 'TYPE_INT64', [2, -1]), tensor('TEXT', 'TYPE_STRING', [3]), tensor('HALF', 'TYPE_FP16', [1]), tensor('FLAG', 'TYPE_BOOL', [1])],
    sequence_batching: { control_input: [START, END, READY, corrid('TYPE_INT64')] },
  }),
  'nobatch with an optional input and odd types': directModel({
    max_batch_size: 0,
    input: [
      tensor('INPUT', 'TYPE_FP32', [1]),
      tensor('MAYBE', 'TYPE_UINT16', [-1, 2], { optional: true }),
      tensor('WORDS', 'TYPE_STRING', [2]),
      tensor('B16', 'TYPE_BF16', [1], { optional: true }),
    ],
    output: [tensor('OUTPUT', 'TYPE_FP64', [1]), tensor('COPY', 'TYPE_UINT8', [2, 2])],
    sequence_batching: { control_input: [START, READY] },
  }),
  'implicit state with initial_state from a data file': directModel({
    max_batch_size: 2,
    sequence_batching: {
      control_input: [START, END, READY],
      state: [
        {
          input_name: 'ACC_IN',
          output_name: 'ACC_OUT',
          data_type: 'TYPE_INT32',
          dims: [1],
          initial_state: [{ data_type: 'TYPE_INT32', dims: [1], name: 'init', data_file: 'acc/init_100', seqsim_initial_value: 100 }],
        },
      ],
    },
  }),
  'implicit state: int64 of variable size, a second state, an output that is a state': directModel({
    max_batch_size: 4,
    output: [tensor('OUTPUT', 'TYPE_INT32'), tensor('S2_OUT', 'TYPE_FP32', [3])],
    sequence_batching: {
      control_input: [START, READY],
      state: [
        { input_name: 'S1_IN', output_name: 'S1_OUT', data_type: 'TYPE_INT64', dims: [-1] },
        {
          input_name: 'S2_IN',
          output_name: 'S2_OUT',
          data_type: 'TYPE_FP32',
          dims: [3],
          initial_state: [{ data_type: 'TYPE_FP32', dims: [3], name: 'z', zero_data: true }],
        },
      ],
    },
  }),
  'fp32 state without START (Triton resets it from initial_state)': directModel({
    max_batch_size: 1,
    input: [tensor('INPUT', 'TYPE_FP32')],
    output: [tensor('OUTPUT', 'TYPE_FP32')],
    sequence_batching: {
      control_input: [READY],
      state: [
        {
          input_name: 'IS',
          output_name: 'OS',
          data_type: 'TYPE_FP32',
          dims: [1],
          initial_state: [{ data_type: 'TYPE_FP32', dims: [1], name: 'i', data_file: 'i', seqsim_initial_value: 2.5 }],
        },
      ],
    },
  }),
  'tensor names taken by Triton QA state names': directModel({
    max_batch_size: 2,
    input: [tensor('INPUT_STATE', 'TYPE_INT32')],
    output: [tensor('OUTPUT_STATE', 'TYPE_INT32')],
  }),
  'a copied repository config: platform, warmup, parameters': {
    name: 'copied',
    platform: 'onnxruntime_onnx',
    default_model_filename: 'model.onnx',
    max_batch_size: 8,
    input: [tensor('INPUT', 'TYPE_INT32')],
    output: [tensor('OUTPUT', 'TYPE_INT32')],
    instance_group: [{ kind: 'KIND_GPU', count: 2, gpus: [0] }],
    parameters: { intra_op_thread_count: { string_value: '1' } },
    model_warmup: [{ name: 'w', batch_size: 1, inputs: { INPUT: { data_type: 'TYPE_INT32', dims: [1], zero_data: true } } }],
    sequence_batching: { oldest: { max_candidate_sequences: 8, preferred_batch_size: [4] }, control_input: [START, END, READY, corrid('TYPE_UINT64')] },
  },
};

/**
 * Every model config seqsim simulates in its shipped material and tests: the example scenarios
 * (with each config their lifecycle loads), the zoo reproducers, the test fixtures, the
 * conformance models, and the configs above.
 */
export function configCorpus(): CorpusConfig[] {
  const corpus: CorpusConfig[] = [];
  for (const file of [
    ...scenarioFiles('sim/examples'),
    ...scenarioFiles('sim/zoo/minimal'),
    ...scenarioFiles('test/fixtures/scenarios'),
    'test/fixtures/models/pbtxt-scenario.json',
  ]) {
    const scenario = loadScenarioFile(join(root, file));
    corpus.push({ label: file, model: scenario.model, normalized: scenario.normalized['model'] as Record<string, unknown>, file });
    scenario.lifecycle.forEach((event, index) => {
      if (event.kind === 'load' && 'config' in event.config) {
        corpus.push({ label: `${file} lifecycle[${index}]`, model: event.config.config, normalized: event.config.normalized, file });
      }
    });
  }
  const written: [string, Record<string, unknown>][] = [
    ['conformance direct', directModel()],
    ['conformance oldest', oldestModel()],
    ['conformance oldest nobatch', oldestModel({ max_batch_size: 0 }, { max_candidate_sequences: 2 })],
    ...Object.entries(WRITTEN),
  ];
  for (const [label, model] of written) {
    const scenario = parseScenario({ name: label, model, sequences: [{ id: 1, steps: [{ value: 1, start: true, end: true }] }] }, `<${label}>`, '.');
    corpus.push({ label, model: scenario.model, normalized: scenario.normalized['model'] as Record<string, unknown>, file: `<${label}>` });
  }
  return corpus;
}

export function relativeToRoot(path: string): string {
  return relative(root, path);
}
