import { describe, expect, it } from 'vitest';
import { modelConfigJson, servedModelConfig } from '../../live/kserve/model-config-json.ts';
import { parseModelVersion } from '../../live/kserve/served-model.ts';

describe("the model config in Triton's JSON form", () => {
  const config = servedModelConfig({
    name: 'acc',
    max_batch_size: 2,
    input: [{ name: 'INPUT', data_type: 'TYPE_INT32', dims: [1] }],
    output: [{ name: 'OUTPUT', data_type: 'TYPE_INT32', dims: [1] }],
    instance_group: [{ count: 2 }],
    sequence_batching: {
      max_sequence_idle_microseconds: 5000000,
      direct: { max_queue_delay_microseconds: 100 },
      state: [{ input_name: 'IN_S', output_name: 'OUT_S', data_type: 'TYPE_INT32', dims: [1], initial_state: [{ name: 'z', dims: [1], zero_data: true }] }],
    },
  });

  it('fills in what Triton fills in after loading an ONNX model', () => {
    expect(config).toMatchObject({
      platform: 'onnxruntime_onnx',
      backend: 'onnxruntime',
      default_model_filename: 'model.onnx',
      version_policy: { latest: { num_versions: 1 } },
      optimization: { input_pinned_memory: { enable: true }, output_pinned_memory: { enable: true } },
      instance_group: [{ name: 'acc_0', count: 2, kind: 'KIND_CPU' }],
    });
  });

  it('prints every primitive field, omits unset messages, and writes 64-bit integers as Triton does', () => {
    const json = modelConfigJson(config);
    expect(Object.keys(json)[0]).toBe('name');
    expect(json).toMatchObject({ runtime: '', batch_input: [], cc_model_filenames: {}, max_batch_size: 2 });
    expect(json).not.toHaveProperty('dynamic_batching');
    expect(json).not.toHaveProperty('model_warmup.0');
    const input = (json['input'] as Record<string, unknown>[])[0]!;
    expect(input).toEqual({
      name: 'INPUT',
      data_type: 'TYPE_INT32',
      format: 'FORMAT_NONE',
      dims: [1],
      is_shape_tensor: false,
      allow_ragged_batch: false,
      optional: false,
      is_non_linear_format_io: false,
    });
    const sequence = json['sequence_batching'] as Record<string, unknown>;
    expect(sequence['max_sequence_idle_microseconds']).toBe(5000000);
    expect(sequence['direct']).toEqual({ max_queue_delay_microseconds: 100, minimum_slot_utilization: 0 });
    const state = (sequence['state'] as Record<string, unknown>[])[0]!;
    expect(state['dims']).toEqual([1]);
    // Triton's printer misses initial_state (it looks for it one level up): its dims stay strings.
    expect((state['initial_state'] as Record<string, unknown>[])[0]).toMatchObject({ name: 'z', dims: ['1'], zero_data: true });
  });

  it("reads a model version string as Triton's front ends do", () => {
    expect(parseModelVersion('')).toBe(-1);
    expect(parseModelVersion('1')).toBe(1);
    expect(() => parseModelVersion('abc')).toThrow("failed to get model version from specified version string 'abc'");
    expect(() => parseModelVersion('-3')).toThrow("invalid model version specified '-3' , version should be an integral value > 0");
  });
});
