import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadScenarioFile } from '../../src/scenario/load.ts';
import { inferBody, readAnswer, type WireTensors } from '../../live/drive/http-transport.ts';
import { TransportFailure } from '../../live/drive/transport.ts';
import { configDifferences } from '../../live/drive/server-config.ts';
import { parseStatistics, statisticsDelta } from '../../live/drive/server-statistics.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const tensors: WireTensors = { input: 'INPUT', output: 'OUTPUT', datatype: 'INT32', shape: [1, 1] };

describe('KServe v2 HTTP messages', () => {
  it('writes Triton’s sequence parameters, the backlog timeout when set, and a uint64 id above 2^53 exactly', () => {
    const body = inferBody(tensors, { requestId: 'x', sequenceId: { u64: '18446744073709551615' }, start: true, end: false, value: 7, timeoutUs: 1500 });
    expect(body).toContain('"sequence_id":18446744073709551615');
    expect(JSON.parse(body)).toMatchObject({
      inputs: [{ name: 'INPUT', shape: [1, 1], datatype: 'INT32', data: [7] }],
      outputs: [{ name: 'OUTPUT' }],
      parameters: { sequence_start: true, sequence_end: false, timeout: 1500 },
    });
    expect(JSON.parse(inferBody(tensors, { requestId: 'x', sequenceId: 'tenant/1', start: false, end: true, value: 1, timeoutUs: 0 })).parameters).toEqual({
      sequence_id: 'tenant/1',
      sequence_start: false,
      sequence_end: true,
    });
  });

  it('reads a JSON output, a binary output (binary tensor extension), and Triton’s error statuses', () => {
    const json = Buffer.from(JSON.stringify({ outputs: [{ name: 'OUTPUT', datatype: 'INT32', shape: [1, 1], data: [42] }] }));
    expect(readAnswer(200, {}, json, tensors)).toEqual({ kind: 'output', value: 42 });
    const header = Buffer.from(
      JSON.stringify({
        outputs: [
          { name: 'OTHER', datatype: 'INT32', shape: [1], parameters: { binary_data_size: 4 } },
          { name: 'OUTPUT', datatype: 'INT32', shape: [1, 1], parameters: { binary_data_size: 4 } },
        ],
      }),
    );
    const binary = Buffer.alloc(8);
    binary.writeInt32LE(9, 0);
    binary.writeInt32LE(-5, 4);
    expect(readAnswer(200, { 'inference-header-content-length': String(header.length) }, Buffer.concat([header, binary]), tensors)).toEqual({
      kind: 'output',
      value: -5,
    });
    const error = (status: number, message: string) => readAnswer(status, {}, Buffer.from(JSON.stringify({ error: message })), tensors);
    expect(error(400, 'must specify the START flag')).toEqual({
      kind: 'error',
      error: { code: 'INVALID_ARG', message: 'must specify the START flag' },
      httpStatus: 400,
    });
    expect(error(400, '')).toMatchObject({ error: { code: 'CANCELLED' } });
    expect(error(503, 'timeout of the corresponding sequence has been expired')).toMatchObject({ error: { code: 'UNAVAILABLE' } });
    expect(error(404, 'unknown model')).toMatchObject({ error: { code: 'NOT_FOUND' } });
    expect(error(501, 'too long')).toMatchObject({ error: { code: 'UNSUPPORTED' } });
    expect(error(500, 'boom')).toMatchObject({ error: { code: 'INTERNAL' } });
  });

  it('an answer that is not KServe v2 is a protocol failure, not a crash', () => {
    const failure = (status: number, text: string) => () => readAnswer(status, {}, Buffer.from(text), tensors);
    expect(failure(200, '<html>')).toThrow(TransportFailure);
    expect(failure(200, '{"outputs": []}')).toThrow(/without an output named 'OUTPUT'/);
    expect(failure(200, '{"outputs": [{"name": "OUTPUT", "data": ["x"]}]}')).toThrow(/holds no number/);
    expect(failure(400, '{"message": "no error field"}')).toThrow(/without an "error" message/);
  });
});

