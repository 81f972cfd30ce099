import { describe, expect, it } from 'vitest';
import { readdirSync } from 'node:fs';
import { exampleFiles } from '../../cli/commands/examples.ts';
import { EXAMPLES, runExample } from './helpers.ts';

const names = readdirSync(EXAMPLES)
  .filter((f) => f.endsWith('.json'))
  .map((f) => f.replace(/\.json$/, ''))
  .sort();

describe('shipped lifecycle examples (sim/examples/lifecycle)', () => {
  it('ships the six switch scenarios, and `seqsim examples` runs them', () => {
    expect(names).toEqual(['direct-to-oldest-drain', 'direct-to-oldest-triton', 'scale-2-4-3', 'scale-down-3-to-1', 'stop-exit-timeout', 'unload-backlog']);
    for (const name of names) expect(exampleFiles().some((f) => f.endsWith(`lifecycle/${name}.json`))).toBe(true);
  });

  it.each(names)('%s passes every oracle and is deterministic', (name) => {
    const a = runExample(name);
    const b = runExample(name);
    expect(a.violations).toEqual([]);
    expect(a.outcome).toBe('quiescent');
    expect(b.hash).toBe(a.hash);
  });
});
