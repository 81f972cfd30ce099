import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { parseScenario, loadScenarioFile } from '../../src/scenario/load.ts';
import { parsePbtxt } from '../../src/config/pbtxt.ts';
import { normalizeModelConfig } from '../../src/config/normalize.ts';
import { InputError } from '../../src/scenario/types.ts';
import { exampleFiles } from '../../src/cli/commands/examples.ts';
import { scenarioJsonArbitrary } from '../../sim/generate/scenario-arbitrary.ts';

const minimal = () => ({
  model: { name: 'm', sequence_batching: {} },
  sequences: [{ id: 1, steps: [{ value: 1, start: true, end: true }] }],
});

function problem(mutate: (json: Record<string, unknown>) => void): InputError {
  const json = minimal() as Record<string, unknown>;
  mutate(json);
  try {
    parseScenario(json, 'scn.json', '.');
  } catch (error) {
    if (error instanceof InputError) return error;
    throw error;
  }
  throw new Error('expected an InputError');
}

describe('scenario v1', () => {
  it('fills defaults and keeps ids as written', () => {
    const scenario = parseScenario(
      { ...minimal(), sequences: [{ id: { u64: '18446744073709551615' }, steps: [{ value: 1, start: true }] }, { id: 'abc', mode: 'stream', steps: [{ value: 2 }] }] },
      'scn.json',
      '.',
    );
    expect(scenario.sequences[0]).toEqual({ id: { u64: '18446744073709551615' }, startUs: 0, mode: 'sync', steps: [{ value: 1, start: true, end: false, gapUs: 0, timeoutUs: 0, cancelAfterUs: undefined }] });
    expect(scenario.sequences[1]!.mode).toBe('stream');
    expect(scenario.executorLatencyUs).toBe(0);
    expect(scenario.lifecycle).toEqual([]);
  });

  it('normalises idempotently: the normalised scenario parses to itself', () => {
    fc.assert(
      fc.property(scenarioJsonArbitrary(), (json) => {
        const once = parseScenario(json, 'a.json', '.');
        const twice = parseScenario(once.normalized, 'b.json', '.');
        expect(JSON.stringify(twice.normalized)).toBe(JSON.stringify(once.normalized));
      }),
      { numRuns: 200, seed: 3 },
    );
  });

  it.each<[string, (json: Record<string, unknown>) => void, string, RegExp]>([
    ['unknown top-level field', (j) => (j['sequencess'] = []), 'sequencess', /unknown field/],
    ['unknown step field', (j) => ((j['sequences'] as { steps: Record<string, unknown>[] }[])[0]!.steps[0]!['gap'] = 1), 'sequences[0].steps[0].gap', /unknown field/],
    ['negative gap', (j) => ((j['sequences'] as { steps: Record<string, unknown>[] }[])[0]!.steps[0]!['gap_us'] = -1), 'sequences[0].steps[0].gap_us', /non-negative integer/],
    ['fractional value for INT32', (j) => ((j['sequences'] as { steps: Record<string, unknown>[] }[])[0]!.steps[0]!['value'] = 1.5), 'sequences[0].steps[0].value', /32-bit integer/],
    ['bad mode', (j) => ((j['sequences'] as Record<string, unknown>[])[0]!['mode'] = 'async'), 'sequences[0].mode', /"sync" or "stream"/],
    ['negative id', (j) => ((j['sequences'] as Record<string, unknown>[])[0]!['id'] = -3), 'sequences[0].id', /non-negative integer/],
    ['u64 overflow', (j) => ((j['sequences'] as Record<string, unknown>[])[0]!['id'] = { u64: '18446744073709551616' }), 'sequences[0].id.u64', /decimal uint64/],
    ['no steps', (j) => ((j['sequences'] as Record<string, unknown>[])[0]!['steps'] = []), 'sequences[0].steps', /at least one step/],
    ['latency min > max', (j) => (j['executor'] = { latency_us: { min: 5, max: 1 } }), 'executor.latency_us.min', /must not exceed max/],
    ['missing model', (j) => delete j['model'], 'model', /missing/],
    ['model file missing', (j) => (j['model'] = 'nowhere/config.pbtxt'), 'model', /cannot read model config/],
    ['lifecycle load', (j) => (j['lifecycle'] = [{ at_us: 5, load: {} }]), 'lifecycle[0].load', /not supported yet/],
    ['lifecycle without action', (j) => (j['lifecycle'] = [{ at_us: 5 }]), 'lifecycle[0]', /names no action/],
    ['lifecycle out of order', (j) => (j['lifecycle'] = [{ at_us: 5, stop: true }, { at_us: 1, stop: true }]), 'lifecycle[1].at_us', /time order/],
    ['faults not an object', (j) => (j['faults'] = 3), 'faults', /expected an object/],
  ])('%s: names the field', (_label, mutate, field, message) => {
    const error = problem(mutate);
    expect(error.file).toBe('scn.json');
    expect(error.field).toBe(field);
    expect(error.problem).toMatch(message);
  });

  it('a file that does not exist or is not JSON is a clean error', () => {
    expect(() => loadScenarioFile('/nonexistent/scn.json')).toThrow(/\/nonexistent\/scn.json: cannot read file \(ENOENT\)/);
  });
});

