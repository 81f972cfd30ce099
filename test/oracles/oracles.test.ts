import { describe, expect, it } from 'vitest';
import type { TraceEvent } from '../../src/core/events.ts';
import { checkTrace, TraceChecker, type OracleName } from '../../sim/oracles/index.ts';
import { runWorld, directModel, oldestModel } from '../conformance/harness.ts';
import { parseScenario } from '../../src/scenario/load.ts';
import type { RunResult } from '../../sim/simulate.ts';
import { ViolationSink } from '../../sim/oracles/types.ts';

const one = (value: number, flags: Record<string, unknown> = {}) => ({ value, ...flags });

/** A correct Direct run with padding, a backlog, an END-driven promotion and an idle reap. */
function directRun(): RunResult {
  return runWorld({
    model: directModel({ max_batch_size: 2, sequence_batching: { max_sequence_idle_microseconds: 20_000 } }),
    sequences: [
      { id: 1, steps: [one(1, { start: true }), one(2), one(4, { end: true })] },
      { id: 2, steps: [one(8, { start: true }), one(16, { gap_us: 3000, end: true })] },
      { id: 3, start_us: 10, steps: [one(32, { start: true }), one(64, { end: true })] },
      { id: 4, start_us: 20, steps: [one(5, { start: true })] },
    ],
  });
}

function oldestRun(): RunResult {
  return runWorld({
    model: oldestModel({ max_batch_size: 2 }),
    sequences: [1, 2, 3].map((id) => ({ id, mode: 'stream', steps: [one(id, { start: true }), one(id), one(id, { end: true })] })),
  });
}

/** Checks events with the model of the run's own (normalised) scenario. */
function check(run: RunResult, events: TraceEvent[], runEnded: 'quiescent' | 'budget-exhausted' = 'quiescent') {
  const model = parseScenario(run.header.scenario, 'fixture.json', '.').model;
  return checkTrace(events, { model, runEnded, maxEvents: 1000 });
}

function oraclesFiring(run: RunResult, events: TraceEvent[], runEnded: 'quiescent' | 'budget-exhausted' = 'quiescent'): OracleName[] {
  return [...new Set(check(run, events, runEnded).map((v) => v.oracle))];
}

/** The run's own events, without the violation lines appended after the run. */
function baseEvents(run: RunResult): TraceEvent[] {
  return run.events.filter((e) => e.type !== 'violation').map((e) => structuredClone(e));
}

function indexOf(events: TraceEvent[], predicate: (e: TraceEvent) => boolean, from = 0): number {
  const i = events.findIndex((e, k) => k >= from && predicate(e));
  if (i < 0) throw new Error('fixture lacks the event to mutate');
  return i;
}

describe('oracles on correct runs', () => {
  it.each([
    ['Direct', directRun],
    ['Oldest', oldestRun],
  ])('%s: every oracle stays silent', (name, make) => {
    const run = make();
    expect(run.events.some((e) => e.type === 'reap')).toBe(name === 'Direct');
    expect(check(run, baseEvents(run))).toEqual([]);
  });
});

