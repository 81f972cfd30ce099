import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { InputError } from '../../src/core/input-errors.ts';
import { parsePbtxt } from '../../src/config/pbtxt.ts';
import { writePbtxt } from '../../src/config/pbtxt-writer.ts';
import { fieldShape, isBooleanField } from '../../src/config/pbtxt-fields.ts';
import { configCorpus } from '../live/repository/config-corpus.ts';

const parse = (text: string) => parsePbtxt(text, 'config.pbtxt');

/** Field names of every shape (maps, repeated, booleans, enums, 64-bit integers) plus unknown ones. */
const FIELDS = [
  'name',
  'platform',
  'max_batch_size',
  'data_type',
  'kind',
  'format',
  'string_value',
  'minimum_slot_utilization',
  'enable',
  'zero_data',
  'bool_false_true',
  'max_sequence_idle_microseconds',
  'dims',
  'input',
  'output',
  'control_input',
  'control',
  'int32_false_true',
  'fp32_false_true',
  'preferred_batch_size',
  'target_name',
  'parameters',
  'metric_tags',
  'inputs',
  'sequence_batching',
  'direct',
  'x_unknown',
];
const ENUM_FIELDS = new Set(['data_type', 'kind', 'format']);
const INT64_FIELDS = new Set(['dims', 'max_sequence_idle_microseconds']);
const SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** A scalar in canonical JSON form for a field: booleans in bool fields, 64-bit integers beyond 2^53 as strings. */
function scalar(field: string): fc.Arbitrary<unknown> {
  if (isBooleanField(field)) return fc.boolean();
  if (INT64_FIELDS.has(field)) {
    return fc.oneof(
      fc.maxSafeInteger(),
      fc.bigInt({ min: SAFE + 1n, max: 2n ** 64n - 1n }).map(String),
      fc.bigInt({ min: -(2n ** 63n), max: -SAFE - 1n }).map(String),
    );
  }
  const text = fc.oneof(fc.string({ unit: 'binary', maxLength: 12 }), fc.string({ maxLength: 12 }));
  if (ENUM_FIELDS.has(field)) return fc.oneof(fc.stringMatching(/^[A-Z][A-Z0-9_]{0,12}$/), text);
  return fc.oneof(text, fc.maxSafeInteger(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.boolean());
}

function message(depth: number): fc.Arbitrary<Record<string, unknown>> {
  return fc
    .uniqueArray(fc.constantFrom(...FIELDS), { maxLength: depth > 0 ? 5 : 3 })
    .chain((keys) => fc.tuple(...keys.map((key) => value(key, depth))).map((values) => Object.fromEntries(keys.map((key, i) => [key, values[i]]))));
}

function value(field: string, depth: number): fc.Arbitrary<unknown> {
  const shape = fieldShape('', field);
  const nested = depth > 0 ? message(depth - 1) : undefined;
  if (shape === 'map') {
    const entry = nested === undefined ? fc.string({ maxLength: 8 }) : fc.oneof(fc.string({ maxLength: 8 }), nested);
    return fc.dictionary(fc.string({ unit: 'binary', maxLength: 8 }), entry, { maxKeys: 3 });
  }
  if (shape === 'repeated') {
    const values = fc.array(scalar(field), { maxLength: 4 });
    return nested === undefined ? values : fc.oneof(values, fc.array(nested, { minLength: 1, maxLength: 3 }));
  }
  return nested === undefined ? scalar(field) : fc.oneof(scalar(field), nested);
}

describe('Triton JSON form → protobuf text format', () => {
  it('round-trips: parsePbtxt(writePbtxt(config)) is the config, key order included (property)', () => {
    fc.assert(
      fc.property(message(3), (config) => {
        expect(JSON.stringify(parse(writePbtxt(config)))).toBe(JSON.stringify(config));
      }),
      { numRuns: 400 },
    );
  });

  it('round-trips every config seqsim simulates in its examples, zoo, fixtures and corpus', () => {
    for (const entry of configCorpus()) expect(JSON.stringify(parse(writePbtxt(entry.normalized))), entry.label).toBe(JSON.stringify(entry.normalized));
  });

  it('writes canonically: fields in order, enums bare, lists, maps as entries, escapes, big integers bare', () => {
    const text = writePbtxt({
      name: 'a "b"\n\\c\u0001é',
      max_batch_size: 2,
      input: [
        { name: 'I', data_type: 'TYPE_INT32', dims: [-1, '18446744073709551615'] },
        { name: 'J', data_type: 'not an enum', dims: [] },
      ],
      parameters: { '1': { string_value: '07' }, k: 'TYPE_X' },
      sequence_batching: { direct: {}, control_input: [], iterative_sequence: false, minimum_slot_utilization: -0 },
    });
    expect(text).toBe(
      [
        'name: "a \\"b\\"\\n\\\\c\\001é"',
        'max_batch_size: 2',
        'input [',
        '  {',
        '    name: "I"',
        '    data_type: TYPE_INT32',
        '    dims: [ -1, 18446744073709551615 ]',
        '  },',
        '  {',
        '    name: "J"',
        '    data_type: "not an enum"',
        '    dims: [ ]',
        '  }',
        ']',
        'parameters {',
        '  key: "1"',
        '  value {',
        '    string_value: "07"',
        '  }',
        '}',
        'parameters {',
        '  key: "k"',
        '  value: "TYPE_X"',
        '}',
        'sequence_batching {',
        '  direct {',
        '  }',
        '  control_input: [ ]',
        '  iterative_sequence: false',
        '  minimum_slot_utilization: -0.0',
        '}',
        '',
      ].join('\n'),
    );
  });

  it('refuses what protobuf text cannot hold, naming the field', () => {
    const problem = (config: Record<string, unknown>): string => {
      try {
        writePbtxt(config, 'out/config.pbtxt');
      } catch (error) {
        if (error instanceof InputError) return `${error.file}: ${error.field}: ${error.problem}`;
        throw error;
      }
      throw new Error('expected an InputError');
    };
    expect(problem({ name: 'a\ud800' })).toBe('out/config.pbtxt: name: the string is not valid Unicode (a lone surrogate): protobuf text needs UTF-8');
    expect(problem({ input: { name: 'x' } })).toMatch(/input: repeated field 'input' needs a list/);
    expect(problem({ 'bad-name': 1 })).toMatch(/'bad-name' is not a field name/);
    expect(problem({ dims: [1, { a: 1 }] })).toMatch(/mixes messages and values/);
    expect(problem({ max_batch_size: null })).toMatch(/cannot write null/);
  });
});
