import { describe, expect, it } from 'vitest';
import { normalizeModelConfig, SEQUENCE_IDLE_DEFAULT_US } from '../../src/config/normalize.ts';
import { InputError } from '../../src/scenario/types.ts';

const source = { file: 'model.json', field: 'model', modelDir: '.' };
const normalize = (json: unknown) => normalizeModelConfig(json, source);
const withSb = (sb: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({ name: 'm', max_batch_size: 4, ...extra, sequence_batching: sb });
const control = (name: string, ...controls: Record<string, unknown>[]) => ({ name, control: controls });

function errorOf(json: unknown): InputError {
  try {
    normalize(json);
  } catch (error) {
    if (error instanceof InputError) return error;
    throw error;
  }
  throw new Error('expected an InputError');
}

describe('Triton defaults (spec §1)', () => {
  it('fills the QA accumulator model and Triton defaults', () => {
    const { config, normalized } = normalize({ name: 'm', sequence_batching: {} });
    expect(config).toMatchObject({
      name: 'm',
      maxBatchSize: 0,
      instanceCount: 1,
      tensorDataType: 'TYPE_INT32',
      maxSequenceIdleUs: SEQUENCE_IDLE_DEFAULT_US,
      strategy: { kind: 'direct', maxQueueDelayUs: 0, minimumSlotUtilization: 0 },
      slotsPerInstance: 1,
      initialStateValue: 0,
    });
    expect(Object.keys(config.controls).sort()).toEqual(['ready', 'start']);
    expect(normalized).toMatchObject({ input: [{ name: 'INPUT', data_type: 'TYPE_INT32', dims: [1] }], instance_group: [{ count: 1, kind: 'KIND_CPU' }] });
  });

  it('idle 0 means one second; instance counts 0 mean 1 and groups add up', () => {
    const { config } = normalize(withSb({ max_sequence_idle_microseconds: '0' }, { instance_group: [{ count: 0 }, { count: 3, kind: 'KIND_GPU' }] }));
    expect(config.maxSequenceIdleUs).toBe(1_000_000);
    expect(config.instanceCount).toBe(4);
  });

  it('Oldest: candidates default to max(1, max_batch_size), preferred sizes to [max_batch_size]', () => {
    const { config } = normalize(withSb({ oldest: {} }));
    expect(config.strategy).toEqual({ kind: 'oldest', maxCandidateSequences: 4, preferredBatchSizes: [4], maxQueueDelayUs: 0, preserveOrdering: false });
    expect(config.slotsPerInstance).toBe(4);
    const explicit = normalize(withSb({ oldest: { max_candidate_sequences: 9, preferred_batch_size: [2] } })).config;
    expect(explicit.slotsPerInstance).toBe(9);
    expect(normalize({ name: 'm', max_batch_size: 0, sequence_batching: { oldest: {} } }).config.strategy).toMatchObject({ maxCandidateSequences: 1, preferredBatchSizes: [] });
  });

  it('boolean control types come from the false/true list; CORRID from data_type', () => {
    const { config } = normalize(
      withSb({
        control_input: [
          control('S', { kind: 'CONTROL_SEQUENCE_START', fp32_false_true: [0, 1] }),
          control('R', { kind: 'CONTROL_SEQUENCE_READY', bool_false_true: [false, true] }),
          control('C', { kind: 'CONTROL_SEQUENCE_CORRID', data_type: 'TYPE_STRING' }),
        ],
      }),
    );
    expect(config.controls.start).toMatchObject({ dataType: 'TYPE_FP32', falseValue: 0, trueValue: 1 });
    expect(config.controls.ready).toMatchObject({ dataType: 'TYPE_BOOL', falseValue: false, trueValue: true });
    expect(config.controls.corrid).toEqual({ kind: 'CONTROL_SEQUENCE_CORRID', tensorName: 'C', dataType: 'TYPE_STRING' });
    expect(config.controls.end).toBeUndefined();
  });

  it('is idempotent: normalising the normalised form gives the same', () => {
    const first = normalize(withSb({ oldest: { preferred_batch_size: [2, 4] }, state: [{ input_name: 'I', output_name: 'O', data_type: 'TYPE_INT32', dims: [1], initial_state: [{ data_type: 'TYPE_INT32', dims: [1], zero_data: true, name: 'z' }] }] }, { instance_group: [{ count: 2 }] }));
    const second = normalize(first.normalized);
    expect(second.normalized).toEqual(first.normalized);
    expect(JSON.stringify(second.normalized)).toBe(JSON.stringify(first.normalized));
    expect(second.config).toEqual(first.config);
  });
});

describe("Triton's validation messages (spec §13)", () => {
  const cases: [string, Record<string, unknown>, string][] = [
    ['control without a name', { control_input: [control('', { kind: 'CONTROL_SEQUENCE_START', int32_false_true: [0, 1] })] }, 'sequence batching control tensor must have a name for m'],
    ['one tensor for two kinds', { control_input: [control('X', { kind: 'CONTROL_SEQUENCE_START', int32_false_true: [0, 1] }), control('X', { kind: 'CONTROL_SEQUENCE_END', int32_false_true: [0, 1] })] }, "sequence batching control tensor 'X' is specified for multiple control kinds for m"],
    ['a kind twice', { control_input: [control('A', { kind: 'CONTROL_SEQUENCE_START', int32_false_true: [0, 1] }), control('B', { kind: 'CONTROL_SEQUENCE_START', int32_false_true: [0, 1] })] }, 'sequence batching specifies multiple CONTROL_SEQUENCE_START tensors for m'],
    ['no false/true list', { control_input: [control('A', { kind: 'CONTROL_SEQUENCE_END' })] }, "sequence batching must specify either 'int32_false_true', 'fp32_false_true' or 'bool_false_true' for CONTROL_SEQUENCE_END for m"],
    ['two false/true lists', { control_input: [control('A', { kind: 'CONTROL_SEQUENCE_READY', int32_false_true: [0, 1], fp32_false_true: [0, 1] })] }, "sequence batching specifies more than one from 'int32_false_true', 'fp32_false_true' and 'bool_false_true' for CONTROL_SEQUENCE_READY for m"],
    ['three entries', { control_input: [control('A', { kind: 'CONTROL_SEQUENCE_START', int32_false_true: [0, 1, 2] })] }, "sequence batching control 'int32_false_true' must have exactly 2 entries for CONTROL_SEQUENCE_START for m"],
    ['CORRID with a list', { control_input: [control('C', { kind: 'CONTROL_SEQUENCE_CORRID', data_type: 'TYPE_UINT64', int32_false_true: [0, 1] })] }, "sequence batching must not specify either 'int32_false_true', 'fp32_false_true' or 'bool_false_true' for CONTROL_SEQUENCE_CORRID for m"],
    ['CORRID of TYPE_FP32', { control_input: [control('C', { kind: 'CONTROL_SEQUENCE_CORRID', data_type: 'TYPE_FP32' })] }, 'unexpected data type for control CONTROL_SEQUENCE_CORRID for m. Allowed data types are TYPE_UINT64, TYPE_INT64, TYPE_UINT32, TYPE_INT32 and TYPE_STRING'],
    ['preferred size 0', { oldest: { preferred_batch_size: [0] } }, 'sequence batching preferred batch size must be positive for m'],
    ['preferred size above max', { oldest: { preferred_batch_size: [8] } }, 'sequence batching preferred batch size must be <= max batch size for m'],
    ['utilisation above 1', { direct: { minimum_slot_utilization: 1.5 } }, 'sequence batching minimum slot utilization must be in range (0.0, 1.0] for m'],
    ['two initial states', { state: [{ input_name: 'I', output_name: 'O', data_type: 'TYPE_INT32', dims: [1], initial_state: [{ name: 'a', zero_data: true, dims: [1] }, { name: 'b', zero_data: true, dims: [1] }] }] }, "initial_state field for state input 'I' must contain exactly one or zero element. Found '2' elements."],
    ['initial state without a name', { state: [{ input_name: 'I', output_name: 'O', data_type: 'TYPE_INT32', dims: [1], initial_state: [{ zero_data: true, dims: [1] }] }] }, "Field 'name' must be set when using initial_state for state input 'I'."],
  ];
  it.each(cases)('%s', (_label, sb, message) => {
    const error = errorOf(withSb(sb));
    expect(error.problem).toBe(message);
    expect(error.message.startsWith('model.json: model.sequence_batching')).toBe(true);
  });

  it('accepts minimum_slot_utilization 0.0 although the message says (0.0, 1.0]', () => {
    expect(normalize(withSb({ direct: { minimum_slot_utilization: 0 } })).config.strategy).toMatchObject({ minimumSlotUtilization: 0 });
  });

  it('rejects response cache and TRITON_BATCH_STRATEGY_PATH with sequence batching', () => {
    expect(errorOf(withSb({}, { response_cache: { enable: true } })).problem).toBe(
      'Response Cache does not currently support model m with sequence batching scheduler. Please disable the response cache.',
    );
    expect(errorOf(withSb({}, { parameters: { TRITON_BATCH_STRATEGY_PATH: { string_value: 'x' } } })).problem).toBe(
      'TRITON_BATCH_STRATEGY_PATH cannot be specified with sequence batcher, using default batching strategy',
    );
  });

  it.each([
    [{ name: 'm', sequence_batching: {}, dynamic_batching: {} }, 'model.dynamic_batching', /one oneof/],
    [{ name: 'm' }, 'model.sequence_batching', /no sequence_batching/],
    [{ name: 'm', sequence_batching: { direct: {}, oldest: {} } }, 'model.sequence_batching.oldest', /choose one strategy/],
    [{ name: 'm', sequence_batching: { max_idle: 5 } }, 'model.sequence_batching.max_idle', /unknown field/],
    [{ name: 'm', max_batch_size: -1, sequence_batching: {} }, 'model.max_batch_size', /non-negative integer/],
    [{ name: 'm', input: [{ name: 'INPUT', data_type: 'TYPE_STRING', dims: [1] }], sequence_batching: {} }, 'model.input[0].data_type', /TYPE_INT32 or TYPE_FP32/],
    [{ name: 'm', sequence_batching: { control_input: [control('S', { kind: 'CONTROL_SEQUENCE_BEGIN', int32_false_true: [0, 1] })] } }, 'model.sequence_batching.control_input[0].control[0].kind', /expected CONTROL_SEQUENCE_START/],
  ])('structural problem %#: names the field', (json, field, problem) => {
    const error = errorOf(json);
    expect(error.field).toBe(field);
    expect(error.problem).toMatch(problem);
  });
});
