import { InputError } from '../../src/core/input-errors.ts';
import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { parseScenario, loadScenarioFile, loadJsonFile, DEFAULT_EXIT_TIMEOUT_US } from '../../src/scenario/load.ts';
import { scenarioJsonArbitrary } from '../../sim/generate/scenario-arbitrary.ts';

const fixture = (path: string) => fileURLToPath(new URL(`../fixtures/${path}`, import.meta.url));
type Json = Record<string, unknown>;

const minimal = (): Json => ({
  model: { name: 'm', sequence_batching: {} },
  sequences: [{ id: 1, steps: [{ value: 1, start: true, end: true }] }],
});
const step0 = (json: Json): Json => (json['sequences'] as { steps: Json[] }[])[0]!.steps[0]!;
const sequence0 = (json: Json): Json => (json['sequences'] as Json[])[0]!;

/** A model whose accumulator input (and output) has `dataType`. */
const typed = (dataType: string): Json => ({
  name: 'm',
  input: [{ name: 'INPUT', data_type: dataType, dims: [1] }],
  output: [{ name: 'OUTPUT', data_type: dataType, dims: [1] }],
  sequence_batching: {},
});

function problem(mutate: (json: Json) => void, baseDir = '.'): InputError {
  const json = minimal();
  mutate(json);
  try {
    parseScenario(json, 'scn.json', baseDir);
  } catch (error) {
    if (error instanceof InputError) return error;
    throw error;
  }
  throw new Error('expected an InputError');
}

function tempFile(name: string, text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'seqsim-scn-')), name);
  writeFileSync(path, text);
  return path;
}

describe('step values in each accumulator type', () => {
  it('BOOL takes true / false / 0 / 1; INT64 takes integers past 2^32; STRING takes 32-bit integers', () => {
    const steps = (values: unknown[]) => [{ id: 1, steps: values.map((value) => ({ value })) }];
    const values = (dataType: string, input: unknown[]) =>
      parseScenario({ model: typed(dataType), sequences: steps(input) }, 'scn.json', '.').sequences[0]!.steps.map((step) => step.value);
    expect(values('TYPE_BOOL', [true, false, 0, 1])).toEqual([1, 0, 0, 1]);
    expect(values('TYPE_INT64', [2 ** 40, -(2 ** 50)])).toEqual([2 ** 40, -(2 ** 50)]);
    expect(values('TYPE_STRING', [-5, 2 ** 31 - 1])).toEqual([-5, 2 ** 31 - 1]);
  });
});

