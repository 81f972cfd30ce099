import { InputError } from '../../src/core/input-errors.ts';
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { parseScenario } from '../../src/scenario/load.ts';
import { parsePbtxt } from '../../src/config/pbtxt.ts';
import { normalizeModelConfig } from '../../src/config/normalize.ts';
import { scenarioJsonArbitrary } from '../../sim/generate/scenario-arbitrary.ts';

/**
 * The loaders' contract on any input: a result or an InputError, never another exception, and
 * fast (each call well under the budget, so nothing loops or blows up on hostile input).
 */
const CALL_BUDGET_MS = 250;
/** Inputs of hundreds of kilobytes: still bounded, with room for a loaded CI machine. */
const HOSTILE_BUDGET_MS = 2000;

function cleanly(run: () => unknown, budgetMs = CALL_BUDGET_MS): 'ok' | 'input-error' {
  const started = performance.now();
  try {
    run();
    return 'ok';
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    return 'input-error';
  } finally {
    expect(performance.now() - started).toBeLessThan(budgetMs);
  }
}

type Path = (string | number)[];

function paths(value: unknown, prefix: Path = []): Path[] {
  if (typeof value !== 'object' || value === null) return [prefix];
  const keys = Array.isArray(value) ? value.map((_, i) => i) : Object.keys(value);
  return [prefix, ...keys.flatMap((k) => paths((value as Record<string | number, unknown>)[k], [...prefix, k]))];
}

/** Drops, duplicates (into a sibling key or array slot) or retypes the value at one path. */
function mutate(json: unknown, pick: number, how: 'drop' | 'duplicate' | 'retype', replacement: unknown): unknown {
  const copy = structuredClone(json) as Record<string | number, unknown>;
  const all = paths(copy).filter((p) => p.length > 0);
  if (all.length === 0) return copy;
  const path = all[pick % all.length]!;
  let parent = copy;
  for (const key of path.slice(0, -1)) parent = parent[key] as Record<string | number, unknown>;
  const last = path[path.length - 1]!;
  if (how === 'drop') {
    if (Array.isArray(parent)) parent.splice(last as number, 1);
    else delete parent[last];
  } else if (how === 'duplicate') {
    if (Array.isArray(parent)) parent.splice(last as number, 0, structuredClone(parent[last]));
    else parent[`${String(last)}_copy`] = structuredClone(parent[last]);
  } else {
    parent[last] = replacement;
  }
  return copy;
}

/** A valid model config to mutate: every part the normaliser reads. */
const fullConfig = {
  name: 'fuzz',
  backend: 'onnxruntime',
  max_batch_size: 4,
  input: [{ name: 'INPUT', data_type: 'TYPE_INT32', dims: [1] }],
  output: [{ name: 'OUTPUT', data_type: 'TYPE_INT32', dims: ['1'] }],
  instance_group: [{ kind: 'KIND_GPU', count: 2, gpus: [0] }, { kind: 'KIND_CPU' }],
  parameters: { a: { string_value: 'b' } },
  sequence_batching: {
    max_sequence_idle_microseconds: '5000000',
    control_input: [
      { name: 'START', control: [{ kind: 'CONTROL_SEQUENCE_START', int32_false_true: [0, 1] }] },
      { name: 'END', control: [{ kind: 'CONTROL_SEQUENCE_END', fp32_false_true: [0, 1] }] },
      { name: 'READY', control: [{ kind: 'CONTROL_SEQUENCE_READY', bool_false_true: [false, true] }] },
      { name: 'CORRID', control: [{ kind: 'CONTROL_SEQUENCE_CORRID', data_type: 'TYPE_UINT64' }] },
    ],
    oldest: { max_candidate_sequences: 3, preferred_batch_size: [2, 4], max_queue_delay_microseconds: 100, preserve_ordering: true },
    state: [
      {
        input_name: 'IS',
        output_name: 'OS',
        data_type: 'TYPE_INT32',
        dims: [1],
        initial_state: [{ data_type: 'TYPE_INT32', dims: [1], name: 'z', zero_data: true }],
      },
    ],
    iterative_sequence: false,
  },
};

const schema = JSON.parse(readFileSync(new URL('../../src/scenario/scenario.schema.json', import.meta.url), 'utf8'));
const validate = new Ajv2020({ strict: true }).compile(schema);
const pbtxtText = readFileSync(new URL('../fixtures/models/acc_pbtxt/config.pbtxt', import.meta.url), 'utf8');
const qaText = readFileSync(new URL('../fixtures/models/qa_sequence_int32/config.pbtxt', import.meta.url), 'utf8');
const modelSource = { file: 'fuzz.json', field: 'model', modelDir: '/nonexistent' };

