import { InputError } from '../../src/core/input-errors.ts';
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parsePbtxt } from '../../src/config/pbtxt.ts';
import { normalizeModelConfig } from '../../src/config/normalize.ts';

const fixture = (path: string) => fileURLToPath(new URL(`../fixtures/models/${path}`, import.meta.url));
const parse = (text: string) => parsePbtxt(text, 'config.pbtxt');

function errorOf(text: string): InputError {
  try {
    parse(text);
  } catch (error) {
    if (error instanceof InputError) return error;
    throw error;
  }
  throw new Error('expected an InputError');
}

describe('protobuf text format → Triton JSON form', () => {
  it('parses a realistic Triton config.pbtxt (controls, oldest, state with initial_state)', () => {
    const json = parsePbtxt(readFileSync(fixture('acc_pbtxt/config.pbtxt'), 'utf8'), 'config.pbtxt');
    expect(json).toEqual({
      name: 'acc_pbtxt',
      backend: 'onnxruntime',
      max_batch_size: 4,
      version_policy: { latest: { num_versions: 1 } },
      input: [{ name: 'INPUT', data_type: 'TYPE_INT32', dims: [1] }],
      output: [{ name: 'OUTPUT', data_type: 'TYPE_INT32', dims: [1] }],
      instance_group: [{ count: 2, kind: 'KIND_GPU' }],
      sequence_batching: {
        max_sequence_idle_microseconds: 5000000,
        control_input: [
          { name: 'START', control: [{ kind: 'CONTROL_SEQUENCE_START', int32_false_true: [0, 1] }] },
          { name: 'END', control: [{ kind: 'CONTROL_SEQUENCE_END', int32_false_true: [0, 1] }] },
          { name: 'READY', control: [{ kind: 'CONTROL_SEQUENCE_READY', fp32_false_true: [0, 1] }] },
          { name: 'CORRID', control: [{ kind: 'CONTROL_SEQUENCE_CORRID', data_type: 'TYPE_UINT32' }] },
        ],
        oldest: { max_candidate_sequences: 6, preferred_batch_size: [2, 4], max_queue_delay_microseconds: 100 },
        state: [
          {
            input_name: 'INPUT_STATE',
            output_name: 'OUTPUT_STATE',
            data_type: 'TYPE_INT32',
            dims: [1],
            initial_state: [{ data_type: 'TYPE_INT32', dims: [1], name: 'initial', data_file: 'state_100' }],
          },
        ],
      },
    });
  });

  it("parses Triton's QA style: <> messages, maps (parameters, warmup inputs), comments", () => {
    const json = parsePbtxt(readFileSync(fixture('qa_sequence_int32/config.pbtxt'), 'utf8'), 'config.pbtxt');
    expect(json).toMatchObject({
      platform: 'onnxruntime_onnx',
      version_policy: { latest: { num_versions: 1 } },
      sequence_batching: { direct: { max_queue_delay_microseconds: 1000, minimum_slot_utilization: 0.5 } },
      instance_group: [{ kind: 'KIND_CPU' }],
      parameters: { execution_mode: { string_value: '0' }, intra_op_thread_count: { string_value: '1' } },
      model_warmup: [{ name: 'warm', batch_size: 1, inputs: { INPUT: { data_type: 'TYPE_INT32', dims: [1], zero_data: true } } }],
    });
    expect(json['name']).toBeUndefined();
  });

  it('makes repeated fields arrays even with one entry, and merges repeated entries and lists', () => {
    expect(parse('dims: 3 dims: -1 dims: [4, 5]')).toEqual({ dims: [3, -1, 4, 5] });
    expect(parse('input { name: "A" } input [ { name: "B" }, < name: "C" > ]')).toEqual({ input: [{ name: 'A' }, { name: 'B' }, { name: 'C' }] });
    expect(parse('sequence_batching { state { initial_state { zero_data: true } } }')).toEqual({
      sequence_batching: { state: [{ initial_state: [{ zero_data: true }] }] },
    });
    expect(parse('preferred_batch_size: []')).toEqual({ preferred_batch_size: [] });
  });

  it('reads scalars of every kind', () => {
    expect(
      parse('a: 0x10 b: -0x10 c: 010 d: 1.5e2 e: -2.5f f: .5 g: 1. h: true i: False j: t k: f l: KIND_GPU m: 18446744073709551615 n: -9007199254740993'),
    ).toEqual({
      a: 16,
      b: -16,
      c: 8,
      d: 150,
      e: -2.5,
      f: 0.5,
      g: 1,
      h: true,
      i: false,
      j: true,
      k: false,
      l: 'KIND_GPU',
      m: '18446744073709551615',
      n: '-9007199254740993',
    });
  });

  it('reads strings with C escapes, both quotes, concatenation and UTF-8', () => {
    expect(parse(String.raw`a: 'q\n"' b: "x" 'y' "z" c: "\101\x42\u00e9\U0001F600\t\\\?" d: "ü😀"`)).toEqual({
      a: 'q\n"',
      b: 'xyz',
      c: 'ABé😀\t\\?',
      d: 'ü😀',
    });
  });

  it('accepts the optional colon before a message, and ; or , after a field', () => {
    expect(parse('a: { b: 1; c: 2, } d <e: 3>;')).toEqual({ a: { b: 1, c: 2 }, d: { e: 3 } });
  });

  it('turns 0/1 in bool fields into booleans', () => {
    expect(parse('preserve_ordering: 1 bool_false_true: [0, 1] max_batch_size: 1')).toEqual({
      preserve_ordering: true,
      bool_false_true: [false, true],
      max_batch_size: 1,
    });
  });

  it('maps: a later key replaces an earlier one; a missing key or value takes its default, as protobuf text format does', () => {
    expect(parse('metric_tags { key: "a" value: "1" } metric_tags { key: "a" value: "2" }')).toEqual({ metric_tags: { a: '2' } });
    expect(parse('parameters { key: "__proto__" value { string_value: "x" } }')['parameters']).toEqual(JSON.parse('{"__proto__":{"string_value":"x"}}'));
    expect(errorOf('parameters: 5').problem).toMatch(/map field 'parameters' takes entries like \{ key: "…" value: \{ … \} \}/);
    expect(errorOf('metric_tags: "a"').problem).toMatch(/map field 'metric_tags' takes entries like \{ key: "…" value: "…" \}/);
    expect(errorOf('parameters { name: "a" }').problem).toMatch(/map field 'parameters'/);
    // Triton's QA lists `parameters: {}` as valid (L0_model_config custom_parameters allocation_strategy_no_key).
    expect(parse('parameters: {}')).toEqual({ parameters: { '': {} } });
    expect(parse('metric_tags { key: "a" } cc_model_filenames { value: "f" }')).toEqual({ metric_tags: { a: '' }, cc_model_filenames: { '': 'f' } });
    expect(parse('priority_queue_policy { value { } }')).toEqual({ priority_queue_policy: { '0': {} } });
    expect(errorOf('parameters: 5').problem).toMatch(/map field 'parameters'/);
  });

  it.each([
    ['name: "unterminated', 'line 1:20', /unterminated string/],
    ['name: "a\nb"', 'line 1:9', /newline inside a string/],
    ['a {\n  b: 1', 'line 2:7', /expected '}' before the end of the file/],
    ['name: "a"\nname: "b"', 'line 2:1', /field 'name' is given twice but is not repeated/],
    ['a b', 'line 1:3', /expected ':' or '\{' after field 'a'/],
    ['dims: [1 2]', 'line 1:10', /expected ',' or '\]' in a list/],
    ['x: @', 'line 1:4', /cannot read value '@'/],
    ['x: ', 'line 1:4', /unexpected character "end of file"/],
    ['x: 09', 'line 1:4', /cannot read value '09'/],
    ['x: inf', 'line 1:4', /'inf' is not a number/],
    ['x: -nan', 'line 1:4', /'-nan' is not a number/],
    ['x: 1e999', 'line 1:4', /cannot read value '1e999'/],
    ['x: "\\q"', 'line 1:6', /unsupported escape '\\q'/],
    ['name: [ "a", "b" ]', 'line 1:1', /field 'name' takes one value, not a list/],
    ['}', 'line 1:1', /expected a field name/],
    ['3: 4', 'line 1:1', /expected a field name/],
    ['a {'.repeat(100), 'line 1:', /nested too deeply/],
  ])('%j fails at %s', (text, position, problem) => {
    const error = errorOf(text);
    expect(error.file).toBe('config.pbtxt');
    expect(error.field.startsWith(position)).toBe(true);
    expect(error.problem).toMatch(problem);
    expect(error.message.startsWith(`config.pbtxt: ${error.field}: `)).toBe(true);
  });

  it('what the parser gives, the normaliser takes: the fixtures normalise as a scenario would', () => {
    const json = parsePbtxt(readFileSync(fixture('qa_sequence_int32/config.pbtxt'), 'utf8'), 'config.pbtxt');
    const { config } = normalizeModelConfig({ ...json, name: 'qa_sequence_int32' }, { file: 'config.pbtxt', field: '' });
    // onnxruntime's CPU group without a count gets 2 instances (Triton's SetDefaultInstanceCount).
    expect(config).toMatchObject({
      instanceCount: 2,
      slotsPerInstance: 8,
      maxSequenceIdleUs: 5_000_000,
      strategy: { kind: 'direct', minimumSlotUtilization: 0.5 },
    });
  });
});
