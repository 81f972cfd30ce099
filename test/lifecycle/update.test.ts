import { describe, expect, it } from 'vitest';
import { directModel, eventsOf, lifecycleEvents, responses, runExample, runJson } from './helpers.ts';

const seq = (id: number, startUs: number, steps: { value: number; gapUs?: number; end?: boolean }[]): Record<string, unknown> => ({
  id,
  start_us: startUs,
  steps: steps.map((s, k) => ({
    value: s.value,
    ...(k === 0 ? { start: true } : {}),
    ...(s.gapUs !== undefined ? { gap_us: s.gapUs } : {}),
    ...(s.end ? { end: true } : {}),
  })),
});

describe('update: scale-down 3 CPU → 1 GPU with two sequences in flight (QA instance_update_test)', () => {
  const run = runExample('scale-down-3-to-1');

  it('passes every oracle and interrupts nothing', () => {
    expect(run.violations).toEqual([]);
    expect(run.lifecycle?.interrupted).toEqual([]);
    expect(run.lifecycle?.generations).toBe(1);
  });

  it('removes all three CPU instances (different signature) and adds one GPU instance numbered 3', () => {
    expect(lifecycleEvents(run, 'instance-removed').map((e) => e['instance'])).toEqual([0, 1, 2]);
    expect(lifecycleEvents(run, 'instance-added').map((e) => e['instance'])).toEqual([3]);
  });

  it('destroys the idle instance at once and the busy ones after their ENDs', () => {
    expect(lifecycleEvents(run, 'instance-destroyed').map((e) => [e['instance'], e.t])).toEqual([
      [2, 1000],
      [0, 4300],
      [1, 6310],
    ]);
  });

  it('keeps routing in-flight sequences to their instance with their state, and a new START lands on the new instance', () => {
    const assigns = eventsOf(run, 'assign').map((a) => [a.sequence, a.instance, a.slot]);
    expect(assigns).toEqual([
      [1, 0, 0],
      [2, 1, 0],
      [3, 3, 0],
    ]);
    const out = responses(run);
    expect([out.get('1:0'), out.get('1:1'), out.get('1:2')]).toEqual([1, 3, 6]);
    expect([out.get('2:0'), out.get('2:1'), out.get('2:2')]).toEqual([10, 30, 60]);
    expect(
      eventsOf(run, 'execute')
        .filter((e) => e.rows.some((r) => r.sequence === 2))
        .map((e) => e.instance),
    ).toEqual([1, 1, 1]);
  });
});

describe('update: scale 2 → 4 → 3 with nothing in flight', () => {
  const run = runExample('scale-2-4-3');

  it('adds instances 2 and 3, then removes the front-most (instance 0), destroyed at once', () => {
    expect(run.violations).toEqual([]);
    expect(lifecycleEvents(run, 'instance-added').map((e) => e['instance'])).toEqual([2, 3]);
    expect(lifecycleEvents(run, 'instance-removed').map((e) => [e['instance'], e.t])).toEqual([[0, 3000]]);
    expect(lifecycleEvents(run, 'instance-destroyed').map((e) => [e['instance'], e.t])).toEqual([[0, 3000]]);
    expect(lifecycleEvents(run, 'update').map((e) => e['instances'])).toEqual([4, 3]);
  });

  it('a START after the shrink never lands on the removed instance', () => {
    const third = eventsOf(run, 'assign').find((a) => a.sequence === 3)!;
    expect(third.instance).not.toBe(0);
  });
});

describe('rule 3: added instances', () => {
  it('do not drain the backlog at the update; a new START overtakes the backlogged sequence', () => {
    const run = runJson({
      model: directModel(1),
      executor: { latency_us: 100 },
      sequences: [
        seq(1, 0, [{ value: 1 }, { value: 2, gapUs: 3000, end: true }]),
        seq(2, 100, [{ value: 10 }, { value: 20, end: true }]),
        seq(3, 1500, [{ value: 5, end: true } as never]),
      ],
      lifecycle: [{ at_us: 1000, load: directModel(2) }],
    });
    expect(run.violations).toEqual([]);
    const assigns = eventsOf(run, 'assign').map((a) => [a.t, a.sequence, a.instance]);
    // 2 waits in the backlog through the update at 1000 µs; 3 (START+END at 1500) takes new
    // instance 1 first, and only its END's release hands the slot to 2.
    expect(assigns).toEqual([
      [0, 1, 0],
      [1500, 3, 1],
      [1500, 2, 1],
    ]);
    expect(eventsOf(run, 'backlog').map((b) => [b.t, b.sequence])).toEqual([[100, 2]]);
  });

  it('hand out slot 0 of every instance before any slot 1 (the slot heap across instances)', () => {
    const run = runJson({
      model: directModel(1, 2),
      executor: { latency_us: 100 },
      sequences: [seq(1, 0, [{ value: 1 }, { value: 2, gapUs: 5000, end: true }]), seq(2, 2000, [{ value: 1 }, { value: 2, gapUs: 100, end: true }])],
      lifecycle: [{ at_us: 1000, load: directModel(2, 2) }],
    });
    expect(run.violations).toEqual([]);
    expect(eventsOf(run, 'assign').map((a) => [a.sequence, a.instance, a.slot])).toEqual([
      [1, 0, 0],
      [2, 1, 0],
    ]);
  });
});

describe('rule 4: removed instances', () => {
  const json = {
    model: directModel(2),
    executor: { latency_us: 100 },
    sequences: [
      seq(1, 0, [{ value: 1 }, { value: 2, gapUs: 2000, end: true }]),
      seq(2, 10, [{ value: 10 }, { value: 20, gapUs: 4000, end: true }]),
      seq(3, 500, [{ value: 100 }, { value: 200, gapUs: 100, end: true }]),
    ],
    lifecycle: [{ at_us: 1000, load: directModel(1) }],
  };
  const run = runJson(json);

  it('a released slot of a removed instance is deleted, not handed to the backlog', () => {
    expect(run.violations).toEqual([]);
    // Instance 0 (front-most) is removed. Sequence 1's END frees I0/s0 at ~2100 µs, but the
    // backlogged sequence 3 waits for sequence 2's END on the surviving instance 1.
    expect(eventsOf(run, 'assign').map((a) => [a.sequence, a.instance])).toEqual([
      [1, 0],
      [2, 1],
      [3, 1],
    ]);
    const third = eventsOf(run, 'assign').find((a) => a.sequence === 3)!;
    const secondEnd = eventsOf(run, 'release').find((r) => r.sequence === 2)!;
    expect(third.t).toBe(secondEnd.t);
    expect(lifecycleEvents(run, 'instance-destroyed').map((e) => e['instance'])).toEqual([0]);
  });

  it('the state carries: outputs are the running sums', () => {
    const out = responses(run);
    expect([out.get('1:1'), out.get('2:1'), out.get('3:1')]).toEqual([3, 30, 300]);
  });
});