describe('loaders never crash or hang on bad input (fast-check)', () => {
  it('random JSON values as scenarios and model configs', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        cleanly(() => parseScenario(value, 'fuzz.json', '/nonexistent'));
        cleanly(() => normalizeModelConfig(value, modelSource));
      }),
      { numRuns: 1000, seed: 11 },
    );
  });

  it('random objects with the right top-level keys', () => {
    const anything = fc.jsonValue({ maxDepth: 3 });
    fc.assert(
      fc.property(
        fc.record(
          { model: fc.oneof(anything, fc.constant(fullConfig)), sequences: anything, executor: anything, lifecycle: anything, faults: anything },
          { requiredKeys: [] },
        ),
        (json) => {
          cleanly(() => parseScenario(json, 'fuzz.json', '/nonexistent'));
        },
      ),
      { numRuns: 500, seed: 12 },
    );
  });

  it('mutated valid scenarios (drop, duplicate, retype a field): an accepted one still normalises idempotently and fits the schema', () => {
    fc.assert(
      fc.property(
        scenarioJsonArbitrary(),
        fc.nat(),
        fc.constantFrom('drop', 'duplicate', 'retype'),
        fc.jsonValue({ maxDepth: 2 }),
        (json, pick, how, replacement) => {
          const mutated = mutate(json, pick, how, replacement);
          if (cleanly(() => parseScenario(mutated, 'fuzz.json', '/nonexistent')) === 'ok') {
            const once = parseScenario(mutated, 'fuzz.json', '/nonexistent').normalized;
            expect(JSON.stringify(parseScenario(once, 'again.json', '/nonexistent').normalized)).toBe(JSON.stringify(once));
            expect(validate(mutated)).toBe(true);
          }
        },
      ),
      { numRuns: 1000, seed: 13 },
    );
  });

  it('mutated valid model configs: an accepted one normalises idempotently', () => {
    fc.assert(
      fc.property(fc.nat(), fc.constantFrom('drop', 'duplicate', 'retype'), fc.jsonValue({ maxDepth: 2 }), (pick, how, replacement) => {
        const mutated = mutate(fullConfig, pick, how, replacement);
        if (cleanly(() => normalizeModelConfig(mutated, modelSource)) === 'ok') {
          const once = normalizeModelConfig(mutated, modelSource);
          const twice = normalizeModelConfig(once.normalized, modelSource);
          expect(JSON.stringify(twice.normalized)).toBe(JSON.stringify(once.normalized));
          expect(twice.config).toEqual(once.config);
        }
      }),
      { numRuns: 1000, seed: 14 },
    );
  });

  it('random and mutated protobuf text', () => {
    const tokens = fc.constantFrom(
      '{',
      '}',
      '<',
      '>',
      '[',
      ']',
      ':',
      ',',
      ';',
      '"',
      "'",
      '\\',
      '#',
      '\n',
      ' ',
      '-',
      '0x',
      '1',
      '1.5e',
      'name',
      'dims',
      'parameters',
      'key',
      'value',
      'TYPE_INT32',
      'true',
      'inf',
    );
    fc.assert(
      fc.property(fc.constantFrom(pbtxtText, qaText), fc.nat(), fc.array(tokens, { maxLength: 3 }), fc.nat(), (text, at, insert, cut) => {
        const i = at % text.length;
        const mutated = text.slice(0, i) + insert.join('') + text.slice(i + (cut % 6));
        cleanly(() => normalizeModelConfig(parsePbtxt(mutated, 'fuzz.pbtxt'), { file: 'fuzz.pbtxt', field: '', modelDir: '/nonexistent' }));
      }),
      { numRuns: 1500, seed: 17 },
    );
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ maxLength: 200 }),
          fc.array(tokens, { maxLength: 60 }).map((t) => t.join('')),
        ),
        (random) => {
          cleanly(() => parsePbtxt(random, 'fuzz.pbtxt'));
        },
      ),
      { numRuns: 1500, seed: 19 },
    );
  });

  it('hostile sizes stay fast: deep nesting, long lines, long strings', () => {
    cleanly(() => parsePbtxt('a {'.repeat(100_000), 'deep.pbtxt'), HOSTILE_BUDGET_MS);
    cleanly(() => parsePbtxt('dims: ['.concat('1,'.repeat(100_000), '1]'), 'wide.pbtxt'), HOSTILE_BUDGET_MS);
    cleanly(() => parsePbtxt(`name: "${'x'.repeat(200_000)}"`, 'long.pbtxt'), HOSTILE_BUDGET_MS);
    cleanly(() => parsePbtxt('x'.repeat(100_000), 'ident.pbtxt'), HOSTILE_BUDGET_MS);
    const deep = JSON.parse('['.repeat(5000) + ']'.repeat(5000));
    cleanly(() => parseScenario({ model: { name: 'm', sequence_batching: {} }, sequences: deep }, 'deep.json', '.'), HOSTILE_BUDGET_MS);
    cleanly(() => normalizeModelConfig({ name: 'm', sequence_batching: { control_input: deep } }, modelSource), HOSTILE_BUDGET_MS);
    // Deeper than JSON.stringify can walk: a field kept as written must fail cleanly, not overflow.
    const abyss = JSON.parse(`${'{"a":'.repeat(200_000)}1${'}'.repeat(200_000)}`);
    expect(cleanly(() => normalizeModelConfig({ name: 'm', sequence_batching: {}, parameters: abyss }, modelSource), HOSTILE_BUDGET_MS)).toBe('input-error');
    cleanly(() => parsePbtxt(`${'a'.repeat(5000)}: 1 b: ${'9'.repeat(5000)}`, 'long.pbtxt'), HOSTILE_BUDGET_MS);
  });
});