describe('scenario v1: defaults', () => {
  it('fills every default and keeps ids as written', () => {
    const scenario = parseScenario(
      {
        ...minimal(),
        sequences: [
          { id: { u64: '18446744073709551615' }, steps: [{ value: 1, start: true }] },
          { id: 'abc', mode: 'stream', steps: [{ value: 2 }] },
        ],
      },
      'scn.json',
      '.',
    );
    expect(scenario.name).toBe('scenario');
    expect(scenario.seed).toBeUndefined();
    expect(scenario.sequences[0]).toEqual({
      id: { u64: '18446744073709551615' },
      startUs: 0,
      mode: 'sync',
      steps: [{ value: 1, start: true, end: false, gapUs: 0, timeoutUs: 0, cancelAfterUs: undefined }],
    });
    expect(scenario.sequences[1]!.mode).toBe('stream');
    expect(scenario.executorLatencyUs).toBe(0);
    expect(scenario.transportLatencyUs).toBe(0);
    expect(scenario.faults).toBeUndefined();
    expect(scenario.lifecycle).toEqual([]);
    expect(scenario.normalized).toEqual({
      name: 'scenario',
      model: scenario.normalized['model'],
      executor: { latency_us: 0 },
      transport: { latency_us: 0 },
      sequences: [
        { id: { u64: '18446744073709551615' }, start_us: 0, mode: 'sync', steps: [{ value: 1, start: true, end: false, gap_us: 0, timeout_us: 0 }] },
        { id: 'abc', start_us: 0, mode: 'stream', steps: [{ value: 2, start: false, end: false, gap_us: 0, timeout_us: 0 }] },
      ],
    });
  });

  it('reads ids: numbers are uint64, strings are string ids, {"u64"} fits a number when it can', () => {
    const ids = [0, 5, Number.MAX_SAFE_INTEGER, '5', '', 'x'.repeat(200), { u64: '9007199254740992' }, { u64: '007' }];
    const scenario = parseScenario({ ...minimal(), sequences: ids.map((id) => ({ id, steps: [{ value: 1 }] })) }, 'scn.json', '.');
    expect(scenario.sequences.map((s) => s.id)).toEqual([0, 5, Number.MAX_SAFE_INTEGER, '5', '', 'x'.repeat(200), { u64: '9007199254740992' }, 7]);
  });

  it('reads latencies, lifecycle stops, seeds and names', () => {
    const scenario = parseScenario(
      { ...minimal(), name: 'n', seed: -3, executor: { latency_us: { min: 5, max: 5 } }, transport: { latency_us: 7 }, lifecycle: [{ at_us: 10, stop: true }] },
      'scn.json',
      '.',
    );
    expect(scenario).toMatchObject({ name: 'n', seed: -3, executorLatencyUs: { min: 5, max: 5 }, transportLatencyUs: 7 });
    expect(scenario.lifecycle).toEqual([{ atUs: 10, kind: 'stop', exitTimeoutUs: DEFAULT_EXIT_TIMEOUT_US }]);
    expect(scenario.normalized['lifecycle']).toEqual([{ at_us: 10, stop: true, exit_timeout_us: 30_000_000 }]);
  });

  it('accepts a scenario without sequences (an empty world still runs)', () => {
    expect(parseScenario({ ...minimal(), sequences: [] }, 'scn.json', '.').sequences).toEqual([]);
  });

  it('FP32 models take any finite INPUT value', () => {
    const json = { ...minimal(), model: { name: 'f', input: [{ name: 'INPUT', data_type: 'TYPE_FP32', dims: [1] }], sequence_batching: {} } };
    step0(json as Json)['value'] = 0.25;
    expect(parseScenario(json, 'scn.json', '.').sequences[0]!.steps[0]!.value).toBe(0.25);
  });
});

