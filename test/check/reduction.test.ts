import { describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { loadScenarioFile } from '../../src/scenario/load.ts';
import type { Scenario } from '../../src/scenario/types.ts';
import { checkExhaustive } from '../../sim/check/dfs.ts';
import { independent } from '../../sim/check/independence.ts';
import { GraphWriter, stateDigest, TraceCanon } from '../../sim/check/state-digest.ts';
import { simulate, type WorldProbe } from '../../sim/simulate.ts';
import type { ChoicePoint } from '../../sim/kernel/event-queue.ts';

const canonical = (name: string) => loadScenarioFile(fileURLToPath(new URL(`../../sim/examples/check/${name}.json`, import.meta.url)));

/** Follows `labels` at the first choice points and returns the state digest at the next one, with the assignments so far. */
function digestAfter(scenario: Scenario, labels: readonly string[]): { digest: string; assigns: string[] } {
  let probe: WorldProbe | undefined;
  let trace: TraceCanon | undefined;
  let digest: string | undefined;
  let point = 0;
  const choose = (options: ChoicePoint): number => {
    if (point === labels.length && digest === undefined) digest = stateDigest(probe!, trace!);
    const wanted = labels[point++];
    for (let i = 0; i < options.count; i++) if (options.label(i) === wanted) return i;
    expect(wanted).toBeUndefined();
    return 0;
  };
  const run = simulate(scenario, {
    seed: 1,
    chooser: { choose },
    inspect: (p) => {
      probe = p;
      trace = new TraceCanon(p.events);
    },
  });
  expect(digest).toBeDefined();
  const assigns = run.events.flatMap((e) => (e.type === 'assign' ? [`${String(e.sequence)}@${e.instance}/${e.slot}`] : []));
  return { digest: digest!, assigns };
}

describe('seqsim check: reductions are sound', () => {
  it.each(['direct-race', 'oldest-race'])('%s: with and without reduction, the real batcher has no violation within depth 6', (name) => {
    for (const reduction of [true, false]) {
      const result = checkExhaustive(canonical(name), { seed: 1, batcher: 'real', depth: 6, maxSchedules: 50_000, reduction });
      expect(result).toMatchObject({ exhausted: true, counterexample: undefined });
    }
  });

  const zooCases: [string, string, number][] = [
    ['oldest-race', 'end-releases-early', 3],
    ['oldest-race', 'end-releases-early', 4],
    ['oldest-race', 'end-releases-early', 6],
    ['oldest-race', 'state-not-reset-on-start', 5],
    ['oldest-race', 'oldest-two-per-batch', 5],
    ['oldest-race', 'backlog-lifo', 5],
    ['direct-race', 'padding-ready', 5],
    ['direct-race', 'slot-leak-on-end', 5],
    ['direct-race', 'double-release-after-cancel', 6],
    ['direct-race', 'idle-from-completion', 6],
  ];
  it.each(zooCases)('%s with bug:%s at depth %i: a counterexample with reduction exactly when one without', (name, bug, depth) => {
    const run = (reduction: boolean) => checkExhaustive(canonical(name), { seed: 1, batcher: `bug:${bug}`, depth, maxSchedules: 50_000, reduction });
    const reduced = run(true);
    const plain = run(false);
    expect(plain.exhausted || plain.counterexample !== undefined).toBe(true);
    expect(reduced.counterexample !== undefined).toBe(plain.counterexample !== undefined);
    if (reduced.counterexample !== undefined) expect(reduced.counterexample.run.violations.length).toBeGreaterThan(0);
    expect(reduced.schedules).toBeLessThanOrEqual(plain.schedules);
  });

  it('the reduced search meets every distinct state the full one does (depth 8)', () => {
    const plain = checkExhaustive(canonical('oldest-race'), { seed: 1, batcher: 'real', depth: 8, maxSchedules: 100_000, reduction: false });
    const reduced = checkExhaustive(canonical('oldest-race'), { seed: 1, batcher: 'real', depth: 8, maxSchedules: 100_000 });
    expect(reduced.distinctStates).toBe(plain.distinctStates);
  });
});

describe('seqsim check: reductions prune', () => {
  it('direct-race at depth 8: at least 10x fewer schedules and states explored, with both kinds of prune', () => {
    const plain = checkExhaustive(canonical('direct-race'), { seed: 1, batcher: 'real', depth: 8, maxSchedules: 100_000, reduction: false });
    const reduced = checkExhaustive(canonical('direct-race'), { seed: 1, batcher: 'real', depth: 8, maxSchedules: 100_000 });
    expect(plain.exhausted && reduced.exhausted).toBe(true);
    expect(reduced.schedules * 10).toBeLessThan(plain.schedules);
    expect(reduced.statesExplored * 10).toBeLessThan(plain.statesExplored);
    expect(reduced.statePrunes).toBeGreaterThan(0);
    expect(reduced.sleepPrunes).toBeGreaterThan(0);
    expect(plain.statePrunes + plain.sleepPrunes).toBe(0);
    expect(reduced.depthBoundHit).toBe(true);
  });
});

describe('seqsim check: state digests', () => {
  it('two orders of commuting sends reach the same digest', () => {
    const scenario = canonical('direct-race');
    const a = digestAfter(scenario, ['send:1:0', 'send:2:0']);
    const b = digestAfter(scenario, ['send:2:0', 'send:1:0']);
    expect(independent('send:1:0', 'send:2:0', true)).toBe(true);
    expect(a.digest).toBe(b.digest);
    expect(digestAfter(scenario, ['send:1:0', 'arrive:1:0']).digest).not.toBe(a.digest);
  });

  it('states that differ in a slot owner digest differently', () => {
    const scenario = canonical('direct-race');
    const prefix = ['send:1:0', 'send:2:0', 'send:3:0'];
    const a = digestAfter(scenario, [...prefix, 'arrive:1:0', 'arrive:2:0']);
    const b = digestAfter(scenario, [...prefix, 'arrive:2:0', 'arrive:1:0']);
    expect(a.assigns.slice(0, 2)).toEqual(['1@0/0', '2@0/1']);
    expect(b.assigns.slice(0, 2)).toEqual(['2@0/0', '1@0/1']);
    expect(a.digest).not.toBe(b.digest);
  });

  it('serialises aliasing and Map order, which decide behaviour', () => {
    const text = (value: unknown) => {
      const writer = new GraphWriter(new Set());
      writer.write(value);
      return writer.parts.join(' ');
    };
    const shared = { value: 1 };
    expect(text([shared, shared])).not.toBe(text([{ value: 1 }, { value: 1 }]));
    expect(
      text(
        new Map([
          ['a', 1],
          ['b', 2],
        ]),
      ),
    ).not.toBe(
      text(
        new Map([
          ['b', 2],
          ['a', 1],
        ]),
      ),
    );
    expect(text({ f: () => 1, n: Number.POSITIVE_INFINITY })).toBe(text({ f: () => 2, n: Number.POSITIVE_INFINITY }));
  });

  it('server tasks never commute; sends and responses of different clients do', () => {
    expect(independent('arrive:1:0', 'arrive:2:0', true)).toBe(false);
    expect(independent('batch:I0', 'reaper', true)).toBe(false);
    expect(independent('respond:1:0', 'respond:2:0', true)).toBe(true);
    expect(independent('respond:1:0', 'batch:I0', true)).toBe(false);
    expect(independent('send:1:1', 'arrive:1:0', true)).toBe(false);
    expect(independent('send:1:1', 'arrive:2:0', true)).toBe(true);
    expect(independent('send:1:1', 'send:2:0', false)).toBe(false);
  });
});

describe('seqsim check --json', () => {
  it('reports states, prunes, depth reached and the bounds hit, with and without reduction', async () => {
    const { main } = await import('../../cli/main.ts');
    const run = async (...extra: string[]) => {
      let out = '';
      const code = await main(
        ['check', fileURLToPath(new URL('../../sim/examples/check/direct-race.json', import.meta.url)), '--depth', '6', '--json', ...extra],
        {
          out: (text: string) => {
            out += text;
          },
          err: () => {},
          interactive: false,
        },
      );
      return { code, report: JSON.parse(out) as Record<string, unknown> };
    };
    const reduced = await run();
    const plain = await run('--no-reduction');
    expect(reduced.code).toBe(0);
    expect(reduced.report).toMatchObject({ reduction: true, exhausted: true, depth_reached: 6, verdict: 'no violation within bounds' });
    expect(plain.report).toMatchObject({ reduction: false, duplicate_states_pruned: 0, sleep_set_prunes: 0, schedules: 1687 });
    expect(reduced.report['states_explored']).toBeLessThan(plain.report['states_explored'] as number);
    expect(reduced.report['bounds_hit']).toEqual([expect.stringContaining('--depth 6')]);
    const budget = await run('--max-schedules', '5');
    expect((budget.report['bounds_hit'] as string[]).some((b) => b.startsWith('--max-schedules 5'))).toBe(true);
  });
});
