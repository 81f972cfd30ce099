import { describe, expect, it } from 'vitest';
import { explore } from '../../sim/explore/explore.ts';
import { shrinkScenario } from '../../sim/explore/shrink.ts';
import { HARD_ZOO } from '../../sim/zoo/hard-variants.ts';
import { zooBug } from '../../sim/zoo/variants.ts';
import { parseScenario } from '../../src/scenario/load.ts';
import { simulate } from '../../sim/simulate.ts';

/** The oracle each hard bug trips first: its own symptom. */
const expectedOracle: Record<string, string[]> = {
  'backlog-idle-unwatched': ['slot-accounting', 'liveness'],
  'oldest-reaper-null-request': ['invariant'],
  'stop-freezes-backlog': ['slot-accounting', 'liveness'],
  'reload-abandons-backlog': ['liveness', 'slot-accounting'],
  'expire-skips-cancelled': ['response'],
  'error-ends-sequence': ['slot-accounting', 'affinity', 'order'],
};
const SEEDS = 2000;
const MAX_EVENTS = 200_000;

describe('hard bug zoo', () => {
  it('has at least five bugs, each documented, selectable as bug:<name>, with an expected symptom', () => {
    expect(HARD_ZOO.length).toBeGreaterThanOrEqual(5);
    for (const bug of HARD_ZOO) {
      expect(bug.summary.length).toBeGreaterThan(30);
      expect(bug.needs.length).toBeGreaterThan(10);
      expect(zooBug(bug.name)).toBe(bug);
      expect(expectedOracle[bug.name]).toBeDefined();
    }
  });

  it.each(HARD_ZOO.map((bug) => [bug.name, bug]))(
    '%s: explore from seed 1 finds it, shrinks it to ≤ 10 requests, and the real batcher passes the same seeds',
    (name, bug) => {
      const batcher = `bug:${name}`;
      const options = { from: 1, seeds: SEEDS, keepGoing: false, maxEvents: MAX_EVENTS, ...(bug.explore.lifecycle ? { lifecycle: true } : {}) };
      const result = explore({ ...options, batcher });
      const finding = result.findings[0];
      expect(finding, `${name} found within ${SEEDS} seeds`).toBeDefined();
      expect(expectedOracle[name]).toContain(finding!.oracle);
      const shrunk = shrinkScenario(finding!.scenarioJson, { seed: finding!.seed, batcher, oracle: finding!.oracle, maxEvents: MAX_EVENTS });
      expect(shrunk.after.requests).toBeLessThanOrEqual(10);
      const again = simulate(parseScenario(shrunk.scenarioJson, 'min.json', '.'), { seed: finding!.seed, batcher, maxEvents: MAX_EVENTS });
      expect(again.violations.map((v) => v.oracle)).toContain(finding!.oracle);
      // The correct batcher on the same reproducer and the same seeds: clean.
      expect(simulate(parseScenario(shrunk.scenarioJson, 'min.json', '.'), { seed: finding!.seed, maxEvents: MAX_EVENTS }).violations).toEqual([]);
      const real = explore({ ...options, seeds: finding!.seed, batcher: 'real', keepGoing: true });
      expect(real.findings.map((f) => `${f.oracle} at seed ${f.seed}: ${f.message}`)).toEqual([]);
    },
  );
});
