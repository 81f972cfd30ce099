import { describe, expect, it } from 'vitest';
import type { TraceEvent } from '../../src/core/events.ts';
import { checkLifecycle } from '../../sim/oracles/lifecycle.ts';
import { Ledger } from '../../sim/oracles/ledger.ts';
import { loadScenarioFile, parseScenario } from '../../src/scenario/load.ts';
import { simulate } from '../../sim/simulate.ts';
import { EXAMPLES, eventsOf, lifecycleEvents, responses, runExample } from './helpers.ts';

describe('drain policy: the same Direct → Oldest reload, switched safely', () => {
  const run = runExample('direct-to-oldest-drain');

  it('interrupts nothing and answers every request with an output', () => {
    expect(run.violations).toEqual([]);
    expect(run.lifecycle?.interrupted).toEqual([]);
    expect(run.lines[run.lines.length - 1]).toContain('"interrupted":0');
    const out = responses(run);
    expect(out.size).toBe(80);
    expect([...out.values()].every((v) => typeof v === 'number')).toBe(true);
  });

  it('holds new STARTs from at_us, loads once the old model holds no sequence, then releases them in arrival order', () => {
    const actions = lifecycleEvents(run)
      .filter((e) => !e.action.startsWith('instance'))
      .map((e) => [e.action, e.t, e['request'] ?? null]);
    expect(actions).toEqual([
      ['drain-start', 3000, null],
      ['start-held', 4000, '9:0'],
      ['start-held', 4250, '10:0'],
      ['start-held', 4500, '11:0'],
      ['start-held', 4750, '12:0'],
      ['drained', 7600, null],
      ['load-start', 7600, null],
      ['swap', 8600, null],
      ['start-released', 8600, '9:0'],
      ['start-released', 8600, '10:0'],
      ['start-released', 8600, '11:0'],
      ['start-released', 8600, '12:0'],
      ['model-destroyed', 8600, null],
    ]);
    // The old sequences finished on generation 1; the held ones ran on generation 2.
    expect(
      new Set(
        eventsOf(run, 'assign')
          .filter((a) => Number(a.sequence) <= 8)
          .map((a) => a.generation),
      ),
    ).toEqual(new Set([1]));
    expect(
      new Set(
        eventsOf(run, 'assign')
          .filter((a) => Number(a.sequence) > 8)
          .map((a) => a.generation),
      ),
    ).toEqual(new Set([2]));
  });

  it('reports held STARTs and their hold times (p50 / p99 / max)', () => {
    expect(run.lifecycle?.heldStarts).toBe(4);
    expect(run.lifecycle?.holdUs).toEqual({ p50: 4100, p99: 4600, max: 4600 });
    expect(run.lifecycle?.drainTimeouts).toBe(0);
  });

  it('a drain timeout is reported and lets the reload interrupt what is still in flight', () => {
    const scenario = loadScenarioFile(`${EXAMPLES}direct-to-oldest-drain.json`);
    const json = JSON.parse(JSON.stringify(scenario.normalized)) as { lifecycle: Record<string, unknown>[] };
    json.lifecycle[0]!['drain_timeout_us'] = 1000;
    const timedOut = simulate(parseScenario(json, 'drain.json', '.'), { seed: 1 });
    expect(lifecycleEvents(timedOut, 'drain-timeout').map((e) => [e.t, e['waited_us']])).toEqual([[4000, 1000]]);
    expect(timedOut.lifecycle?.drainTimeouts).toBe(1);
    expect(timedOut.lifecycle?.interrupted.length).toBeGreaterThan(0);
    expect(timedOut.violations).toEqual([]);
  });

  it('the oracle flags a drain that finished without its timeout but still cut a sequence off', () => {
    const triton = runExample('direct-to-oldest-triton');
    const events: TraceEvent[] = [...triton.events];
    const loadStart = events.findIndex((e) => e.type === 'lifecycle' && e.action === 'load-start');
    events.splice(loadStart, 0, { t: 3000, type: 'lifecycle', action: 'drained', generation: 1, waited_us: 0 });
    const check = checkLifecycle(events, new Ledger(events), { strict: false, quiescent: true });
    expect(check.violations[0]?.oracle).toBe('lifecycle');
    expect(check.violations[0]?.message).toMatch(/the drain policy finished without its timeout, yet sequence \d+ was still open on generation 1/);
  });
});
