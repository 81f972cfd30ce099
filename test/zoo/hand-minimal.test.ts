import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { explore } from '../../sim/explore/explore.ts';
import { shrinkScenario, sizeOf } from '../../sim/explore/shrink.ts';
import { ZOO } from '../../sim/zoo/variants.ts';
import { parseScenario } from '../../src/scenario/load.ts';
import { simulate } from '../../sim/simulate.ts';

const minimalFile = (bug: string) => fileURLToPath(new URL(`../../sim/zoo/minimal/${bug}.json`, import.meta.url));
const handMinimal = (bug: string) => JSON.parse(readFileSync(minimalFile(bug), 'utf8')) as Record<string, unknown>;

describe('hand-minimal reproducers (sim/zoo/minimal)', () => {
  it.each(ZOO.map((bug) => [bug.name]))('%s: the hand-written reproducer fails with the bug and passes with the real batcher', (name) => {
    const scenario = parseScenario(handMinimal(name), `${name}.json`, '.');
    expect(simulate(scenario, { seed: 1, batcher: `bug:${name}` }).violations.length).toBeGreaterThan(0);
    expect(simulate(scenario, { seed: 1 }).violations).toEqual([]);
  });

  it.each(ZOO.map((bug) => [bug.name]))('%s: shrinking random finds lands, in the median, within 1.5× of the hand-minimal request count', (name) => {
    const batcher = `bug:${name}`;
    const hand = sizeOf(handMinimal(name)).requests;
    const shrunkSizes: number[] = [];
    // The first three finds from different starting seeds, so one lucky shrink does not decide.
    for (const from of [1, 100_001, 200_001]) {
      const finding = explore({ from, seeds: 2000, batcher, keepGoing: false, maxEvents: 200_000 }).findings[0];
      expect(finding, `a find from seed ${from}`).toBeDefined();
      const shrunk = shrinkScenario(finding!.scenarioJson, { seed: finding!.seed, batcher, oracle: finding!.oracle, maxEvents: 200_000 });
      shrunkSizes.push(shrunk.after.requests);
    }
    const median = [...shrunkSizes].sort((a, b) => a - b)[1]!;
    expect({ bug: name, hand, median }).toEqual({ bug: name, hand, median: Math.min(median, Math.floor(1.5 * hand)) });
    for (const size of shrunkSizes) expect(size).toBeLessThanOrEqual(10);
  });
});
