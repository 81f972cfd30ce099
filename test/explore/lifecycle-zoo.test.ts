import { describe, expect, it } from 'vitest';
import { explore } from '../../sim/explore/explore.ts';
import { shrinkScenario } from '../../sim/explore/shrink.ts';
import { LIFECYCLE_ZOO } from '../../sim/zoo/variants.ts';
import { parseScenario } from '../../src/scenario/load.ts';
import { simulate } from '../../sim/simulate.ts';

/** Seeds from 1 within which `explore --generate --lifecycle` finds each switch bug. */
const SEED_BUDGET = 1500;

describe('lifecycle bug zoo from random seeds (explore --generate --lifecycle)', () => {
  it.each(LIFECYCLE_ZOO.map((bug) => [bug.name]))('%s: found, shrunk to a few requests with valid loads, and the reproducer replays', (name) => {
    const batcher = `bug:${name}`;
    const result = explore({ from: 1, seeds: SEED_BUDGET, batcher, lifecycle: true, keepGoing: false, maxEvents: 200_000 });
    const finding = result.findings[0];
    expect(finding).toBeDefined();
    const shrunk = shrinkScenario(finding!.scenarioJson, { seed: finding!.seed, batcher, oracle: finding!.oracle, maxEvents: 200_000 });
    expect(shrunk.after.requests).toBeLessThanOrEqual(4);
    const scenario = parseScenario(shrunk.scenarioJson, 'min.json', '.');
    // The shrinker keeps what the bug needs (a load) and only loads Triton accepts.
    expect(scenario.lifecycle.some((event) => event.kind === 'load')).toBe(true);
    for (const event of scenario.lifecycle) if (event.kind === 'load') expect('invalid' in event.config).toBe(false);
    const again = simulate(scenario, { seed: finding!.seed, batcher, maxEvents: 200_000 });
    expect(again.violations.map((v) => v.oracle)).toContain(finding!.oracle);
    expect(again.hash).toBe(shrunk.run.hash);
  });

  it('the shrinker drops lifecycle entries the bug does not need and simplifies the rest', () => {
    const batcher = 'bug:destroys-busy-instance';
    const finding = explore({ from: 1, seeds: SEED_BUDGET, batcher, lifecycle: true, keepGoing: false, maxEvents: 200_000 }).findings[0]!;
    const shrunk = shrinkScenario(finding.scenarioJson, { seed: finding.seed, batcher, oracle: finding.oracle, maxEvents: 200_000 });
    for (const entry of shrunk.scenarioJson['lifecycle'] as Record<string, unknown>[]) {
      expect(entry['policy']).toBeUndefined();
      expect(entry['load_us']).toBeUndefined();
    }
  });
});
