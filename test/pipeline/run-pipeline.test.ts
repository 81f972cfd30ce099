import { describe, expect, it } from 'vitest';
import { InvariantError } from '../../src/core/assert.ts';
import { finishRun, runUntilStopped, stopOf } from '../../sim/pipeline/run-pipeline.ts';
import { loadScenarioFile } from '../../src/scenario/load.ts';
import { simulate } from '../../sim/simulate.ts';
import { fileURLToPath } from 'node:url';
import type { TraceEvent } from '../../src/core/events.ts';

const example = fileURLToPath(new URL('../../sim/examples/direct-basic.json', import.meta.url));

describe('the run pipeline (sim/pipeline/run-pipeline.ts)', () => {
  it('a broken invariant stops the run as aborted; any other error propagates', () => {
    const broken = new InvariantError('one batch in flight per instance');
    expect(
      runUntilStopped(() => {
        throw broken;
      }),
    ).toEqual({ ended: 'aborted', broken });
    expect(runUntilStopped(() => 'quiescent')).toEqual({ ended: 'quiescent', broken: undefined });
    expect(() =>
      runUntilStopped(() => {
        throw new TypeError('a bug');
      }),
    ).toThrow(TypeError);
    expect(stopOf('budget-exhausted', broken)).toEqual({ ended: 'aborted', broken });
    expect(stopOf('quiescent', undefined)).toEqual({ ended: 'quiescent', broken: undefined });
    expect(() => stopOf('quiescent', new RangeError('a bug'))).toThrow(RangeError);
  });

  it('reports a broken invariant first, as a violation event after the run, and serialises the trace', () => {
    const scenario = loadScenarioFile(example);
    const run = simulate(scenario, { seed: 1 });
    const events = run.events.slice(0, 5) as TraceEvent[];
    const finished = finishRun({
      events,
      stop: { ended: 'aborted', broken: new InvariantError('a slot is released once') },
      endUs: 42,
      oracles: { model: scenario.model, maxEvents: 100 },
      header: { seed: 1, scenario: scenario.normalized, options: { max_events: 100 }, clock: 'virtual' },
    });
    expect(finished.violations[0]).toEqual({ oracle: 'invariant', message: 'the batcher broke an invariant: a slot is released once', events: [5] });
    expect(finished.events.slice(5).every((event) => event.type === 'violation' && event.t === 42)).toBe(true);
    expect(finished.lines).toHaveLength(1 + finished.events.length + 1);
    expect(JSON.parse(finished.lines[0]!)).toMatchObject({ type: 'header', seed: 1, clock: 'virtual', options: { max_events: 100 } });
    expect(JSON.parse(finished.lines.at(-1)!)).toMatchObject({ type: 'summary', hash: finished.hash });
  });

  it('a run that recorded nothing is checked by nothing and has no trace', () => {
    const scenario = loadScenarioFile(example);
    const finished = finishRun({
      events: [],
      stop: { ended: 'aborted', broken: new InvariantError('x') },
      endUs: 0,
      oracles: undefined,
      header: { seed: 1, scenario: scenario.normalized, options: {}, clock: 'virtual' },
    });
    expect(finished.violations).toEqual([]);
    expect(finished.lines).toEqual([]);
    expect(finished.hash).toBe('');
  });

  it('judges a run by its judged end, and runs the caller’s oracles when given', () => {
    const scenario = loadScenarioFile(example);
    const seen: string[] = [];
    finishRun({
      events: [],
      stop: { ended: 'quiescent', broken: undefined },
      judgedEnd: 'aborted',
      endUs: 0,
      oracles: { model: scenario.model, maxEvents: 10 },
      header: { seed: 0, scenario: scenario.normalized, options: {}, clock: 'real' },
      check: (_events, context) => {
        seen.push(context.runEnded);
        return { violations: [], lifecycle: undefined };
      },
    });
    expect(seen).toEqual(['aborted']);
  });
});
