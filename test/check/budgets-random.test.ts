import { describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { loadScenarioFile } from '../../src/scenario/load.ts';
import { checkExhaustive } from '../../sim/check/dfs.ts';
import { checkRandom } from '../../sim/check/random-schedules.ts';
import { replayTrace } from '../../sim/replay.ts';
import { parseTrace } from '../../traces/read.ts';
import { traceText } from '../../traces/writer.ts';
import { cli } from '../helpers/cli.ts';

const world = (name: string) => fileURLToPath(new URL(`../../sim/examples/check/${name}.json`, import.meta.url));

describe('check --max-states', () => {
  it('stops at the state budget and says so, never claiming the bound was exhausted', () => {
    const scenario = loadScenarioFile(world('direct-race'));
    const bounded = checkExhaustive(scenario, { seed: 1, batcher: 'real', depth: 8, maxSchedules: 100_000, maxStates: 50 });
    expect(bounded.exhausted).toBe(false);
    expect(bounded.budgetSpent).toBe('states');
    expect(bounded.statesExplored).toBeGreaterThanOrEqual(50);
    const full = checkExhaustive(scenario, { seed: 1, batcher: 'real', depth: 8, maxSchedules: 100_000 });
    expect(full.exhausted).toBe(true);
    expect(full.budgetSpent).toBeUndefined();
    expect(full.statesExplored).toBeGreaterThan(bounded.statesExplored);
  });

  it('the CLI reports the state budget as a bound hit', async () => {
    const { code, out } = await cli('check', world('direct-race'), '--max-states', '50', '--json');
    const report = JSON.parse(out) as { verdict: string; bounds_hit: string[]; exhausted: boolean };
    expect(report.verdict).toBe('state budget spent');
    expect(report.exhausted).toBe(false);
    expect(report.bounds_hit[0]).toMatch(/--max-states 50 before every state within depth 8/);
    expect(code).toBe(0);
  });
});

describe('check --strategy random', () => {
  it('finds an ordering bug with uniformly random orderings, and the counterexample replays as a named schedule', () => {
    const scenario = loadScenarioFile(world('oldest-race'));
    const result = checkRandom(scenario, { seed: 1, batcher: 'bug:end-releases-early', runs: 500 });
    expect(result.counterexample).toBeDefined();
    expect(result.counterexample!.schedule.length).toBeGreaterThan(0);
    const run = result.counterexample!.run;
    expect(run.header.options['schedule']).toEqual([...result.counterexample!.schedule]);
    expect(replayTrace(parseTrace(traceText(run), 'cx.jsonl'), 'cx.jsonl').identical).toBe(true);
  });

  it('the real batcher passes the same runs, and the CLI prints the verdict', async () => {
    const clean = checkRandom(loadScenarioFile(world('oldest-race')), { seed: 1, batcher: 'real', runs: 200 });
    expect(clean).toMatchObject({ runs: 200, counterexample: undefined });
    expect(clean.choicePoints).toBeGreaterThan(0);
    const { code, out } = await cli('check', world('oldest-race'), '--strategy', 'random', '--runs', '50');
    expect(out).toMatch(/50 random-ordering runs, up to \d+ choice points — no violation in these runs/);
    expect(code).toBe(0);
  });
});
