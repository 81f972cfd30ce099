import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InstantTasks, type InstantTask } from '../../sim/kernel/instant-tasks.ts';

interface Probe extends InstantTask {
  readonly name: number;
}

/** The definition the indexed instant must match: in schedule order, every live channel-less task and the first live task of each channel. */
function naiveEligible(held: readonly Probe[]): Probe[] {
  const seen = new Set<string>();
  const eligible: Probe[] = [];
  for (const task of held) {
    if (task.cancelled) continue;
    if (task.channel === undefined) eligible.push(task);
    else if (!seen.has(task.channel)) {
      seen.add(task.channel);
      eligible.push(task);
    }
  }
  return eligible;
}

type Op = { kind: 'add'; channel: number | undefined } | { kind: 'take'; pick: number } | { kind: 'cancel'; pick: number };

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('add' as const), channel: fc.option(fc.integer({ min: 0, max: 4 }), { nil: undefined }) }),
  fc.record({ kind: fc.constant('take' as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant('cancel' as const), pick: fc.nat() }),
);

describe('InstantTasks (the indexed same-instant choice)', () => {
  it('offers exactly the eligible tasks, in schedule order, through any sequence of adds, takes and cancellations', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 300 }), (ops) => {
        const instant = new InstantTasks<Probe>();
        let held: Probe[] = [];
        let name = 0;
        for (const o of ops) {
          if (o.kind === 'add') {
            const task: Probe = { name: name++, channel: o.channel === undefined ? undefined : `c${o.channel}`, cancelled: false, instantPos: -1 };
            instant.add(task);
            held.push(task);
          } else {
            const eligible = naiveEligible(held);
            if (eligible.length === 0) continue;
            if (o.kind === 'take') {
              const k = o.pick % eligible.length;
              expect(instant.take(k)).toBe(eligible[k]);
              held = held.filter((t) => t !== eligible[k]);
            } else {
              // Cancel any live task, eligible or waiting behind its channel's head.
              const live = held.filter((t) => !t.cancelled);
              const victim = live[o.pick % live.length]!;
              victim.cancelled = true;
              instant.cancel(victim);
            }
          }
          const eligible = naiveEligible(held);
          expect(instant.eligibleCount).toBe(eligible.length);
          expect(Array.from({ length: eligible.length }, (_, k) => instant.eligibleAt(k).name)).toEqual(eligible.map((t) => t.name));
          expect([...instant.live()].map((t) => t.name)).toEqual(held.filter((t) => !t.cancelled).map((t) => t.name));
          if (eligible.length === 0) expect(instant.size).toBe(0);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('grows past its initial size and keeps every task (100k tasks at one instant, each channel its own)', () => {
    const instant = new InstantTasks<Probe>();
    const count = 100_000;
    for (let i = 0; i < count; i++) instant.add({ name: i, channel: `s${i}`, cancelled: false, instantPos: -1 });
    expect(instant.eligibleCount).toBe(count);
    expect(instant.eligibleAt(count - 1).name).toBe(count - 1);
    // Take from the middle: each take is O(log n), so this whole drain is ~2M tree steps, not n²/2.
    const order: number[] = [];
    while (instant.eligibleCount > 0) order.push(instant.take(instant.eligibleCount >> 1).name);
    expect(new Set(order).size).toBe(count);
    expect(instant.size).toBe(0);
  });
});
