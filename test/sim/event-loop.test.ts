import { describe, expect, it } from 'vitest';
import { EventLoop, seededChooser, type Chooser } from '../../sim/kernel/event-queue.ts';
import { RandomStreams } from '../../sim/kernel/random.ts';

const first: Chooser = { choose: () => 0 };
const last: Chooser = { choose: (point) => point.count - 1 };

describe('EventLoop', () => {
  it('runs tasks in time order and advances the clock', () => {
    const loop = new EventLoop(first);
    const seen: string[] = [];
    loop.schedule(30, { label: 'c' }, () => seen.push(`c@${loop.nowUs()}`));
    loop.schedule(10, { label: 'a' }, () => seen.push(`a@${loop.nowUs()}`));
    loop.schedule(20, { label: 'b' }, () => {
      seen.push(`b@${loop.nowUs()}`);
      loop.schedule(25, { label: 'b2' }, () => seen.push(`b2@${loop.nowUs()}`));
    });
    expect(loop.run(100)).toBe('quiescent');
    expect(seen).toEqual(['a@10', 'b@20', 'b2@25', 'c@30']);
  });

  it('lets the chooser order same-instant tasks and records the choice by label', () => {
    const seen: string[] = [];
    const loop = new EventLoop(last, 100);
    for (const label of ['x', 'y', 'z']) loop.schedule(5, { label }, () => seen.push(label));
    loop.run(10);
    expect(seen).toEqual(['z', 'y', 'x']);
    expect(loop.choices[0]).toEqual({ t: 5, options: ['x', 'y', 'z'], chosen: 'z' });
    expect(loop.choices).toHaveLength(2);
  });

  it('keeps tasks of one channel in schedule order whatever the chooser says', () => {
    const seen: string[] = [];
    const loop = new EventLoop(last);
    loop.schedule(5, { label: 'a1', channel: 'a' }, () => seen.push('a1'));
    loop.schedule(5, { label: 'a2', channel: 'a' }, () => seen.push('a2'));
    loop.schedule(5, { label: 'b', channel: 'b' }, () => seen.push('b'));
    loop.run(10);
    expect(seen).toEqual(['b', 'a1', 'a2']);
  });

  it('puts tasks scheduled for the current instant among the choices', () => {
    const seen: string[] = [];
    const loop = new EventLoop(last);
    loop.schedule(1, { label: 'first' }, () => {
      seen.push('first');
      loop.schedule(1, { label: 'spawned' }, () => seen.push('spawned'));
    });
    loop.schedule(1, { label: 'other' }, () => seen.push('other'));
    loop.run(10);
    expect(seen).toEqual(['other', 'first', 'spawned']);
  });

  it('skips cancelled tasks', () => {
    const seen: string[] = [];
    const loop = new EventLoop(first);
    const handle = loop.schedule(3, { label: 'gone' }, () => seen.push('gone'));
    loop.schedule(4, { label: 'kept' }, () => seen.push('kept'));
    loop.cancel(handle);
    expect(loop.run(10)).toBe('quiescent');
    expect(seen).toEqual(['kept']);
  });

  it('reports an exhausted budget instead of running forever', () => {
    const loop = new EventLoop(first);
    const again = (): void => {
      loop.schedule(loop.nowUs() + 1, { label: 'tick' }, again);
    };
    again();
    expect(loop.run(1000)).toBe('budget-exhausted');
    expect(loop.eventsExecuted).toBe(1000);
  });

  it('refuses to schedule in the past', () => {
    const loop = new EventLoop(first);
    loop.schedule(10, { label: 'later' }, () => {
      expect(() => loop.schedule(5, { label: 'past' }, () => {})).toThrow(/past/);
    });
    loop.run(10);
  });

  it('orders a thousand random tasks like a sort by (time, schedule order)', () => {
    const streams = new RandomStreams(42);
    const rng = streams.stream('workload');
    const loop = new EventLoop(first);
    const expected: { at: number; id: number }[] = [];
    const seen: number[] = [];
    for (let id = 0; id < 1000; id++) {
      const at = rng.int(0, 5000);
      expected.push({ at, id });
      loop.schedule(at, { label: `t${id}`, channel: 'one' }, () => seen.push(id));
    }
    loop.run(10_000);
    expected.sort((a, b) => a.at - b.at || a.id - b.id);
    expect(seen).toEqual(expected.map((e) => e.id));
  });
});

describe('RandomStreams', () => {
  it('gives each named stream its own sequence, stable across instances', () => {
    const a = new RandomStreams(7);
    const b = new RandomStreams(7);
    const fromA = [a.stream('workload').next(), a.stream('faults').next()];
    b.stream('faults').next();
    expect(b.stream('workload').next()).toBe(fromA[0]);
    expect(new RandomStreams(8).stream('workload').next()).not.toBe(fromA[0]);
  });

  it('draws integers within inclusive bounds and seeded ties', () => {
    const stream = new RandomStreams(1).stream('ties');
    const values = new Set<number>();
    for (let i = 0; i < 500; i++) values.add(stream.int(3, 5));
    expect([...values].sort()).toEqual([3, 4, 5]);
    const chooser = seededChooser(() => 0.999);
    expect(chooser.choose({ count: 3, nowUs: 0, label: () => 'x' })).toBe(2);
  });
});
