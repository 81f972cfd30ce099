import { describe, expect, it } from 'vitest';
import { explore } from '../../sim/explore/explore.ts';
import { shrinkScenario } from '../../sim/explore/shrink.ts';
import { ZOO } from '../../sim/zoo/variants.ts';
import { parseScenario } from '../../src/scenario/load.ts';
import { simulate } from '../../sim/simulate.ts';

/** The oracle each bug is expected to trip first (the bug's own symptom, not a side effect). */
const expectedOracle: Record<string, string[]> = {
  'double-release-after-cancel': ['invariant', 'slot-accounting'],
  'slot-leak-on-end': ['liveness', 'slot-accounting'],
  'end-releases-early': ['order', 'batch-shape', 'outputs'],
  'reaper-drops-queued-work': ['outputs', 'order'],
  'backlog-lifo': ['liveness'],
  'state-not-reset-on-start': ['outputs'],
  'oldest-two-per-batch': ['batch-shape', 'outputs', 'order'],
  'padding-ready': ['control-signals'],
  'idle-from-completion': ['reaper-timing'],
};

describe('bug zoo', () => {
  it('lists at least 8 bugs, each documented', () => {
    expect(ZOO.length).toBeGreaterThanOrEqual(8);
    for (const bug of ZOO) {
      expect(bug.name).toMatch(/^[a-z0-9-]+$/);
      expect(bug.summary.length).toBeGreaterThan(30);
      expect(expectedOracle[bug.name]).toBeDefined();
    }
  });

  it.each(ZOO.map((bug) => [bug.name]))('%s: random seeds find it, it shrinks to ≤ 10 requests, and the reproducer replays', (name) => {
    const batcher = `bug:${name}`;
    const result = explore({ from: 1, seeds: 400, batcher, keepGoing: false, maxEvents: 200_000 });
    expect(result.findings.length).toBeGreaterThan(0);
    const finding = result.findings[0]!;
    expect(expectedOracle[name]).toContain(finding.oracle);
    const shrunk = shrinkScenario(finding.scenarioJson, { seed: finding.seed, batcher, oracle: finding.oracle, maxEvents: 200_000 });
    expect(shrunk.after.requests).toBeLessThanOrEqual(10);
    expect(shrunk.after.requests).toBeLessThanOrEqual(shrunk.before.requests);
    const again = simulate(parseScenario(shrunk.scenarioJson, 'min.json', '.'), { seed: finding.seed, batcher, maxEvents: 200_000 });
    expect(again.violations.map((v) => v.oracle)).toContain(finding.oracle);
    expect(again.hash).toBe(shrunk.run.hash);
    // The same-instant ordering is shrunk and pinned too: the reproducer no longer needs the seed's ties.
    expect(Array.isArray(shrunk.scenarioJson['schedule'])).toBe(true);
    expect(shrunk.after.choices).toBeLessThanOrEqual(shrunk.before.choices);
    const otherSeedTies = simulate(parseScenario(shrunk.scenarioJson, 'min.json', '.'), {
      seed: finding.seed,
      batcher,
      maxEvents: 200_000,
      recordChoices: 10_000,
    });
    expect(otherSeedTies.choices.filter((c) => c.chosen !== c.options[0]).length).toBe(shrunk.after.choices);
  });

  it('shrinking keeps only the orderings the bug needs: end-releases-early needs one overtaking', () => {
    const batcher = 'bug:end-releases-early';
    const result = explore({ from: 103, seeds: 1, batcher, keepGoing: false, maxEvents: 200_000 });
    const finding = result.findings[0]!;
    const shrunk = shrinkScenario(finding.scenarioJson, { seed: finding.seed, batcher, oracle: finding.oracle, maxEvents: 200_000 });
    expect(shrunk.before.choices).toBeGreaterThan(shrunk.after.choices);
    expect(shrunk.after.choices).toBe(1);
    const schedule = shrunk.scenarioJson['schedule'] as string[];
    expect(schedule.length).toBeGreaterThan(0);
    // Without its one non-default decision (every tie to the first option) the bug does not show.
    const unpinned = simulate(parseScenario({ ...shrunk.scenarioJson, schedule: [] }, 'min.json', '.'), { seed: finding.seed, batcher, maxEvents: 200_000 });
    expect(unpinned.violations.map((v) => v.oracle)).not.toContain(finding.oracle);
  });

  it('the real batcher passes the same exploration: no violation beyond the documented Triton leak', () => {
    const result = explore({ from: 1, seeds: 3000, batcher: 'real', keepGoing: true, maxEvents: 200_000 });
    expect(result.seedsRun).toBe(3000);
    expect(result.findings.map((f) => `${f.oracle} at seed ${f.seed}: ${f.message}`)).toEqual([]);
  });

  it('swarm fault selection finds every bug that uniform selection finds', () => {
    for (const bug of ZOO) {
      const uniform = explore({ from: 1, seeds: 600, batcher: `bug:${bug.name}`, keepGoing: false, maxEvents: 200_000, faultMode: 'uniform' });
      const swarm = explore({ from: 1, seeds: 600, batcher: `bug:${bug.name}`, keepGoing: false, maxEvents: 200_000, faultMode: 'swarm' });
      if (uniform.findings.length > 0) expect({ bug: bug.name, found: swarm.findings.length > 0 }).toEqual({ bug: bug.name, found: true });
    }
  });

  it('explore is deterministic: the same seed range gives the same findings', () => {
    const a = explore({ from: 100, seeds: 200, batcher: 'bug:backlog-lifo', keepGoing: true });
    const b = explore({ from: 100, seeds: 200, batcher: 'bug:backlog-lifo', keepGoing: true });
    expect(b.findings.map((f) => [f.seed, f.oracle, f.run.hash])).toEqual(a.findings.map((f) => [f.seed, f.oracle, f.run.hash]));
    expect(b.oraclesFired).toEqual(a.oraclesFired);
  });
});
