import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parsePbtxt } from '../../src/config/pbtxt.ts';
import { loadScenarioFile } from '../../src/scenario/load.ts';
import { InputError } from '../../src/scenario/types.ts';

const fixture = fileURLToPath(new URL('../fixtures/models/acc_pbtxt/config.pbtxt', import.meta.url));

describe('protobuf text format', () => {
  it('parses a realistic Triton config.pbtxt into the JSON form', () => {
    const json = parsePbtxt(readFileSync(fixture, 'utf8'), 'config.pbtxt');
    expect(json).toMatchObject({
      name: 'acc_pbtxt',
      max_batch_size: 4,
      version_policy: { latest: { num_versions: 1 } },
      input: [{ name: 'INPUT', data_type: 'TYPE_INT32', dims: [1] }],
      instance_group: [{ count: 2, kind: 'KIND_GPU' }],
      sequence_batching: {
        oldest: { max_candidate_sequences: 6, preferred_batch_size: [2, 4], max_queue_delay_microseconds: 100 },
        state: [{ input_name: 'INPUT_STATE', initial_state: [{ name: 'initial', data_file: 'state_100' }] }],
      },
    });
    const controls = (json['sequence_batching'] as { control_input: unknown[] }).control_input;
    expect(controls).toHaveLength(4);
    expect(controls[3]).toEqual({ name: 'CORRID', control: [{ kind: 'CONTROL_SEQUENCE_CORRID', data_type: 'TYPE_UINT32' }] });
  });

  it('makes repeated fields arrays even with one entry, and reads scalars of every kind', () => {
    const json = parsePbtxt('dims: 3 dims: -1\nname: "a" "b"\nx: 0x10 y: 1.5e2 z: true w: \'q\\n\' big: 18446744073709551615', 'f');
    expect(json).toEqual({ dims: [3, -1], name: 'ab', x: 16, y: 150, z: true, w: 'q\n', big: '18446744073709551615' });
  });

  it.each([
    ['name: "unterminated', /line 1:.*unterminated string/],
    ['a { b: 1', /expected '}' before the end/],
    ['name: "a" name: "b"', /'name' given twice/],
    ['a b', /expected ':' or '\{' after field 'a'/],
    ['dims: [1 2]', /expected ',' or '\]'/],
    ['x: @', /unexpected character/],
    ['{'.repeat(100), /expected a field name|nested too deeply/],
  ])('reports %j with line and column', (text, problem) => {
    expect(() => parsePbtxt(text, 'bad.pbtxt')).toThrow(InputError);
    expect(() => parsePbtxt(text, 'bad.pbtxt')).toThrow(problem);
  });

  it('a scenario can point at a config.pbtxt; initial_state data files are read from the model folder', () => {
    const scenario = loadScenarioFile(fileURLToPath(new URL('../fixtures/models/pbtxt-scenario.json', import.meta.url)));
    expect(scenario.model).toMatchObject({ name: 'acc_pbtxt', instanceCount: 2, slotsPerInstance: 6, initialStateValue: 100 });
    expect(scenario.model.controls.corrid?.dataType).toBe('TYPE_UINT32');
    const state = (scenario.normalized['model'] as { sequence_batching: { state: { initial_state: unknown[] }[] } }).sequence_batching.state[0]!;
    expect(state.initial_state[0]).toMatchObject({ data_file: 'state_100', seqsim_initial_value: 100 });
  });
});