describe('scenario v1: the model part', () => {
  it('loads a config.pbtxt relative to the scenario; initial_state data files come from its folder', () => {
    const scenario = loadScenarioFile(fixture('models/pbtxt-scenario.json'));
    expect(scenario.model).toMatchObject({ name: 'acc_pbtxt', instanceCount: 2, slotsPerInstance: 6, initialStateValue: 100 });
    expect(scenario.model.controls.corrid?.dataType).toBe('TYPE_UINT32');
    const model = scenario.normalized['model'] as { sequence_batching: { state: { initial_state: unknown[] }[] } };
    expect(model.sequence_batching.state[0]!.initial_state[0]).toEqual({
      data_type: 'TYPE_INT32',
      dims: [1],
      data_file: 'state_100',
      name: 'initial',
      seqsim_initial_value: 100,
    });
  });

  it('loads a model folder (its config.pbtxt); a config without a name takes the folder name, as in Triton', () => {
    const scenario = loadScenarioFile(fixture('scenarios/qa-folder.json'));
    expect(scenario.model).toMatchObject({ name: 'qa_sequence_int32', instanceCount: 2, maxBatchSize: 8 });
    expect((scenario.normalized['model'] as Json)['name']).toBe('qa_sequence_int32');
  });

  it('loads a .json model config (Triton JSON form: 64-bit strings, enum numbers)', () => {
    const scenario = loadScenarioFile(fixture('scenarios/json-config.json'));
    expect(scenario.model).toMatchObject({
      name: 'acc_json',
      tensorDataType: 'TYPE_FP32',
      instanceCount: 2,
      maxSequenceIdleUs: 2_000_000,
      controls: { corrid: { dataType: 'TYPE_STRING' } },
    });
  });

  it("accepts what Triton's model-configuration endpoint returns (every field printed)", () => {
    const dir = fixture('models/endpoint');
    const scenario = parseScenario({ model: 'config.json', sequences: [] }, 'scn.json', dir);
    expect(scenario.model).toMatchObject({
      name: 'endpoint',
      instanceCount: 1,
      slotsPerInstance: 4,
      strategy: { kind: 'oldest', preferredBatchSizes: [4] },
      controls: { start: { dataType: 'TYPE_INT32' }, ready: { dataType: 'TYPE_INT32' }, corrid: { dataType: 'TYPE_UINT64' } },
    });
    expect(scenario.model.controls.end).toBeUndefined();
  });

  it('errors inside a config file name that file and the position or field', () => {
    const pbtxt = tempFile('config.pbtxt', 'name: "x"\nsequence_batching { max_sequence_idle_microseconds: -5 }\n');
    const scenario = join(dirname(pbtxt), 'scn.json');
    writeFileSync(scenario, JSON.stringify({ model: 'config.pbtxt', sequences: [] }));
    expect(() => loadScenarioFile(scenario)).toThrow(
      new InputError(pbtxt, 'sequence_batching.max_sequence_idle_microseconds', 'expected an unsigned 64-bit integer, got -5'),
    );
    writeFileSync(pbtxt, 'name: "x"\nsequence_batching {\n');
    expect(() => loadScenarioFile(scenario)).toThrow(new InputError(pbtxt, 'line 3:1', "expected '}' before the end of the file"));
  });

  it('a path never reaches the normalised scenario: it is the model inline', () => {
    const scenario = loadScenarioFile(fixture('scenarios/qa-folder.json'));
    expect(typeof scenario.normalized['model']).toBe('object');
    const again = parseScenario(scenario.normalized, 'trace-header', '/nonexistent');
    expect(JSON.stringify(again.normalized)).toBe(JSON.stringify(scenario.normalized));
  });
});

