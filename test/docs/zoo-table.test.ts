import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadScenarioFile } from '../../src/scenario/load.ts';
import { simulate } from '../../sim/simulate.ts';
import { ZOO } from '../../sim/zoo/variants.ts';

/** docs/oracles.md's zoo table says which oracles each hand-minimal reproducer trips: it must stay true. */
const page = readFileSync(fileURLToPath(new URL('../../docs/oracles.md', import.meta.url)), 'utf8');
const rows = [...page.matchAll(/^\| `([a-z-]+)` \| .* \| ((?:`[a-z-]+`(?:, )?)+) \| (\d+) \|$/gm)].map((m) => ({
  bug: m[1]!,
  oracles: [...m[2]!.matchAll(/`([a-z-]+)`/g)].map((o) => o[1]!),
  requests: Number(m[3]),
}));

describe('docs/oracles.md bug zoo table', () => {
  it('has one row per zoo bug', () => {
    expect(rows.map((r) => r.bug).sort()).toEqual(ZOO.map((b) => b.name).sort());
  });

  it.each(rows.map((row) => [row.bug, row]))('%s: its minimal reproducer trips exactly the oracles listed, with that many requests', (bug, row) => {
    const scenario = loadScenarioFile(fileURLToPath(new URL(`../../sim/zoo/minimal/${bug}.json`, import.meta.url)));
    const run = simulate(scenario, { seed: scenario.seed ?? 1, batcher: `bug:${bug}` });
    expect([...new Set(run.violations.map((v) => v.oracle))]).toEqual(row.oracles);
    expect(run.events.filter((e) => e.type === 'send').length).toBe(row.requests);
  });
});
