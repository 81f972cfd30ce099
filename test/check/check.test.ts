import { describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { loadScenarioFile } from '../../src/scenario/load.ts';
import { checkExhaustive, defaultOption } from '../../sim/check/dfs.ts';
import { simulate } from '../../sim/simulate.ts';
import { parseTrace } from '../../traces/read.ts';
import { replayTrace } from '../../sim/replay.ts';
import { traceText } from '../../traces/writer.ts';
import { checkPct, confidence, threadOf } from '../../sim/check/pct.ts';

const canonical = (name: string) => loadScenarioFile(fileURLToPath(new URL(`../../sim/examples/check/${name}.json`, import.meta.url)));

describe('seqsim check: bounded DFS over same-instant orderings', () => {
  it('beyond the depth bound takes the least label, whatever order the tasks were queued in', () => {
    const point = (labels: string[]) => ({ count: labels.length, nowUs: 0, label: (i: number) => labels[i]! });
    expect(defaultOption(point(['send:2:0', 'arrive:1:0', 'batch:I0']))).toBe(1);
    expect(defaultOption(point(['batch:I0', 'send:2:0', 'arrive:1:0']))).toBe(2);
    expect(defaultOption(point(['reaper']))).toBe(0);
  });

  it.each(['direct-race', 'oldest-race'])('%s: the real batcher has no violation in any schedule within depth 6', (name) => {
    const result = checkExhaustive(canonical(name), { seed: 1, batcher: 'real', depth: 6, maxSchedules: 50_000 });
    expect(result.exhausted).toBe(true);
    expect(result.counterexample).toBeUndefined();
    expect(result.schedules).toBeGreaterThan(100);
  });

  it('reports a spent budget instead of claiming exhaustion', () => {
    const result = checkExhaustive(canonical('direct-race'), { seed: 1, batcher: 'real', depth: 30, maxSchedules: 50 });
    expect(result).toMatchObject({ schedules: 50, exhausted: false, counterexample: undefined });
  });

  it('finds a zoo bug reachable in the canonical scenario and its trace replays', () => {
    const result = checkExhaustive(canonical('oldest-race'), { seed: 1, batcher: 'bug:state-not-reset-on-start', depth: 6, maxSchedules: 1000 });
    expect(result.counterexample?.run.violations.map((v) => v.oracle)).toContain('outputs');
    expect(result.counterexample!.schedule.every((entry) => typeof entry === 'string')).toBe(true);
    const text = traceText(result.counterexample!.run);
    expect(replayTrace(parseTrace(text, 'cx.jsonl'), 'cx.jsonl').identical).toBe(true);
  });

  it('counterexamples name their decisions by task label, and a stale decision is reported', () => {
    const scenario = canonical('direct-race');
    const labelled = simulate(scenario, { seed: 1, schedule: [1, 0, 2], recordChoices: 3 });
    const names = labelled.choices.slice(0, 3).map((c, i) => c.options[[1, 0, 2][i]!]!);
    const byName = simulate(scenario, { seed: 1, schedule: names });
    expect(byName.hash.length).toBe(64);
    expect(byName.lines.slice(1, -1)).toEqual(labelled.lines.slice(1, -1));
    expect(byName.scheduleDivergence).toBeUndefined();
    const stale = simulate(scenario, { seed: 1, schedule: ['no-such-task'] });
    expect(stale.scheduleDivergence).toMatchObject({ point: 0, wanted: 'no-such-task' });
    expect(stale.scheduleDivergence!.options.length).toBeGreaterThan(1);
  });

  it('a schedule recorded in the header replays the same interleaving', () => {
    const scenario = canonical('direct-race');
    const a = simulate(scenario, { seed: 1, schedule: [1, 0, 2, 1] });
    const b = simulate(scenario, { seed: 1, schedule: [0] });
    expect(a.hash).not.toBe(b.hash);
    expect(a.header.options['schedule']).toEqual([1, 0, 2, 1]);
    expect(replayTrace(parseTrace(traceText(a), 'a.jsonl'), 'a.jsonl').identical).toBe(true);
  });
});

describe('seqsim check --strategy pct', () => {
  it('groups tasks into threads by their labels', () => {
    expect(threadOf('batch:I0')).toBe('instance:I0');
    expect(threadOf('complete:I0:b3')).toBe('instance:I0');
    expect(threadOf('arrive:7:2')).toBe('client:7');
    expect(threadOf('reaper')).toBe('reaper');
  });

  it('states the PCT bound as a confidence per bug depth', () => {
    const [d1, d2, d3] = confidence(100, 4, 10);
    expect(d1).toBeCloseTo(1 - 0.75 ** 100, 10);
    expect(d2).toBeCloseTo(1 - (1 - 1 / 40) ** 100, 10);
    expect(d3).toBeCloseTo(1 - (1 - 1 / 400) ** 100, 10);
  });

  it('runs clean on the real batcher and finds a zoo bug with a replayable counterexample', () => {
    const clean = checkPct(canonical('direct-race'), { seed: 1, batcher: 'real', runs: 200, bugDepth: 2 });
    expect(clean.counterexample).toBeUndefined();
    expect(clean.runs).toBe(200);
    expect(clean.threads).toBeGreaterThan(2);
    const found = checkPct(canonical('oldest-race'), { seed: 1, batcher: 'bug:state-not-reset-on-start', runs: 200, bugDepth: 2 });
    expect(found.counterexample?.run.violations.map((v) => v.oracle)).toContain('outputs');
    const text = traceText(found.counterexample!.run);
    expect(replayTrace(parseTrace(text, 'pct.jsonl'), 'pct.jsonl').identical).toBe(true);
  });
});
