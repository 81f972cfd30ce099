import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadScenarioFile } from '../../src/scenario/load.ts';
import { simulate } from '../../sim/simulate.ts';
import { ZOO } from '../../sim/zoo/variants.ts';

interface CorpusEntry {
  scenario: string;
  seed: number;
  batcher: string;
  violations: string[];
  hash: string;
}

const dir = fileURLToPath(new URL('../../traces/regressions/', import.meta.url));
const corpus = JSON.parse(readFileSync(`${dir}corpus.json`, 'utf8')) as CorpusEntry[];

describe('regression corpus (traces/regressions)', () => {
  it('holds a reproducer for every bug-zoo variant', () => {
    for (const bug of ZOO) expect(corpus.some((entry) => entry.batcher === `bug:${bug.name}`)).toBe(true);
  });

  it.each(corpus.map((entry) => [entry.scenario, entry]))('%s replays to its recorded hash and violations', (_name, entry) => {
    const run = simulate(loadScenarioFile(`${dir}${entry.scenario}`), { seed: entry.seed, batcher: entry.batcher });
    expect([...new Set(run.violations.map((v) => v.oracle))]).toEqual(entry.violations);
    expect(run.hash).toBe(entry.hash);
  });
});
