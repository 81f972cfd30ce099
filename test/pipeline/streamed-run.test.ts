import { describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { simulate, simulateToFile, simulateVerdict, type SimulateOptions } from '../../sim/simulate.ts';
import { scenarioForSeed } from '../../sim/explore/explore.ts';
import { countEvents } from '../../traces/trace-stream.ts';
import { traceText } from '../../traces/writer.ts';
import { loadScenarioFile } from '../../src/scenario/load.ts';
import { ZOO, LIFECYCLE_ZOO } from '../../sim/zoo/variants.ts';
import { HARD_ZOO } from '../../sim/zoo/hard-variants.ts';
import type { Scenario } from '../../src/scenario/types.ts';

const dir = mkdtempSync(join(tmpdir(), 'seqsim-streamed-'));
const examples = fileURLToPath(new URL('../../sim/examples/', import.meta.url));

/**
 * The streamed run writes the very bytes simulate's trace has, and reports the same verdict; so
 * does the verdict-only run explorers judge clean seeds with, keeping only the lifecycle events.
 */
function expectSameRun(scenario: Scenario, options: SimulateOptions, name: string): { violations: number } {
  const kept = simulate(scenario, options);
  const verdict = simulateVerdict(scenario, options);
  expect(verdict.violations, name).toEqual(kept.violations);
  expect(verdict.lifecycle).toEqual(kept.lifecycle);
  expect(verdict.header).toEqual(kept.header);
  expect({ outcome: verdict.outcome, tasks: verdict.tasksExecuted, faults: verdict.faultsFired, endUs: verdict.endUs }).toEqual({
    outcome: kept.outcome,
    tasks: kept.tasksExecuted,
    faults: kept.faultsFired,
    endUs: kept.endUs,
  });
  expect(verdict.events).toEqual(kept.events.filter((event) => event.type === 'lifecycle'));
  expect({ lines: verdict.lines, hash: verdict.hash }).toEqual({ lines: [], hash: '' });
  const path = join(dir, `${name}.jsonl`);
  const streamed = simulateToFile(scenario, options, path);
  expect(readFileSync(path, 'utf8'), name).toBe(traceText(kept));
  expect(streamed.hash).toBe(kept.hash);
  expect(streamed.violations).toEqual(kept.violations);
  expect(streamed.lifecycle).toEqual(kept.lifecycle);
  expect(streamed.outcome).toBe(kept.outcome);
  expect(streamed.counts).toEqual(countEvents(kept.events.filter((event) => event.type !== 'violation')));
  return { violations: kept.violations.length };
}

describe('simulateToFile and simulateVerdict: the trace streamed to disk (or not kept), the oracles checked online', () => {
  it('writes the bytes of simulate for every shipped example', () => {
    const files = [...readdirSync(examples).filter((f) => f.endsWith('.json')), ...readdirSync(join(examples, 'lifecycle')).map((f) => join('lifecycle', f))];
    expect(files.length).toBeGreaterThan(10);
    for (const file of files) expectSameRun(loadScenarioFile(join(examples, file)), { seed: 1 }, file.replace(/\W/g, '_'));
  });

  it('agrees with simulate on generated worlds of the real batcher and every zoo bug, violations included', () => {
    const batchers = ['real', ...[...ZOO, ...LIFECYCLE_ZOO, ...HARD_ZOO].map((bug) => `bug:${bug.name}`)];
    let violating = 0;
    for (const batcher of batchers) {
      for (const lifecycle of [false, true]) {
        for (let seed = 1; seed <= 4; seed++) {
          const { scenario } = scenarioForSeed({ batcher, lifecycle }, seed);
          violating += expectSameRun(scenario, { seed, batcher }, `gen-${seed}`).violations > 0 ? 1 : 0;
        }
      }
    }
    // The comparison covers runs with violations, not only clean ones.
    expect(violating).toBeGreaterThan(10);
  });

  it('agrees when the run ends on its event budget (header and liveness verdict)', () => {
    const scenario = loadScenarioFile(join(examples, 'backlog-fill.json'));
    expectSameRun(scenario, { seed: 3, maxEvents: 40 }, 'budget');
    expect(simulateToFile(scenario, { seed: 3, maxEvents: 40 }, join(dir, 'budget2.jsonl')).outcome).toBe('budget-exhausted');
  });

  it('agrees when the run stalls (a header other than the one the streamed file expected)', () => {
    const fixtures = fileURLToPath(new URL('../fixtures/scenarios/', import.meta.url));
    const scenario = loadScenarioFile(join(fixtures, 'starved-by-update.json'));
    expectSameRun(scenario, { seed: scenario.seed!, maxEvents: 200_000 }, 'stalled');
    expect(simulateToFile(scenario, { seed: scenario.seed!, maxEvents: 200_000 }, join(dir, 'stalled2.jsonl')).outcome).toBe('stalled');
  });

  it('leaves no temporary file beside the trace', () => {
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });
});