describe('scenario.schema.json', () => {
  const schema = JSON.parse(readFileSync(new URL('../../src/scenario/scenario.schema.json', import.meta.url), 'utf8'));
  const validate = new Ajv2020({ strict: false, allErrors: true }).compile(schema);
  it.each(exampleFiles())('%s validates', (file) => {
    const ok = validate(JSON.parse(readFileSync(file, 'utf8')));
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
  });
  it('normalised scenarios validate too', () => {
    fc.assert(
      fc.property(scenarioJsonArbitrary(), (json) => {
        expect(validate(parseScenario(json, 'a.json', '.').normalized)).toBe(true);
      }),
      { numRuns: 100, seed: 5 },
    );
  });
});

describe('loaders never crash on bad input (fast-check)', () => {
  const cleanly = (run: () => unknown): void => {
    try {
      run();
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
    }
  };

  it('random JSON values as scenarios and model configs', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        cleanly(() => parseScenario(value, 'fuzz.json', '.'));
        cleanly(() => normalizeModelConfig(value, { file: 'fuzz.json', field: 'model', modelDir: '.' }));
      }),
      { numRuns: 500, seed: 11 },
    );
  });

  it('mutated valid scenarios: dropped, duplicated and retyped fields', () => {
    const paths = (value: unknown, prefix: (string | number)[] = []): (string | number)[][] => {
      if (typeof value !== 'object' || value === null) return [prefix];
      const keys = Array.isArray(value) ? value.map((_, i) => i) : Object.keys(value);
      return [prefix, ...keys.flatMap((k) => paths((value as Record<string | number, unknown>)[k], [...prefix, k]))];
    };
    fc.assert(
      fc.property(scenarioJsonArbitrary(), fc.nat(), fc.jsonValue(), fc.constantFrom('drop', 'retype'), (json, pick, replacement, how) => {
        const all = paths(json).filter((p) => p.length > 0);
        const path = all[pick % all.length]!;
        const copy = structuredClone(json) as Record<string | number, unknown>;
        let parent = copy;
        for (const key of path.slice(0, -1)) parent = parent[key] as Record<string | number, unknown>;
        const last = path[path.length - 1]!;
        if (how === 'drop') {
          if (Array.isArray(parent)) parent.splice(last as number, 1);
          else delete parent[last];
        } else parent[last] = replacement;
        cleanly(() => parseScenario(copy, 'fuzz.json', '.'));
      }),
      { numRuns: 1000, seed: 13 },
    );
  });

  it('random and mutated protobuf text', () => {
    const text = readFileSync(new URL('../fixtures/models/acc_pbtxt/config.pbtxt', import.meta.url), 'utf8');
    fc.assert(
      fc.property(fc.nat(), fc.string({ maxLength: 3 }), fc.nat(), (at, insert, cut) => {
        const i = at % text.length;
        const mutated = text.slice(0, i) + insert + text.slice(i + (cut % 4));
        cleanly(() => normalizeModelConfig(parsePbtxt(mutated, 'fuzz.pbtxt'), { file: 'fuzz.pbtxt', field: '', modelDir: '/nonexistent' }));
      }),
      { numRuns: 1000, seed: 17 },
    );
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (random) => cleanly(() => parsePbtxt(random, 'fuzz.pbtxt'))),
      { numRuns: 1000, seed: 19 },
    );
  });
});
