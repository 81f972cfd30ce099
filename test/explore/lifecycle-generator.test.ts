import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { generateScenarioJson, type GeneratorOptions } from '../../sim/generate/scenario-arbitrary.ts';
import { parseScenario } from '../../src/scenario/load.ts';
import { explore } from '../../sim/explore/explore.ts';

/** sha256 of seeds 1–200's generated JSON, one per line, taken before the lifecycle option existed. */
const HASHES_BEFORE_LIFECYCLE: readonly [string, GeneratorOptions, string][] = [
  ['default', {}, 'f3e1e1ad744b0ff2'],
  ['direct', { strategy: 'direct' }, 'c001e941f5d5d312'],
  ['oldest', { strategy: 'oldest' }, '894b3fbdb65b9943'],
  ['no faults', { faults: 'none' }, '7d31fc2c3e6f7e56'],
  ['uniform faults', { faults: 'uniform' }, '9824de43768cfeaa'],
];

function hashOf(options: GeneratorOptions): string {
  const hash = createHash('sha256');
  for (let seed = 1; seed <= 200; seed++) hash.update(`${JSON.stringify(generateScenarioJson(seed, options))}\n`);
  return hash.digest('hex').slice(0, 16);
}

describe('scenario generator: lifecycle blocks (opt-in)', () => {
  it.each(HASHES_BEFORE_LIFECYCLE)('without the option every seed generates the same bytes as before (%s)', (_name, options, expected) => {
    expect(hashOf(options)).toBe(expected);
    expect(hashOf({ ...options, lifecycle: false })).toBe(expected);
  });

  it('with it, the rest of each scenario is unchanged: only the lifecycle block is new', () => {
    for (let seed = 1; seed <= 200; seed++) {
      const { lifecycle: _without, ...plain } = generateScenarioJson(seed);
      const { lifecycle: _with, ...rest } = generateScenarioJson(seed, { lifecycle: true });
      expect(JSON.stringify(rest)).toBe(JSON.stringify(plain));
    }
  });

  it('every generated block is valid (500 seeds), and updates, reloads, unloads, stops and drains all occur', () => {
    const actions = new Map<string, number>();
    const count = (key: string): void => void actions.set(key, (actions.get(key) ?? 0) + 1);
    for (let seed = 1; seed <= 500; seed++) {
      const json = generateScenarioJson(seed, { lifecycle: true });
      const scenario = parseScenario(json, `seed ${seed}`, '.');
      for (const event of scenario.lifecycle) {
        if (event.kind === 'load') {
          expect('invalid' in event.config).toBe(false);
          if (event.policy === 'drain') count('drain');
          if (event.loadUs > 0) count('load_us');
        }
        count(event.kind);
      }
    }
    for (const kind of ['load', 'unload', 'stop', 'drain', 'load_us']) expect(actions.get(kind) ?? 0).toBeGreaterThan(10);
  });

  it('the real batcher passes 20,000 lifecycle seeds (beyond documented Triton behaviour)', () => {
    const result = explore({ from: 1, seeds: 20_000, batcher: 'real', lifecycle: true, keepGoing: true, maxEvents: 200_000 });
    expect(result.seedsRun).toBe(20_000);
    expect(result.findings.map((f) => `${f.oracle} at seed ${f.seed}: ${f.message}`)).toEqual([]);
  });

  it('a campaign accounts for the lifecycle actions that really happened (no loads without the option)', () => {
    const withBlocks = explore({ from: 1, seeds: 150, batcher: 'real', keepGoing: true, lifecycle: true, maxEvents: 50_000 });
    for (const action of ['update', 'load-start', 'swap', 'unload', 'stop', 'instance-added', 'model-destroyed']) {
      expect({ action, count: withBlocks.lifecycleActions[action] ?? 0 }).toEqual({ action, count: expect.any(Number) });
      expect(withBlocks.lifecycleActions[action] ?? 0).toBeGreaterThan(0);
    }
    // Without the option, generated scenarios still stop the server sometimes, and never load; an
    // exited server's models are destroyed when the run ends.
    const without = explore({ from: 1, seeds: 150, batcher: 'real', keepGoing: true, maxEvents: 50_000 });
    expect(Object.keys(without.lifecycleActions).sort()).toEqual(['exit', 'instance-destroyed', 'model-destroyed', 'stop']);
    expect(without.lifecycleActions['model-destroyed']).toBe(without.lifecycleActions['exit']);
  });
});
