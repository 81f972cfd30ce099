import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { loadScenarioFile, parseScenario } from '../../src/scenario/load.ts';
import { exampleFiles } from '../../cli/commands/examples.ts';
import { scenarioJsonArbitrary } from '../../sim/generate/scenario-arbitrary.ts';

const schema = JSON.parse(readFileSync(new URL('../../src/scenario/scenario.schema.json', import.meta.url), 'utf8'));
const validate = new Ajv2020({ strict: true, allErrors: true }).compile(schema);
const fixtureScenarios = ['models', 'scenarios'].flatMap((dir) => {
  const path = fileURLToPath(new URL(`../fixtures/${dir}/`, import.meta.url));
  return readdirSync(path)
    .filter((name) => name.endsWith('.json'))
    .map((name) => join(path, name));
});
const examplesDir = fileURLToPath(new URL('../../examples/', import.meta.url));
const topLevelExamples = (() => {
  try {
    return readdirSync(examplesDir, { recursive: true })
      .map(String)
      .filter((name) => name.endsWith('.json'))
      .map((name) => join(examplesDir, name));
  } catch {
    return [];
  }
})();

function expectValid(json: unknown): void {
  const ok = validate(json);
  expect(validate.errors ?? []).toEqual([]);
  expect(ok).toBe(true);
}

describe('scenario.schema.json (draft 2020-12, ajv strict mode)', () => {
  it.each([...exampleFiles(), ...topLevelExamples, ...fixtureScenarios])('%s validates, and so does its normalised form', (file) => {
    expectValid(JSON.parse(readFileSync(file, 'utf8')));
    expectValid(loadScenarioFile(file).normalized);
  });

  it('normalised generated scenarios validate', () => {
    fc.assert(
      fc.property(scenarioJsonArbitrary(), (json) => expectValid(parseScenario(json, 'a.json', '.').normalized)),
      { numRuns: 100, seed: 5 },
    );
  });

  it.each([
    ['an unknown field', { model: 'x', sequences: [], sequencess: [] }],
    ['a string latency', { model: 'x', sequences: [], executor: { latency_us: '5' } }],
    ['a sequence without steps', { model: 'x', sequences: [{ id: 1, steps: [] }] }],
    ['dynamic batching', { model: { name: 'm', sequence_batching: {}, dynamic_batching: {} }, sequences: [] }],
    ['both strategies', { model: { name: 'm', sequence_batching: { direct: {}, oldest: {} } }, sequences: [] }],
    ['a lifecycle policy on an unload', { model: 'x', sequences: [], lifecycle: [{ at_us: 1, unload: true, policy: 'drain' }] }],
    ['a lifecycle entry with two actions', { model: 'x', sequences: [], lifecycle: [{ at_us: 1, unload: true, stop: true }] }],
  ])('rejects %s, as the loader does', (_label, json) => {
    expect(validate(json)).toBe(false);
  });
});
