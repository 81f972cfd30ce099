import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { loadScenarioFile } from '../../src/scenario/load.ts';
import { simulate } from '../../sim/simulate.ts';
import { exampleFiles } from '../../cli/commands/examples.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));

describe('determinism', () => {
  it.each(exampleFiles())('%s: the same seed gives a byte-identical trace', (file) => {
    const scenario = loadScenarioFile(file);
    for (const seed of [1, 2, 99]) {
      const a = simulate(scenario, { seed });
      const b = simulate(scenario, { seed });
      expect(b.lines).toEqual(a.lines);
      expect(b.hash).toBe(a.hash);
    }
  });

  it('different seeds explore different schedules', () => {
    const scenario = loadScenarioFile(exampleFiles().find((f) => f.endsWith('direct-basic.json'))!);
    const hashes = new Set([1, 2, 3, 4, 5].map((seed) => simulate(scenario, { seed }).hash));
    expect(hashes.size).toBeGreaterThan(1);
  });

  it('a fresh process replays to the identical trace hash', () => {
    const file = exampleFiles().find((f) => f.endsWith('oldest-basic.json'))!;
    const here = simulate(loadScenarioFile(file), { seed: 1234 });
    const script = `
      import { loadScenarioFile } from './src/scenario/load.ts';
      import { simulate } from './sim/simulate.ts';
      process.stdout.write(simulate(loadScenarioFile(${JSON.stringify(file)}), { seed: 1234 }).hash);
    `;
    const child = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: root, encoding: 'utf8' });
    expect(child).toBe(here.hash);
  });

  it('never reads real time, real randomness or real timers during a run', () => {
    const scenario = loadScenarioFile(exampleFiles().find((f) => f.endsWith('cancel-and-stop.json'))!);
    const saved = {
      now: Date.now,
      random: Math.random,
      perf: performance.now,
      setTimeout: globalThis.setTimeout,
      setInterval: globalThis.setInterval,
      setImmediate: globalThis.setImmediate,
    };
    const forbidden = (name: string) => () => {
      throw new Error(`${name} called during a simulated run`);
    };
    let hash = '';
    try {
      Date.now = forbidden('Date.now');
      Math.random = forbidden('Math.random');
      performance.now = forbidden('performance.now');
      globalThis.setTimeout = forbidden('setTimeout') as unknown as typeof setTimeout;
      globalThis.setInterval = forbidden('setInterval') as unknown as typeof setInterval;
      globalThis.setImmediate = forbidden('setImmediate') as unknown as typeof setImmediate;
      hash = simulate(scenario, { seed: 5 }).hash;
    } finally {
      Date.now = saved.now;
      Math.random = saved.random;
      performance.now = saved.perf;
      globalThis.setTimeout = saved.setTimeout;
      globalThis.setInterval = saved.setInterval;
      globalThis.setImmediate = saved.setImmediate;
    }
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
  });
});
