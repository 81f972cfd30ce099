import { describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateScenarioJson, type GeneratorOptions } from '../../sim/generate/scenario-arbitrary.ts';
import { scenarioForSeed } from '../../sim/explore/explore.ts';
import { parseScenario } from '../../src/scenario/load.ts';
import { ModelConfigCache } from '../../src/config/normalize.ts';
import { simulate } from '../../sim/simulate.ts';
import { InputError } from '../../src/core/input-errors.ts';
import { classifyLoad, instanceSignatures } from '../../src/config/model-diff.ts';
import type { Scenario } from '../../src/scenario/types.ts';

/** The normalised configs a scenario loads: its model, then each valid lifecycle load's. */
function loadedConfigs(scenario: Scenario): Readonly<Record<string, unknown>>[] {
  const loads = scenario.lifecycle.flatMap((event) => (event.kind === 'load' && !('invalid' in event.config) ? [event.config.normalized] : []));
  return [scenario.normalized['model'] as Record<string, unknown>, ...loads];
}

/** Option sets explore generates with: each strategy (zoo bugs force one), lifecycle blocks, fault modes. */
const GENERATORS: readonly { batcher: string; options: GeneratorOptions & { faultMode?: GeneratorOptions['faults'] } }[] = [
  { batcher: 'real', options: {} },
  { batcher: 'real', options: { lifecycle: true } },
  { batcher: 'real', options: { faults: 'uniform' } },
  { batcher: 'bug:oldest-two-per-batch', options: { strategy: 'oldest', lifecycle: true } },
];

describe("explore's per-seed setup (generated models normalised once, shared)", () => {
  it('gives every seed the scenario, normalised form and trace of the plain loader', () => {
    let traces = 0;
    for (const { batcher, options } of GENERATORS) {
      const explored = { batcher, ...(options.lifecycle ? { lifecycle: true } : {}), ...(options.faults ? { faultMode: options.faults } : {}) };
      for (let seed = 1; seed <= 300; seed++) {
        const { scenario, json } = scenarioForSeed(explored, seed);
        const generated = generateScenarioJson(seed, { ...(options.strategy ? { strategy: options.strategy } : {}), ...options });
        expect(json).toEqual(generated);
        const plain = parseScenario(generated, `generated seed ${seed}`, '.');
        expect(JSON.stringify(scenario.normalized)).toBe(JSON.stringify(plain.normalized));
        expect(scenario.model).toEqual(plain.model);
        expect(scenario.lifecycle).toEqual(plain.lifecycle);
        expect(scenario.sequences).toEqual(plain.sequences);
        expect(scenario.faults).toEqual(plain.faults);
        if (seed % 10 === 0) {
          expect(simulate(scenario, { seed, batcher }).lines).toEqual(simulate(plain, { seed, batcher }).lines);
          traces++;
        }
      }
    }
    expect(traces).toBe(GENERATORS.length * 30);
  });

  it('classifies loads and signs instances of shared models as of fresh ones', () => {
    let pairs = 0;
    for (let seed = 1; seed <= 150; seed++) {
      const shared = loadedConfigs(scenarioForSeed({ batcher: 'real', lifecycle: true }, seed).scenario);
      const fresh = loadedConfigs(parseScenario(generateScenarioJson(seed, { lifecycle: true }), 'fresh', '.'));
      for (let i = 0; i < shared.length; i++) {
        expect(instanceSignatures(shared[i]!)).toEqual(instanceSignatures(fresh[i]!));
        // Twice: the second answer comes from what the first kept.
        expect(instanceSignatures(shared[i]!)).toEqual(instanceSignatures(fresh[i]!));
        for (let j = 0; j < shared.length; j++) {
          expect(classifyLoad(shared[i]!, shared[j]!, false)).toBe(classifyLoad(fresh[i]!, fresh[j]!, false));
          expect(classifyLoad(shared[i]!, shared[j]!, false)).toBe(classifyLoad(fresh[i]!, fresh[j]!, false));
          pairs++;
        }
      }
    }
    expect(pairs).toBeGreaterThan(500);
  });

  it('hands out one frozen model per distinct config, and never keeps a refused one', () => {
    const cache = new ModelConfigCache();
    const json = generateScenarioJson(7);
    const first = parseScenario(json, 'a.json', '.', { models: cache });
    const second = parseScenario(structuredClone(json), 'b.json', '.', { models: cache });
    expect(second.model).toBe(first.model);
    expect(Object.isFrozen(first.model)).toBe(true);
    expect(Object.isFrozen(first.normalized['model'])).toBe(true);
    // A data_file is read from the model folder; without one it is refused, even after the same config loaded with one.
    const folder = mkdtempSync(join(tmpdir(), 'seqsim-model-cache-'));
    mkdirSync(join(folder, 'initial_state'));
    writeFileSync(join(folder, 'initial_state', 'init.bin'), Buffer.from(new Int32Array([5]).buffer));
    const stateful = {
      ...(json['model'] as object),
      sequence_batching: {
        state: [
          {
            input_name: 'INPUT_STATE',
            output_name: 'OUTPUT_STATE',
            data_type: 'TYPE_INT32',
            dims: [1],
            initial_state: [{ name: 'init', data_type: 'TYPE_INT32', dims: [1], data_file: 'init.bin' }],
          },
        ],
      },
    };
    expect(cache.normalize(stateful, { file: 'e.json', field: 'model', modelDir: folder }).config.initialStateValue).toBe(5);
    expect(() => cache.normalize(stateful, { file: 'e.json', field: 'model' })).toThrow(/needs the model folder/);
    const refused = { ...json, model: { ...(json['model'] as object), max_batch_size: -1 } };
    for (const file of ['c.json', 'd.json']) {
      expect(() => parseScenario(refused, file, '.', { models: cache })).toThrow(InputError);
      expect(() => parseScenario(refused, file, '.', { models: cache })).toThrow(new RegExp(file));
    }
  });
});