describe('scenario v1: errors name file and field', () => {
  it.each<[string, (json: Json) => void, string, RegExp]>([
    ['not an object', (j) => Object.assign(j, { model: undefined }), 'model', /missing/],
    ['unknown top-level field', (j) => (j['sequencess'] = []), 'sequencess', /unknown field \(allowed: name, seed, model/],
    ['name not a string', (j) => (j['name'] = 5), 'name', /expected a string/],
    ['seed not an integer', (j) => (j['seed'] = 1.5), 'seed', /expected an integer/],
    ['seed as a string', (j) => (j['seed'] = '7'), 'seed', /expected an integer/],
    ['missing model', (j) => delete j['model'], 'model', /missing: the Triton model configuration/],
    ['model of a wrong type', (j) => (j['model'] = 5), 'model', /expected a Triton model configuration/],
    ['model file missing', (j) => (j['model'] = 'nowhere/config.pbtxt'), 'model', /cannot read model config nowhere\/config.pbtxt \(ENOENT\)/],
    [
      'model error',
      (j) => (j['model'] = { name: 'm', sequence_batching: { oldest: { preferred_batch_size: [0] } } }),
      'model.sequence_batching.oldest.preferred_batch_size[0]',
      /^sequence batching preferred batch size must be positive for m$/,
    ],
    ['missing sequences', (j) => delete j['sequences'], 'sequences', /missing: the client sequences/],
    ['schedule not an array', (j) => (j['schedule'] = 'reaper'), 'schedule', /expected an array/],
    ['schedule entry of a wrong type', (j) => (j['schedule'] = ['reaper', true]), 'schedule[1]', /expected an integer/],
    ['negative schedule index', (j) => (j['schedule'] = [-1]), 'schedule[0]', /integer/],
    ['sequences not an array', (j) => (j['sequences'] = {}), 'sequences', /expected an array/],
    ['unknown sequence field', (j) => (sequence0(j)['start'] = 1), 'sequences[0].start', /unknown field/],
    [
      'unknown step field',
      (j) => (step0(j)['gap'] = 1),
      'sequences[0].steps[0].gap',
      /unknown field \(allowed: value, start, end, gap_us, timeout_us, cancel_after_us\)/,
    ],
    ['missing value', (j) => delete step0(j)['value'], 'sequences[0].steps[0].value', /missing: the INPUT value/],
    ['negative gap', (j) => (step0(j)['gap_us'] = -1), 'sequences[0].steps[0].gap_us', /non-negative integer/],
    ['fractional gap', (j) => (step0(j)['gap_us'] = 1.5), 'sequences[0].steps[0].gap_us', /non-negative integer/],
    ['gap as a string', (j) => (step0(j)['gap_us'] = '100'), 'sequences[0].steps[0].gap_us', /non-negative integer, got "100"/],
    ['huge timeout', (j) => (step0(j)['timeout_us'] = 2 ** 51), 'sequences[0].steps[0].timeout_us', /at most 1125899906842624/],
    ['negative cancel', (j) => (step0(j)['cancel_after_us'] = -1), 'sequences[0].steps[0].cancel_after_us', /non-negative/],
    ['start not a boolean', (j) => (step0(j)['start'] = 1), 'sequences[0].steps[0].start', /expected true or false/],
    [
      'fractional value for INT32',
      (j) => (step0(j)['value'] = 1.5),
      'sequences[0].steps[0].value',
      /model 'm' takes TYPE_INT32 input: expected a 32-bit integer/,
    ],
    ['value beyond INT32', (j) => (step0(j)['value'] = 2 ** 31), 'sequences[0].steps[0].value', /32-bit integer/],
    [
      'BOOL value other than 0 / 1',
      (j) => {
        j['model'] = typed('TYPE_BOOL');
        step0(j)['value'] = 2;
      },
      'sequences[0].steps[0].value',
      /^model 'm' takes TYPE_BOOL input: expected true, false, 0 or 1, got 2$/,
    ],
    [
      'STRING value beyond INT32',
      (j) => {
        j['model'] = typed('TYPE_STRING');
        step0(j)['value'] = 2 ** 31;
      },
      'sequences[0].steps[0].value',
      /takes TYPE_STRING input: expected a 32-bit integer \(the model reads its decimal text/,
    ],
    [
      'INT64 sums past 2^53',
      (j) => {
        j['model'] = typed('TYPE_INT64');
        step0(j)['value'] = 2 ** 52;
        (j['sequences'] as Json[]).push({ id: 2, steps: [{ value: 2 ** 52 }] });
      },
      'sequences',
      /accumulates in TYPE_INT64, and this scenario's values and ids add up to 9007199254740992: seqsim simulates INT64 sums exactly up to 2\^53/,
    ],
    ['bad mode', (j) => (sequence0(j)['mode'] = 'async'), 'sequences[0].mode', /expected "sync" or "stream"/],
    ['negative start', (j) => (sequence0(j)['start_us'] = -5), 'sequences[0].start_us', /non-negative/],
    ['missing id', (j) => delete sequence0(j)['id'], 'sequences[0].id', /missing: the correlation id/],
    ['negative id', (j) => (sequence0(j)['id'] = -3), 'sequences[0].id', /non-negative integer up to 2\^53-1/],
    ['fractional id', (j) => (sequence0(j)['id'] = 1.5), 'sequences[0].id', /non-negative integer/],
    ['unsafe numeric id', (j) => (sequence0(j)['id'] = 2 ** 60), 'sequences[0].id', /write \{"u64": "…"\} above that/],
    ['id of a wrong type', (j) => (sequence0(j)['id'] = true), 'sequences[0].id', /expected a number, a string or \{"u64": "…"\}/],
    ['u64 overflow', (j) => (sequence0(j)['id'] = { u64: '18446744073709551616' }), 'sequences[0].id.u64', /decimal uint64/],
    ['u64 not decimal', (j) => (sequence0(j)['id'] = { u64: '0x10' }), 'sequences[0].id.u64', /decimal uint64/],
    ['u64 as a number', (j) => (sequence0(j)['id'] = { u64: 5 }), 'sequences[0].id.u64', /expected a string/],
    ['u64 with another field', (j) => (sequence0(j)['id'] = { u64: '5', s: 'x' }), 'sequences[0].id.s', /unknown field/],
    ['no steps', (j) => (sequence0(j)['steps'] = []), 'sequences[0].steps', /at least one step/],
    ['missing steps', (j) => delete sequence0(j)['steps'], 'sequences[0].steps', /missing: the steps/],
    ['latency min > max', (j) => (j['executor'] = { latency_us: { min: 5, max: 1 } }), 'executor.latency_us.min', /min \(5\) must not exceed max \(1\)/],
    ['latency without max', (j) => (j['transport'] = { latency_us: { min: 5 } }), 'transport.latency_us.max', /missing/],
    ['latency as a string', (j) => (j['executor'] = { latency_us: '5' }), 'executor.latency_us', /expected integer µs or \{"min": …, "max": …\}/],
    ['latency negative', (j) => (j['executor'] = { latency_us: -5 }), 'executor.latency_us', /non-negative/],
    ['executor unknown field', (j) => (j['executor'] = { latency: 5 }), 'executor.latency', /unknown field/],
    ['faults not an object', (j) => (j['faults'] = 3), 'faults', /expected an object/],
    ['lifecycle not an array', (j) => (j['lifecycle'] = {}), 'lifecycle', /expected an array/],
    ['lifecycle load not a config', (j) => (j['lifecycle'] = [{ at_us: 5, load: 7 }]), 'lifecycle[0].load', /expected a Triton model configuration/],
    [
      'lifecycle load missing file',
      (j) => (j['lifecycle'] = [{ at_us: 5, load: 'no-such.pbtxt' }]),
      'lifecycle[0].load',
      /cannot read model config no-such.pbtxt/,
    ],
    ['lifecycle unload false', (j) => (j['lifecycle'] = [{ at_us: 5, unload: false }]), 'lifecycle[0].unload', /must be true/],
    [
      'lifecycle policy on stop',
      (j) => (j['lifecycle'] = [{ at_us: 5, stop: true, policy: 'drain' }]),
      'lifecycle[0].policy',
      /only a load takes policy, and this entry is a stop/,
    ],
    [
      'lifecycle policy on unload',
      (j) => (j['lifecycle'] = [{ at_us: 5, unload: true, policy: 'drain' }]),
      'lifecycle[0].policy',
      /only a load takes policy, and this entry is a unload/,
    ],
    [
      'lifecycle drain timeout without drain',
      (j) => (j['lifecycle'] = [{ at_us: 5, load: { name: 'm' }, drain_timeout_us: 5 }]),
      'lifecycle[0].drain_timeout_us',
      /only the "drain" policy/,
    ],
    [
      'lifecycle files_changed on stop',
      (j) => (j['lifecycle'] = [{ at_us: 5, stop: true, files_changed: true }]),
      'lifecycle[0].files_changed',
      /only a load takes files_changed/,
    ],
    ['lifecycle load_us on unload', (j) => (j['lifecycle'] = [{ at_us: 5, unload: true, load_us: 1 }]), 'lifecycle[0].load_us', /only a load takes load_us/],
    [
      'lifecycle unknown policy',
      (j) => (j['lifecycle'] = [{ at_us: 5, load: { name: 'm' }, policy: 'gentle' }]),
      'lifecycle[0].policy',
      /expected "triton" or "drain", got "gentle"/,
    ],
    ['lifecycle without action', (j) => (j['lifecycle'] = [{ at_us: 5 }]), 'lifecycle[0]', /names no action: give one of load, unload, stop/],
    [
      'lifecycle with two actions',
      (j) => (j['lifecycle'] = [{ at_us: 5, stop: true, unload: true }]),
      'lifecycle[0]',
      /names unload and stop: give one action per entry/,
    ],
    ['lifecycle without time', (j) => (j['lifecycle'] = [{ stop: true }]), 'lifecycle[0].at_us', /missing: when the event happens/],
    ['lifecycle stop false', (j) => (j['lifecycle'] = [{ at_us: 1, stop: false }]), 'lifecycle[0].stop', /must be true/],
    ['lifecycle unknown field', (j) => (j['lifecycle'] = [{ at_us: 1, stop: true, exit_timeout: 5 }]), 'lifecycle[0].exit_timeout', /unknown field/],
    [
      'lifecycle out of order',
      (j) =>
        (j['lifecycle'] = [
          { at_us: 5, stop: true },
          { at_us: 1, stop: true },
        ]),
      'lifecycle[1].at_us',
      /time order/,
    ],
    [
      'lifecycle after a stop',
      (j) =>
        (j['lifecycle'] = [
          { at_us: 5, stop: true },
          { at_us: 9, stop: true },
        ]),
      'lifecycle[1]',
      /nothing can follow a server stop/,
    ],
  ])('%s', (_label, mutate, field, message) => {
    const error = problem(mutate);
    expect(error.file).toBe('scn.json');
    expect(error.field).toBe(field);
    expect(error.problem).toMatch(message);
    expect(error.message).toBe(`scn.json: ${field}: ${error.problem}`);
  });

  it('a scenario that is not an object', () => {
    expect(() => parseScenario([], 'scn.json', '.')).toThrow(new InputError('scn.json', '', 'expected an object, got an array'));
  });

  it('a file that does not exist or is not JSON is a clean error, with line and column when known', () => {
    expect(() => loadScenarioFile('/nonexistent/scn.json')).toThrow(/\/nonexistent\/scn.json: cannot read file \(ENOENT\)/);
    const bad = tempFile('bad.json', '{\n  "name": "x",\n}');
    expect(() => loadJsonFile(bad)).toThrow(InputError);
    try {
      loadJsonFile(bad);
    } catch (error) {
      expect((error as InputError).field).toBe('line 3:1');
      expect((error as InputError).problem).toMatch(/^not valid JSON: /);
    }
    const truncated = tempFile('cut.json', '{"a": [1,');
    expect(() => loadJsonFile(truncated)).toThrow(/line 1:10: not valid JSON/);
  });
});

describe('normalisation is idempotent', () => {
  it('on fixtures: the normalised scenario parses to itself, byte for byte', () => {
    for (const file of ['models/pbtxt-scenario.json', 'scenarios/qa-folder.json', 'scenarios/json-config.json']) {
      const once = loadScenarioFile(fixture(file));
      const twice = parseScenario(JSON.parse(JSON.stringify(once.normalized)), 'header.json', '/nonexistent');
      expect(JSON.stringify(twice.normalized)).toBe(JSON.stringify(once.normalized));
      expect(twice.model).toEqual(once.model);
    }
  });

  it('on generated scenarios (fast-check)', () => {
    fc.assert(
      fc.property(scenarioJsonArbitrary(), (json) => {
        const once = parseScenario(json, 'a.json', '.');
        const twice = parseScenario(JSON.parse(JSON.stringify(once.normalized)), 'b.json', '.');
        expect(JSON.stringify(twice.normalized)).toBe(JSON.stringify(once.normalized));
        expect(twice.sequences).toEqual(once.sequences);
      }),
      { numRuns: 200, seed: 3 },
    );
  });
});