describe('each oracle fires on a broken run', () => {
  it('affinity: a request executed in another slot than its sequence holds', () => {
    const run = directRun();
    const events = baseEvents(run);
    const i = indexOf(events, (e) => e.type === 'execute' && e.rows.some((r) => r.request === '1:1'));
    const execute = events[i] as Extract<TraceEvent, { type: 'execute' }>;
    execute.instance = 1;
    expect(oraclesFiring(run, events)).toContain('affinity');
    expect(check(run, events).find((v) => v.oracle === 'affinity')!.message).toMatch(/request 1:1 executed in I1\/s0 but its sequence 1 holds I0\/s0/);
  });

  it('order: a request executed twice, and one executed before its predecessor', () => {
    const run = oldestRun();
    const events = baseEvents(run);
    const i = indexOf(events, (e) => e.type === 'execute');
    events.splice(i + 1, 0, structuredClone(events[i]!));
    const messages = check(run, events)
      .filter((v) => v.oracle === 'order')
      .map((v) => v.message);
    expect(messages.some((m) => /executed twice/.test(m))).toBe(true);

    const swapped = baseEvents(run);
    const a = indexOf(swapped, (e) => e.type === 'execute' && e.rows.some((r) => r.request === '1:1'));
    const b = indexOf(swapped, (e) => e.type === 'execute' && e.rows.some((r) => r.request === '1:2'));
    const rowsA = (swapped[a] as Extract<TraceEvent, { type: 'execute' }>).rows;
    const rowsB = (swapped[b] as Extract<TraceEvent, { type: 'execute' }>).rows;
    const ra = rowsA.find((r) => r.request === '1:1')!;
    const rb = rowsB.find((r) => r.request === '1:2')!;
    ra.request = '1:2';
    rb.request = '1:1';
    expect(check(run, swapped).some((v) => v.oracle === 'order' && /1:2 of sequence 1 executed before 1:1/.test(v.message))).toBe(true);
  });

  it('control-signals: START on the wrong row, a READY padding row, a wrong CORRID', () => {
    const run = directRun();
    const events = baseEvents(run);
    const i = indexOf(events, (e) => e.type === 'execute' && e.rows.some((r) => r.request === '1:1'));
    const row = (events[i] as Extract<TraceEvent, { type: 'execute' }>).rows.find((r) => r.request === '1:1')!;
    row.start = true;
    row.corrid = 99;
    const messages = check(run, events)
      .filter((v) => v.oracle === 'control-signals')
      .map((v) => v.message);
    expect(messages.some((m) => /1:1 .* has START=1 but was sent with START=0/.test(m))).toBe(true);
    expect(messages.some((m) => /carries CORRID 99, expected 1/.test(m))).toBe(true);
    const padded = baseEvents(run);
    const p = indexOf(padded, (e) => e.type === 'execute' && e.rows.some((r) => r.request === null));
    (padded[p] as Extract<TraceEvent, { type: 'execute' }>).rows.find((r) => r.request === null)!.ready = true;
    expect(check(run, padded).some((v) => v.oracle === 'control-signals' && /padding row .* READY=1/.test(v.message))).toBe(true);
  });

  it('slot-accounting: a slot given to a second sequence, and a slot never released', () => {
    const run = directRun();
    const events = baseEvents(run);
    const i = indexOf(events, (e) => e.type === 'assign' && e.sequence === 2);
    (events[i] as Extract<TraceEvent, { type: 'assign' }>).slot = 0;
    expect(check(run, events).some((v) => v.oracle === 'slot-accounting' && /assigned I0\/s0, which 1 still holds/.test(v.message))).toBe(true);
    const leaked = baseEvents(run);
    leaked.splice(
      indexOf(leaked, (e) => e.type === 'release' && e.reason === 'idle-timeout'),
      1,
    );
    expect(check(run, leaked).some((v) => v.oracle === 'slot-accounting' && /slot leak/.test(v.message))).toBe(true);
  });

  it('slot-accounting: a free slot left idle while a sequence waits in the backlog', () => {
    const run = directRun();
    const events = baseEvents(run);
    // Pretend sequence 1 released its slot a microsecond before it really did, with no promotion.
    const i = indexOf(events, (e) => e.type === 'release' && e.sequence === 1);
    const release = events[i]!;
    const early = { ...release, t: release.t - 1 } as TraceEvent;
    events.splice(i, 1);
    const before = indexOf(events, (e) => e.t >= release.t);
    events.splice(before, 0, early);
    expect(check(run, events).some((v) => v.oracle === 'slot-accounting' && /1 slot\(s\) free while 2 sequence\(s\) wait in the backlog/.test(v.message))).toBe(
      true,
    );
  });

  it('response: a lost response and a duplicated one', () => {
    const run = directRun();
    const lost = baseEvents(run);
    lost.splice(
      indexOf(lost, (e) => e.type === 'response' && e.request === '2:1'),
      1,
    );
    expect(check(run, lost).some((v) => v.oracle === 'response' && v.message === 'request 2:1 never got a response')).toBe(true);
    const twice = baseEvents(run);
    const r = indexOf(twice, (e) => e.type === 'response');
    twice.splice(r + 1, 0, structuredClone(twice[r]!));
    expect(check(run, twice).some((v) => v.oracle === 'response' && /answered twice/.test(v.message))).toBe(true);
  });

  it('outputs: a wrong sum, and a new occupant that inherits the previous state', () => {
    const run = directRun();
    const events = baseEvents(run);
    const r = indexOf(events, (e) => e.type === 'response' && e.request === '1:2');
    (events[r] as { output: number }).output = 8;
    expect(check(run, events).find((v) => v.oracle === 'outputs')!.message).toBe('request 1:2 got 8, the reference accumulator gives 7');
    const inherited = baseEvents(run);
    const start = indexOf(inherited, (e) => e.type === 'execute' && e.rows.some((row) => row.request === '3:0'));
    (inherited[start] as Extract<TraceEvent, { type: 'execute' }>).rows.find((row) => row.request === '3:0')!.start = false;
    expect(check(run, inherited).some((v) => v.oracle === 'outputs' && /3:0 got 32, the reference accumulator gives 39/.test(v.message))).toBe(true);
  });

  it('batch-shape: a Direct row out of slot order, trailing padding, overlapping batches', () => {
    const run = directRun();
    const events = baseEvents(run);
    const i = indexOf(events, (e) => e.type === 'execute' && e.rows.length === 2);
    const rows = (events[i] as Extract<TraceEvent, { type: 'execute' }>).rows;
    rows.reverse();
    expect(check(run, events).some((v) => v.oracle === 'batch-shape' && /row 0 is slot 1/.test(v.message))).toBe(true);
    const overlapping = baseEvents(run);
    overlapping.splice(
      indexOf(overlapping, (e) => e.type === 'complete'),
      1,
    );
    expect(check(run, overlapping).some((v) => v.oracle === 'batch-shape' && /still executing/.test(v.message))).toBe(true);
  });

  it('liveness: a run that exhausted its event budget', () => {
    const run = directRun();
    const events = baseEvents(run).filter((e) => e.type !== 'response' || e.request !== '4:0');
    const liveness = check(run, events, 'budget-exhausted').filter((v) => v.oracle === 'liveness');
    expect(liveness.map((v) => v.message)).toEqual(['run did not finish within its event budget of 1000 events; 1 request(s) unanswered: 4:0']);
  });

  it('caps each oracle at 20 violations with an "and N more" line', () => {
    const run = oldestRun();
    const events = baseEvents(run).map((e) => (e.type === 'execute' ? { ...e, rows: e.rows.map((r) => ({ ...r, corrid: 12345 })) } : e));
    for (let k = 0; k < 4; k++) events.push(...events.filter((e) => e.type === 'execute').map((e) => structuredClone(e)));
    const control = check(run, events).filter((v) => v.oracle === 'control-signals');
    expect(control).toHaveLength(21);
    expect(control[20]!.message).toMatch(/^and \d+ more$/);
  });
});

