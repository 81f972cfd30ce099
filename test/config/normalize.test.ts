import { InputError } from '../../src/core/input-errors.ts';
import { describe, expect, it } from 'vitest';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { normalizeModelConfig, SEQUENCE_IDLE_DEFAULT_US, MAX_SEQUENCE_IDLE_US } from '../../src/config/normalize.ts';

const source = { file: 'model.json', field: 'model', modelDir: '.' };
const normalize = (json: unknown, modelDir = '.') => normalizeModelConfig(json, { ...source, modelDir });
const withSb = (sb: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({ name: 'm', max_batch_size: 4, ...extra, sequence_batching: sb });
const control = (name: string, ...controls: Record<string, unknown>[]) => ({ name, control: controls });
const startInt = control('START', { kind: 'CONTROL_SEQUENCE_START', int32_false_true: [0, 1] });
const state = (extra: Record<string, unknown> = {}) => ({ input_name: 'I', output_name: 'O', data_type: 'TYPE_INT32', dims: [1], ...extra });
const initial = (extra: Record<string, unknown> = {}) => ({ data_type: 'TYPE_INT32', dims: [1], name: 'init', ...extra });

function errorOf(json: unknown, modelDir = '.'): InputError {
  try {
    normalize(json, modelDir);
  } catch (error) {
    if (error instanceof InputError) return error;
    throw error;
  }
  throw new Error('expected an InputError');
}

/** A model folder with initial_state/<file> holding `bytes`. */
function modelDirWith(file: string, bytes: Buffer): string {
  const dir = mkdtempSync(join(tmpdir(), 'seqsim-model-'));
  mkdirSync(join(dir, 'initial_state'));
  writeFileSync(join(dir, 'initial_state', file), bytes);
  return dir;
}

function int32s(...values: number[]): Buffer {
  const buffer = Buffer.alloc(values.length * 4);
  for (const [i, v] of values.entries()) buffer.writeInt32LE(v, i * 4);
  return buffer;
}

describe('Triton defaults (spec §1)', () => {
  it('fills the QA accumulator model and Triton defaults into config and normalised JSON', () => {
    const { config, normalized } = normalize({ name: 'm', sequence_batching: {} });
    expect(config).toEqual({
      name: 'm',
      maxBatchSize: 0,
      instanceCount: 1,
      tensorDataType: 'TYPE_INT32',
      maxSequenceIdleUs: SEQUENCE_IDLE_DEFAULT_US,
      controls: {
        start: { kind: 'CONTROL_SEQUENCE_START', tensorName: 'START', dataType: 'TYPE_INT32', falseValue: 0, trueValue: 1 },
        ready: { kind: 'CONTROL_SEQUENCE_READY', tensorName: 'READY', dataType: 'TYPE_INT32', falseValue: 0, trueValue: 1 },
      },
      strategy: { kind: 'direct', maxQueueDelayUs: 0, minimumSlotUtilization: 0 },
      states: [],
      initialStateValue: 0,
      iterativeSequence: false,
      slotsPerInstance: 1,
    });
    expect(JSON.stringify(normalized)).toBe(
      JSON.stringify({
        name: 'm',
        max_batch_size: 0,
        input: [{ name: 'INPUT', data_type: 'TYPE_INT32', dims: [1] }],
        output: [{ name: 'OUTPUT', data_type: 'TYPE_INT32', dims: [1] }],
        instance_group: [{ count: 1, kind: 'KIND_CPU' }],
        sequence_batching: {
          max_sequence_idle_microseconds: 1_000_000,
          control_input: [
            { name: 'START', control: [{ kind: 'CONTROL_SEQUENCE_START', int32_false_true: [0, 1] }] },
            { name: 'READY', control: [{ kind: 'CONTROL_SEQUENCE_READY', int32_false_true: [0, 1] }] },
          ],
          direct: { max_queue_delay_microseconds: 0, minimum_slot_utilization: 0 },
          state: [],
          iterative_sequence: false,
        },
      }),
    );
  });

  it.each([
    [undefined, 1_000_000],
    [0, 1_000_000],
    ['0', 1_000_000],
    ['5000000', 5_000_000],
    [7, 7],
    ['18446744073709551615', MAX_SEQUENCE_IDLE_US],
  ])('max_sequence_idle_microseconds %j → %d µs', (idle, expected) => {
    expect(normalize(withSb(idle === undefined ? {} : { max_sequence_idle_microseconds: idle })).config.maxSequenceIdleUs).toBe(expected);
  });

  it('Direct when neither strategy is given; Direct slots are max(1, max_batch_size)', () => {
    expect(normalize(withSb({})).config).toMatchObject({ strategy: { kind: 'direct' }, slotsPerInstance: 4 });
    expect(normalize(withSb({ direct: {} }, { max_batch_size: 0 })).config.slotsPerInstance).toBe(1);
    expect(normalize(withSb({ direct: { max_queue_delay_microseconds: '250', minimum_slot_utilization: 0.5 } })).config.strategy).toEqual({
      kind: 'direct',
      maxQueueDelayUs: 250,
      minimumSlotUtilization: 0.5,
    });
  });

  it('Oldest: candidates 0 → max(1, max_batch_size), preferred sizes empty → [max_batch_size]', () => {
    const { config } = normalize(withSb({ oldest: {} }));
    expect(config.strategy).toEqual({ kind: 'oldest', maxCandidateSequences: 4, preferredBatchSizes: [4], maxQueueDelayUs: 0, preserveOrdering: false });
    expect(config.slotsPerInstance).toBe(4);
    expect(normalize(withSb({ oldest: { max_candidate_sequences: 9, preferred_batch_size: [2] } })).config).toMatchObject({
      slotsPerInstance: 9,
      strategy: { preferredBatchSizes: [2] },
    });
    expect(normalize(withSb({ oldest: {} }, { max_batch_size: 0 })).config.strategy).toMatchObject({ maxCandidateSequences: 1, preferredBatchSizes: [] });
  });

  it('instance groups: none → one KIND_CPU instance; count 0 → 1; counts add up', () => {
    const { config, normalized } = normalize(withSb({}, { instance_group: [{ count: 0 }, { count: 3, kind: 'KIND_GPU' }, { kind: 'KIND_MODEL' }] }));
    expect(config.instanceCount).toBe(5);
    expect(normalized['instance_group']).toEqual([
      { count: 1, kind: 'KIND_CPU' },
      { count: 3, kind: 'KIND_GPU' },
      { kind: 'KIND_MODEL', count: 1 },
    ]);
  });

  it("instance groups: KIND_AUTO → KIND_CPU; tensorflow/onnxruntime CPU groups default to 2 (Triton's SetDefaultInstanceCount)", () => {
    expect(normalize(withSb({}, { instance_group: [{ kind: 'KIND_AUTO' }] })).normalized['instance_group']).toEqual([{ kind: 'KIND_CPU', count: 1 }]);
    expect(normalize(withSb({}, { backend: 'onnxruntime' })).config.instanceCount).toBe(2);
    expect(normalize(withSb({}, { platform: 'tensorflow_savedmodel', instance_group: [{ kind: 'KIND_CPU' }] })).config.instanceCount).toBe(2);
    expect(normalize(withSb({}, { backend: 'onnxruntime', instance_group: [{ kind: 'KIND_GPU' }] })).config.instanceCount).toBe(1);
    expect(normalize(withSb({}, { backend: 'python' })).config.instanceCount).toBe(1);
  });

  it('a KIND_GPU group runs count instances on each listed GPU', () => {
    expect(normalize(withSb({}, { instance_group: [{ kind: 'KIND_GPU', count: 2, gpus: [0, 1, 3] }] })).config.instanceCount).toBe(6);
    expect(normalize(withSb({}, { instance_group: [{ kind: 'KIND_AUTO', count: 2, gpus: [0, 1, 3] }] })).config.instanceCount).toBe(6);
  });

  it("refuses GPUs on a CPU group and GPU ids the simulated server lacks, with Triton's messages and default group names", () => {
    const cpu = errorOf(withSb({}, { instance_group: [{ kind: 'KIND_CPU', count: 2, gpus: [0, 1, 3] }] }));
    expect([cpu.field, cpu.problem]).toEqual([
      'model.instance_group[0].gpus',
      'instance group m_0 of model m has kind KIND_CPU but specifies one or more GPUs',
    ]);
    const missing = errorOf(withSb({}, { instance_group: [{ name: 'g', kind: 'KIND_GPU', gpus: [8] }] }));
    expect(missing.problem).toBe(
      'instance group g of model m specifies invalid or unsupported gpu id 8. ' +
        'GPUs with at least the minimum required CUDA compute compatibility of 6.000000 are: 0, 1, 2, 3, 4, 5, 6, 7',
    );
    // KIND_AUTO with a GPU the server lacks falls back to KIND_CPU, which then may not list GPUs.
    expect(errorOf(withSb({}, { instance_group: [{}, { gpus: [-1] }] })).problem).toBe(
      'instance group m_1 of model m has kind KIND_CPU but specifies one or more GPUs',
    );
  });

  it('boolean control types come from the false/true list; CORRID from data_type; kind defaults to START', () => {
    const { config } = normalize(
      withSb({
        control_input: [
          control('S', { fp32_false_true: [0, 1] }),
          control('R', { kind: 'CONTROL_SEQUENCE_READY', bool_false_true: [false, true], data_type: 'TYPE_STRING' }),
          control('E', { kind: 2, int32_false_true: ['-1', 1] }),
          control('C', { kind: 'CONTROL_SEQUENCE_CORRID', data_type: 'TYPE_STRING', int32_false_true: [] }),
        ],
      }),
    );
    expect(config.controls).toEqual({
      start: { kind: 'CONTROL_SEQUENCE_START', tensorName: 'S', dataType: 'TYPE_FP32', falseValue: 0, trueValue: 1 },
      ready: { kind: 'CONTROL_SEQUENCE_READY', tensorName: 'R', dataType: 'TYPE_BOOL', falseValue: false, trueValue: true },
      end: { kind: 'CONTROL_SEQUENCE_END', tensorName: 'E', dataType: 'TYPE_INT32', falseValue: -1, trueValue: 1 },
      corrid: { kind: 'CONTROL_SEQUENCE_CORRID', tensorName: 'C', dataType: 'TYPE_STRING' },
    });
  });

  it('control_input [] means no controls at all; one tensor may carry several kinds (Triton allows it)', () => {
    expect(normalize(withSb({ control_input: [] })).config.controls).toEqual({});
    const shared = normalize(
      withSb({
        control_input: [control('X', { kind: 'CONTROL_SEQUENCE_START', int32_false_true: [0, 1] }, { kind: 'CONTROL_SEQUENCE_END', int32_false_true: [0, 1] })],
      }),
    );
    expect(shared.config.controls.start?.tensorName).toBe('X');
    expect(shared.config.controls.end?.tensorName).toBe('X');
  });

  it('accepts the JSON form: 64-bit numbers as strings, enums as numbers', () => {
    const { config, normalized } = normalize({
      name: 'm',
      max_batch_size: '2',
      input: [{ name: 'INPUT', data_type: 11, dims: ['-1'] }],
      instance_group: [{ kind: 1, count: '2' }],
      sequence_batching: { oldest: { max_queue_delay_microseconds: '100', preferred_batch_size: ['1'] } },
    });
    expect(config).toMatchObject({
      maxBatchSize: 2,
      tensorDataType: 'TYPE_FP32',
      instanceCount: 2,
      strategy: { maxQueueDelayUs: 100, preferredBatchSizes: [1] },
    });
    expect(normalized['input']).toEqual([{ name: 'INPUT', data_type: 'TYPE_FP32', dims: [-1] }]);
    expect(normalized['instance_group']).toEqual([{ kind: 'KIND_GPU', count: 2 }]);
  });

  it('keeps the ModelConfig fields it does not simulate, as written', () => {
    const extra = { platform: 'onnxruntime_onnx', version_policy: { latest: { num_versions: 1 } }, parameters: { a: { string_value: 'b' } }, model_warmup: [] };
    const { normalized } = normalize(withSb({}, extra));
    expect(normalized).toMatchObject(extra);
    expect(Object.keys(normalized)).toEqual([
      'name',
      'max_batch_size',
      'input',
      'output',
      'instance_group',
      'sequence_batching',
      'platform',
      'version_policy',
      'parameters',
      'model_warmup',
    ]);
  });

  it('implicit state: zero_data starts at 0; a data file at its first little-endian value', () => {
    expect(normalize(withSb({ state: [state({ initial_state: [initial({ zero_data: true })] })] })).config).toMatchObject({
      initialStateValue: 0,
      states: [{ hasInitialState: true, initialValue: 0 }],
    });
    // zero_data: false still selects the zero_data arm of the oneof.
    expect(normalize(withSb({ state: [state({ initial_state: [initial({ zero_data: false })] })] })).normalized).toMatchObject({
      sequence_batching: { state: [{ initial_state: [{ zero_data: true }] }] },
    });
    const dir = modelDirWith('v', int32s(100, 7));
    const fromFile = normalize(withSb({ state: [state({ dims: [2], initial_state: [initial({ dims: [2], data_file: 'v' })] })] }), dir);
    expect(fromFile.config).toMatchObject({
      initialStateValue: 100,
      states: [{ inputName: 'I', outputName: 'O', dataType: 'TYPE_INT32', dims: [2], initialValue: 100 }],
    });
    const fp32 = Buffer.alloc(4);
    fp32.writeFloatLE(2.5, 0);
    const floatDir = modelDirWith('f', fp32);
    expect(
      normalize(withSb({ state: [state({ data_type: 'TYPE_FP32', initial_state: [initial({ data_type: 'TYPE_FP32', data_file: 'f' })] })] }), floatDir).config
        .initialStateValue,
    ).toBe(2.5);
    expect(normalize(withSb({ state: [state()] })).config).toMatchObject({ initialStateValue: 0, states: [{ hasInitialState: false }] });
  });

  it('records the value read from a data file, so the normalised config replays without the model folder', () => {
    const dir = modelDirWith('v', int32s(-42));
    const first = normalizeModelConfig(withSb({ state: [state({ initial_state: [initial({ data_file: 'v' })] })] }), { file: 'f', field: '', modelDir: dir });
    const again = normalizeModelConfig(first.normalized, { file: 'trace.jsonl', field: 'scenario.model' });
    expect(again.config.initialStateValue).toBe(-42);
    expect(JSON.stringify(again.normalized)).toBe(JSON.stringify(first.normalized));
  });

  it('is idempotent: normalising the normalised form gives the same, byte for byte', () => {
    const configs = [
      { name: 'm', sequence_batching: {} },
      withSb(
        { oldest: { preferred_batch_size: [2, 4] }, state: [state({ initial_state: [initial({ zero_data: true })] })] },
        { instance_group: [{ count: 2 }], backend: 'onnxruntime' },
      ),
      withSb(
        { control_input: [startInt, control('C', { kind: 3, data_type: 9 })], max_sequence_idle_microseconds: '0' },
        { input: [{ name: 'X', data_type: 'TYPE_FP32', dims: [1, -1], optional: true }] },
      ),
    ];
    for (const json of configs) {
      const first = normalize(json);
      const second = normalize(first.normalized);
      expect(JSON.stringify(second.normalized)).toBe(JSON.stringify(first.normalized));
      expect(second.config).toEqual(first.config);
    }
  });

  it('does not share objects with its input', () => {
    const parameters = { a: { string_value: 'b' } };
    const { normalized } = normalize(withSb({}, { parameters }));
    (normalized['parameters'] as Record<string, unknown>)['a'] = 'changed';
    expect(parameters.a).toEqual({ string_value: 'b' });
  });
});

describe("Triton's validation messages (spec §13), exact text", () => {
  const boolKinds = ['CONTROL_SEQUENCE_START', 'CONTROL_SEQUENCE_END', 'CONTROL_SEQUENCE_READY'] as const;
  const cases: [string, Record<string, unknown>, string][] = [
    [
      'control without a name',
      { control_input: [control('', { kind: 'CONTROL_SEQUENCE_START', int32_false_true: [0, 1] })] },
      'sequence batching control tensor must have a name for m',
    ],
    [
      'one tensor in two control inputs',
      { control_input: [startInt, control('START', { kind: 'CONTROL_SEQUENCE_END', int32_false_true: [0, 1] })] },
      "sequence batching control tensor 'START' is specified for multiple control kinds for m",
    ],
    ...boolKinds.flatMap((kind): [string, Record<string, unknown>, string][] => [
      [
        `${kind} twice`,
        { control_input: [control('A', { kind, int32_false_true: [0, 1] }), control('B', { kind, int32_false_true: [0, 1] })] },
        `sequence batching specifies multiple ${kind} tensors for m`,
      ],
      [
        `${kind} without a list`,
        { control_input: [control('A', { kind, data_type: 'TYPE_INT32' })] },
        `sequence batching must specify either 'int32_false_true', 'fp32_false_true' or 'bool_false_true' for ${kind} for m`,
      ],
      [
        `${kind} with empty lists`,
        { control_input: [control('A', { kind, int32_false_true: [], bool_false_true: [] })] },
        `sequence batching must specify either 'int32_false_true', 'fp32_false_true' or 'bool_false_true' for ${kind} for m`,
      ],
      [
        `${kind} with two lists`,
        { control_input: [control('A', { kind, fp32_false_true: [0, 1], bool_false_true: [false, true] })] },
        `sequence batching specifies more than one from 'int32_false_true', 'fp32_false_true' and 'bool_false_true' for ${kind} for m`,
      ],
      [
        `${kind} int32 with 3 entries`,
        { control_input: [control('A', { kind, int32_false_true: [0, 1, 2] })] },
        `sequence batching control 'int32_false_true' must have exactly 2 entries for ${kind} for m`,
      ],
      [
        `${kind} fp32 with 1 entry`,
        { control_input: [control('A', { kind, fp32_false_true: [1] })] },
        `sequence batching control 'fp32_false_true' must have exactly 2 entries for ${kind} for m`,
      ],
      [
        `${kind} bool with 3 entries`,
        { control_input: [control('A', { kind, bool_false_true: [false, true, true] })] },
        `sequence batching control 'bool_false_true' must have exactly 2 entries for ${kind} for m`,
      ],
    ]),
    [
      'CORRID twice',
      {
        control_input: [
          control('A', { kind: 'CONTROL_SEQUENCE_CORRID', data_type: 'TYPE_UINT64' }),
          control('B', { kind: 'CONTROL_SEQUENCE_CORRID', data_type: 'TYPE_UINT64' }),
        ],
      },
      'sequence batching specifies multiple CONTROL_SEQUENCE_CORRID tensors for m',
    ],
    [
      'CORRID with a list',
      { control_input: [control('C', { kind: 'CONTROL_SEQUENCE_CORRID', data_type: 'TYPE_UINT64', bool_false_true: [false, true] })] },
      "sequence batching must not specify either 'int32_false_true', 'fp32_false_true' or 'bool_false_true' for CONTROL_SEQUENCE_CORRID for m",
    ],
    [
      'CORRID of TYPE_FP32',
      { control_input: [control('C', { kind: 'CONTROL_SEQUENCE_CORRID', data_type: 'TYPE_FP32' })] },
      'unexpected data type for control CONTROL_SEQUENCE_CORRID for m. Allowed data types are TYPE_UINT64, TYPE_INT64, TYPE_UINT32, TYPE_INT32 and TYPE_STRING',
    ],
    [
      'CORRID without data_type',
      { control_input: [control('C', { kind: 'CONTROL_SEQUENCE_CORRID' })] },
      'unexpected data type for control CONTROL_SEQUENCE_CORRID for m. Allowed data types are TYPE_UINT64, TYPE_INT64, TYPE_UINT32, TYPE_INT32 and TYPE_STRING',
    ],
    ['preferred size 0', { oldest: { preferred_batch_size: [0] } }, 'sequence batching preferred batch size must be positive for m'],
    ['preferred size -2', { oldest: { preferred_batch_size: [2, -2] } }, 'sequence batching preferred batch size must be positive for m'],
    ['preferred size above max', { oldest: { preferred_batch_size: [8] } }, 'sequence batching preferred batch size must be <= max batch size for m'],
    ['utilisation above 1', { direct: { minimum_slot_utilization: 1.5 } }, 'sequence batching minimum slot utilization must be in range (0.0, 1.0] for m'],
    ['utilisation below 0', { direct: { minimum_slot_utilization: -0.1 } }, 'sequence batching minimum slot utilization must be in range (0.0, 1.0] for m'],
    [
      'two initial states',
      { state: [state({ initial_state: [initial({ zero_data: true }), initial({ zero_data: true })] })] },
      "initial_state field for state input 'I' must contain exactly one or zero element. Found '2' elements.",
    ],
    [
      'initial state of another type',
      { state: [state({ initial_state: [initial({ data_type: 'TYPE_FP32', zero_data: true })] })] },
      "The data type used for 'initial_state' field of state 'I' does not match the state data type.",
    ],
    [
      'initial state without data_type',
      { state: [state({ initial_state: [{ name: 'a', dims: [1], zero_data: true }] })] },
      "The data type used for 'initial_state' field of state 'I' does not match the state data type.",
    ],
    [
      'initial state without a name',
      { state: [state({ initial_state: [initial({ name: '', zero_data: true })] })] },
      "Field 'name' must be set when using initial_state for state input 'I'.",
    ],
    [
      'state input twice',
      { state: [state({ initial_state: [initial({ zero_data: true })] }), state({ output_name: 'O2', initial_state: [initial({ zero_data: true })] })] },
      "State input name 'I' specified more than once.",
    ],
    [
      'initial dims count',
      { state: [state({ initial_state: [initial({ dims: [1, 1], zero_data: true })] })] },
      "Number of dimensions in 'initial_state' doesn't match the size of 'state' dimensions for state input 'I'. 2 != 1",
    ],
    [
      'initial dims variable',
      { state: [state({ dims: [-1], initial_state: [initial({ dims: [-1], zero_data: true })] })] },
      "'initial_state' field for state input name 'I' contains variable dimensions.",
    ],
    [
      'initial dim mismatch',
      { state: [state({ dims: [3], initial_state: [initial({ dims: [2], zero_data: true })] })] },
      "'initial_state' dim for input name 'I' doesn't match 'state' dim description. 2 != 3",
    ],
    ['initial state without data', { state: [state({ initial_state: [initial()] })] }, "initial_state setting expects state'I' to have state_data set"],
  ];
  it.each(cases)('%s', (_label, sb, message) => {
    const error = errorOf(withSb(sb));
    expect(error.problem).toBe(message);
    expect(error.file).toBe('model.json');
    expect(error.field.startsWith('model.sequence_batching')).toBe(true);
  });

  it('a wildcard state dim accepts any initial dim', () => {
    expect(normalize(withSb({ state: [state({ dims: [-1], initial_state: [initial({ dims: [5], zero_data: true })] })] })).config.states[0]!.dims).toEqual([
      -1,
    ]);
  });

  it('reports the first problem Triton reports: names before kinds, START before END before READY before CORRID', () => {
    const endBad = control('E', { kind: 'CONTROL_SEQUENCE_END' });
    expect(errorOf(withSb({ control_input: [endBad, control('', { kind: 'CONTROL_SEQUENCE_START', int32_false_true: [0, 1] })] })).problem).toMatch(
      /must have a name/,
    );
    expect(errorOf(withSb({ control_input: [endBad, control('S', { kind: 'CONTROL_SEQUENCE_START' })] })).problem).toMatch(/for CONTROL_SEQUENCE_START for m/);
    expect(
      errorOf(withSb({ control_input: [control('C', { kind: 'CONTROL_SEQUENCE_CORRID' }), control('R', { kind: 'CONTROL_SEQUENCE_READY' })] })).problem,
    ).toMatch(/for CONTROL_SEQUENCE_READY for m/);
    expect(errorOf(withSb({ control_input: [control('C', { kind: 'CONTROL_SEQUENCE_CORRID' })], oldest: { preferred_batch_size: [0] } })).problem).toMatch(
      /CORRID/,
    );
    expect(errorOf(withSb({ oldest: { preferred_batch_size: [0] }, state: [state({ initial_state: [initial()] })] })).problem).toMatch(/preferred batch size/);
  });

  it('accepts minimum_slot_utilization 0.0 and 1.0 although the message says (0.0, 1.0]', () => {
    expect(normalize(withSb({ direct: { minimum_slot_utilization: 0 } })).config.strategy).toMatchObject({ minimumSlotUtilization: 0 });
    expect(normalize(withSb({ direct: { minimum_slot_utilization: 1 } })).config.strategy).toMatchObject({ minimumSlotUtilization: 1 });
  });

  it.each<[string, Record<string, unknown>, string, string]>([
    ['no name', { sequence_batching: {} }, 'model.name', "model configuration must specify 'name'"],
    ['empty name', { name: '', sequence_batching: {} }, 'model.name', "model configuration must specify 'name'"],
    [
      'negative max_batch_size',
      { name: 'm', max_batch_size: -1, sequence_batching: {} },
      'model.max_batch_size',
      "'max_batch_size' must be non-negative value for m",
    ],
    [
      'input without a name',
      { name: 'm', input: [{ data_type: 'TYPE_INT32', dims: [1] }], sequence_batching: {} },
      'model.input[0]',
      "model input must specify 'name' for m",
    ],
    [
      'input without data_type',
      { name: 'm', input: [{ name: 'X', dims: [1] }], sequence_batching: {} },
      'model.input[0].data_type',
      "model input 'X' must specify 'data_type' for m",
    ],
    [
      'output without dims',
      { name: 'm', output: [{ name: 'Y', data_type: 'TYPE_INT32' }], sequence_batching: {} },
      'model.output[0].dims',
      "model output 'Y' must specify 'dims' for m",
    ],
    [
      'input dim 0',
      { name: 'm', input: [{ name: 'X', data_type: 'TYPE_INT32', dims: [1, 0] }], sequence_batching: {} },
      'model.input[0].dims[1]',
      "model input 'X' dimension must be integer >= 1, or -1 to indicate a variable-size dimension for m",
    ],
    [
      'response cache',
      withSb({}, { response_cache: { enable: true } }),
      'model.response_cache',
      'Response Cache does not currently support model m with sequence batching scheduler. Please disable the response cache.',
    ],
    [
      'batch strategy path',
      withSb({}, { parameters: { TRITON_BATCH_STRATEGY_PATH: { string_value: 'x' } } }),
      'model.parameters.TRITON_BATCH_STRATEGY_PATH',
      'TRITON_BATCH_STRATEGY_PATH cannot be specified with sequence batcher, using default batching strategy',
    ],
  ])('%s', (_label, json, field, message) => {
    const error = errorOf(json);
    expect(error.field).toBe(field);
    expect(error.problem).toBe(message);
  });

  it('data files of INT64 and BOOL states: the first little-endian value starts the accumulator', () => {
    const int64 = Buffer.alloc(8);
    int64.writeBigInt64LE(-(2n ** 40n));
    const withType = (dataType: string, dir: string) =>
      normalize(withSb({ state: [state({ data_type: dataType, initial_state: [initial({ data_type: dataType, data_file: 'f' })] })] }), dir).config
        .initialStateValue;
    expect(withType('TYPE_INT64', modelDirWith('f', int64))).toBe(-(2 ** 40));
    expect(withType('TYPE_BOOL', modelDirWith('f', Buffer.from([7])))).toBe(1);
    const huge = Buffer.alloc(8);
    huge.writeBigInt64LE(2n ** 60n);
    expect(
      errorOf(
        withSb({ state: [state({ data_type: 'TYPE_INT64', initial_state: [initial({ data_type: 'TYPE_INT64', data_file: 'f' })] })] }),
        modelDirWith('f', huge),
      ).problem,
    ).toMatch(/starts with 1152921504606846976: seqsim simulates INT64 values up to 2\^53 − 1 exactly/);
  });

  it('data files: missing, too short for the dims, or unreadable by seqsim', () => {
    const dir = modelDirWith('short', int32s(1));
    const withFile = (file: string, extra: Record<string, unknown> = {}) =>
      withSb({ state: [state({ dims: [2], ...extra, initial_state: [initial({ dims: [2], data_file: file, ...extra })] })] });
    expect(errorOf(withFile('nope'), dir).problem).toBe(`failed to open text file for read ${join(dir, 'initial_state', 'nope')}: No such file or directory`);
    expect(errorOf(withFile('short'), dir).problem).toBe('initial_state setting expects 8 bytes, but the data provided from shortonly has 4 bytes.');
    expect(errorOf(withFile('short', { data_type: 'TYPE_UINT8' }), dir).problem).toMatch(
      /seqsim reads initial_state data files of TYPE_INT32, TYPE_FP32, TYPE_INT64, TYPE_BOOL states/,
    );
    const empty = modelDirWith('empty', Buffer.alloc(0));
    expect(errorOf(withSb({ state: [state({ dims: [], initial_state: [initial({ dims: [], data_file: 'empty' })] })] }), empty).problem).toMatch(
      /needs one 4-byte value/,
    );
    const error = (() => {
      try {
        normalizeModelConfig(withFile('short'), { file: 'f', field: '' });
      } catch (e) {
        return e as InputError;
      }
      throw new Error('expected an error');
    })();
    expect(error.problem).toMatch(/needs the model folder/);
  });
});

describe('structural problems name the field', () => {
  it.each<[string, unknown, string, RegExp]>([
    ['not an object', [], 'model', /expected an object, got an array/],
    ['dynamic and sequence batching', { name: 'm', sequence_batching: {}, dynamic_batching: {} }, 'model.dynamic_batching', /one oneof/],
    [
      'dynamic batching',
      { name: 'm', dynamic_batching: {} },
      'model.dynamic_batching',
      /^seqsim simulates the sequence batcher, and this model uses the dynamic batcher/,
    ],
    ['ensemble', { name: 'm', ensemble_scheduling: {} }, 'model.ensemble_scheduling', /^ensembles are not simulated: /],
    ['ensemble platform', { name: 'm', platform: 'ensemble', sequence_batching: {} }, 'model.platform', /^ensembles are not simulated: /],
    ['no sequence batching', { name: 'm' }, 'model.sequence_batching', /seqsim simulates models that use the sequence batcher/],
    ['sequence batching not an object', { name: 'm', sequence_batching: 1 }, 'model.sequence_batching', /expected an object/],
    ['two strategies', { name: 'm', sequence_batching: { direct: {}, oldest: {} } }, 'model.sequence_batching.oldest', /one oneof/],
    ['unknown sequence batching field', { name: 'm', sequence_batching: { max_idle: 5 } }, 'model.sequence_batching.max_idle', /unknown field/],
    ['unknown model field', { name: 'm', sequence_batching: {}, max_batch: 5 }, 'model.max_batch', /unknown field/],
    ['unknown direct field', { name: 'm', sequence_batching: { direct: { delay: 5 } } }, 'model.sequence_batching.direct.delay', /unknown field/],
    [
      'unknown control field',
      { name: 'm', sequence_batching: { control_input: [control('S', { kind: 'CONTROL_SEQUENCE_START', int_false_true: [0, 1] })] } },
      'model.sequence_batching.control_input[0].control[0].int_false_true',
      /unknown field/,
    ],
    [
      'bad control kind',
      { name: 'm', sequence_batching: { control_input: [control('S', { kind: 'CONTROL_SEQUENCE_BEGIN', int32_false_true: [0, 1] })] } },
      'model.sequence_batching.control_input[0].control[0].kind',
      /expected one of CONTROL_SEQUENCE_START/,
    ],
    [
      'int32 value out of range',
      { name: 'm', sequence_batching: { control_input: [control('S', { int32_false_true: [0, 2 ** 31] })] } },
      'model.sequence_batching.control_input[0].control[0].int32_false_true[1]',
      /at most 2147483647/,
    ],
    ['fractional max_batch_size', { name: 'm', max_batch_size: 1.5, sequence_batching: {} }, 'model.max_batch_size', /expected an integer/],
    ['huge max_batch_size', { name: 'm', max_batch_size: 2 ** 30, sequence_batching: {} }, 'model.max_batch_size', /seqsim simulates max_batch_size up to/],
    ['max_batch_size beyond int32', { name: 'm', max_batch_size: '4294967296', sequence_batching: {} }, 'model.max_batch_size', /must be at most 2147483647/],
    [
      'an unsafe JSON number',
      { name: 'm', sequence_batching: { max_sequence_idle_microseconds: 2 ** 60 } },
      'model.sequence_batching.max_sequence_idle_microseconds',
      /beyond 2\^53: write it as a decimal string/,
    ],
    [
      'negative idle',
      { name: 'm', sequence_batching: { max_sequence_idle_microseconds: -5 } },
      'model.sequence_batching.max_sequence_idle_microseconds',
      /unsigned 64-bit/,
    ],
    [
      'idle as words',
      { name: 'm', sequence_batching: { max_sequence_idle_microseconds: 'five' } },
      'model.sequence_batching.max_sequence_idle_microseconds',
      /expected an integer/,
    ],
    ['negative count', { name: 'm', instance_group: [{ count: -1 }], sequence_batching: {} }, 'model.instance_group[0].count', /non-negative/],
    [
      'bad instance kind',
      { name: 'm', instance_group: [{ kind: 'KIND_TPU' }], sequence_batching: {} },
      'model.instance_group[0].kind',
      /expected one of KIND_AUTO/,
    ],
    [
      'too many slots',
      { name: 'm', max_batch_size: 1 << 20, instance_group: [{ count: 2 }], sequence_batching: {} },
      'model.instance_group',
      /more than the .* slots/,
    ],
    ['platform not a string', { name: 'm', platform: 5, sequence_batching: {} }, 'model.platform', /expected a string/],
    ['parameters not an object', { name: 'm', parameters: [], sequence_batching: {} }, 'model.parameters', /expected an object/],
    ['empty input list', { name: 'm', input: [], sequence_batching: {} }, 'model.input', /at least one input/],
    [
      'duplicate input names',
      {
        name: 'm',
        input: [
          { name: 'A', data_type: 'TYPE_INT32', dims: [1] },
          { name: 'A', data_type: 'TYPE_INT32', dims: [1] },
        ],
        sequence_batching: {},
      },
      'model.input[1].name',
      /listed more than once/,
    ],
    [
      'bad data type',
      { name: 'm', input: [{ name: 'A', data_type: 'INT32', dims: [1] }], sequence_batching: {} },
      'model.input[0].data_type',
      /expected one of TYPE_INVALID/,
    ],
    [
      'accumulator of bytes',
      { name: 'm', input: [{ name: 'INPUT', data_type: 'TYPE_UINT8', dims: [1] }], sequence_batching: {} },
      'model.input[0].data_type',
      /computes in TYPE_INT32, TYPE_FP32, TYPE_INT64, TYPE_BOOL, TYPE_STRING, got TYPE_UINT8/,
    ],
    [
      'unknown tensor field',
      { name: 'm', input: [{ name: 'A', data_type: 'TYPE_INT32', dims: [1], shape: [1] }], sequence_batching: {} },
      'model.input[0].shape',
      /unknown field/,
    ],
    [
      'state without input_name',
      { name: 'm', sequence_batching: { state: [{ output_name: 'O', data_type: 'TYPE_INT32' }] } },
      'model.sequence_batching.state[0].input_name',
      /missing/,
    ],
    [
      'zero_data and data_file',
      withSb({ state: [state({ initial_state: [initial({ zero_data: true, data_file: 'x' })] })] }),
      'model.sequence_batching.state[0].initial_state[0].data_file',
      /one oneof/,
    ],
    [
      'seqsim_initial_value without a file',
      withSb({ state: [state({ initial_state: [initial({ zero_data: true, seqsim_initial_value: 3 })] })] }),
      'model.sequence_batching.state[0].initial_state[0].seqsim_initial_value',
      /only goes with data_file/,
    ],
    [
      'seqsim_initial_value not an int32',
      withSb({ state: [state({ initial_state: [initial({ data_file: 'x', seqsim_initial_value: 0.5 })] })] }),
      'model.sequence_batching.state[0].initial_state[0].seqsim_initial_value',
      /expected an integer/,
    ],
    [
      'state input twice without initial states',
      withSb({ state: [state(), state({ output_name: 'O2' })] }),
      'model.sequence_batching.state[1].input_name',
      /specified more than once/,
    ],
  ])('%s', (_label, json, field, problem) => {
    const error = errorOf(json);
    expect(error.field).toBe(field);
    expect(error.problem).toMatch(problem);
  });

  it('a field named like an Object.prototype member is still unknown, and prototype names are not fields', () => {
    expect(errorOf(JSON.parse('{"name":"m","sequence_batching":{},"constructor":1}')).field).toBe('model.constructor');
    expect(errorOf(JSON.parse('{"name":"m","sequence_batching":{},"__proto__":{"x":1}}')).field).toBe('model.__proto__');
    expect(normalize({ name: 'm', sequence_batching: {} }).config.name).toBe('m');
  });
});