describe('the server’s config and statistics', () => {
  const scenario = loadScenarioFile(join(root, 'sim/examples/drive/client-faults.json'));
  const ours = scenario.normalized['model'] as Record<string, unknown>;
  const flag = (kind: string) => ({ kind, int32_false_true: [0, 1], fp32_false_true: [], bool_false_true: [], data_type: 'TYPE_INVALID' });
  /** The config as Triton's model-configuration endpoint prints it: every field, defaults included. */
  const triton = (changes: Record<string, unknown> = {}) => ({
    name: 'acc_client_faults',
    platform: 'onnxruntime_onnx',
    backend: 'onnxruntime',
    version_policy: { latest: { num_versions: 1 } },
    max_batch_size: 2,
    input: [{ name: 'INPUT', data_type: 'TYPE_INT32', format: 'FORMAT_NONE', dims: [1], is_shape_tensor: false, allow_ragged_batch: false, optional: false }],
    output: [{ name: 'OUTPUT', data_type: 'TYPE_INT32', dims: [1], label_filename: '', is_shape_tensor: false }],
    batch_input: [],
    batch_output: [],
    optimization: { priority: 'PRIORITY_DEFAULT', input_pinned_memory: { enable: true }, output_pinned_memory: { enable: true } },
    instance_group: [
      { name: 'acc_client_faults_0', kind: 'KIND_CPU', count: 2, gpus: [], secondary_devices: [], profile: [], passive: false, host_policy: '' },
    ],
    sequence_batching: {
      max_sequence_idle_microseconds: 1000000,
      control_input: [
        { name: 'START', control: [flag('CONTROL_SEQUENCE_START')] },
        { name: 'END', control: [flag('CONTROL_SEQUENCE_END')] },
        { name: 'READY', control: [flag('CONTROL_SEQUENCE_READY')] },
        {
          name: 'CORRID',
          control: [{ kind: 'CONTROL_SEQUENCE_CORRID', int32_false_true: [], fp32_false_true: [], bool_false_true: [], data_type: 'TYPE_UINT64' }],
        },
      ],
      direct: { max_queue_delay_microseconds: 0, minimum_slot_utilization: 0 },
      state: [],
      iterative_sequence: false,
    },
    default_model_filename: 'model.onnx',
    parameters: {},
    model_warmup: [],
    ...changes,
  });

  it('a Triton config printed with all its defaults matches the scenario it was exported from', () => {
    expect(configDifferences(triton(), ours)).toEqual([]);
  });

  it('names each difference that changes what a client sees', () => {
    expect(configDifferences(triton({ max_batch_size: 4 }), ours)).toEqual([
      'max_batch_size: server "4", scenario "2"',
      'slots_per_instance: server "4", scenario "2"',
    ]);
    const oneInstance = triton({ instance_group: [{ name: 'g', kind: 'KIND_CPU', count: 1, gpus: [] }] });
    expect(configDifferences(oneInstance, ours)).toEqual(['instances: server "1", scenario "2"']);
    const oldest = triton();
    (oldest['sequence_batching'] as Record<string, unknown>)['oldest'] = {
      max_candidate_sequences: 0,
      preferred_batch_size: [],
      max_queue_delay_microseconds: 0,
      preserve_ordering: false,
    };
    delete (oldest['sequence_batching'] as Record<string, unknown>)['direct'];
    expect(configDifferences(oldest, ours).map((d) => d.split(':')[0])).toContain('strategy');
  });

  it('reads batch-size execution counts and what a run added to them', () => {
    const stats = (counts: Record<number, number>, executions: number) => ({
      model_stats: [
        {
          name: 'm',
          version: '1',
          execution_count: executions,
          inference_count: executions * 2,
          batch_stats: Object.entries(counts).map(([size, count]) => ({ batch_size: Number(size), compute_infer: { count, ns: 1000 } })),
        },
      ],
    });
    const before = parseStatistics(stats({ 1: 3 }, 3), 'm')!;
    const after = parseStatistics(stats({ 1: 5, 2: 4 }, 9), 'm')!;
    const delta = statisticsDelta(before, after);
    expect(delta.executionCount).toBe(6);
    expect([...delta.batchExecutions]).toEqual([
      [1, 2],
      [2, 4],
    ]);
    expect(parseStatistics({ something: 'else' }, 'm')).toBeUndefined();
    expect(parseStatistics(stats({ 1: 1 }, 1), 'other')).toBeUndefined();
  });
});