describe('ViolationSink.joined: sinks filled side by side, reported as if filled one after another', () => {
  const filled = (count: number, tag: string): ViolationSink => {
    const sink = new ViolationSink('outputs', 3);
    for (let i = 0; i < count; i++) sink.add(`${tag}${i}`, [i]);
    return sink;
  };
  it.each([
    [1, 1, ['a0', 'b0']],
    [2, 4, ['a0', 'a1', 'b0', 'and 3 more']],
    [5, 0, ['a0', 'a1', 'a2', 'and 2 more']],
    [0, 2, ['b0', 'b1']],
    [4, 4, ['a0', 'a1', 'a2', 'and 5 more']],
  ])('%i then %i under a cap of 3', (first, second, messages) => {
    expect(ViolationSink.joined(filled(first, 'a'), filled(second, 'b')).map((v) => v.message)).toEqual(messages);
  });
  it('refuses sinks of two oracles', () => {
    expect(() => ViolationSink.joined(new ViolationSink('outputs'), new ViolationSink('response'))).toThrow(/one oracle/);
  });
});

describe('TraceChecker: the oracles online', () => {
  it('is finished once and takes no event after', () => {
    const model = parseScenario({ model: directModel(), sequences: [] }, 'checker.json', '.').model;
    const checker = new TraceChecker({ model, maxEvents: 100 });
    checker.observe({ t: 0, type: 'send', request: '1:0', sequence: 1, step: 0, start: true, end: true, value: 1 });
    expect(checker.events).toBe(1);
    // A sent request that never got an answer, in a run that went quiescent.
    expect(checker.finish('quiescent').violations.map((v) => v.oracle)).toContain('response');
    expect(() => checker.finish('quiescent')).toThrow(/finished once/);
    expect(() => checker.observe({ t: 1, type: 'arrive', request: '1:0' })).toThrow(/no more events/);
  });
});
