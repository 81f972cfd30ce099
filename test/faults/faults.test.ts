import { InputError } from '../../src/core/input-errors.ts';
import { describe, expect, it } from 'vitest';
import { parseScenario } from '../../src/scenario/load.ts';
import { simulate, type RunResult } from '../../sim/simulate.ts';
import { FIFO } from '../conformance/harness.ts';

const one = (value: number, flags: Record<string, unknown> = {}) => ({ value, ...flags });

function run(faults: Record<string, unknown>, sequences?: unknown[], seed = 1): RunResult {
  const json = {
    name: 'faults',
    model: { name: 'm', max_batch_size: 1, sequence_batching: { max_sequence_idle_microseconds: 20_000 } },
    executor: { latency_us: 1000 },
    faults: { client_timeout_us: 5000, ...faults },
    sequences: sequences ?? [{ id: 7, steps: [one(1, { start: true }), one(2), one(4, { end: true })] }],
  };
  return simulate(parseScenario(json, 'faults.json', '.'), { seed, chooser: FIFO });
}

const faultsOf = (r: RunResult) => r.events.filter((e) => e.type === 'fault').map((e) => e.kind);
const responses = (r: RunResult) =>
  Object.fromEntries(r.events.flatMap((e) => (e.type === 'response' ? [[e.request, 'output' in e ? e.output : `${e.error.code}: ${e.error.message}`]] : [])));
const timeout = 'UNAVAILABLE: client timed out after 5000 µs without a response';

describe('faults, scheduled', () => {
  it('request_drop: the server never sees it; the client times out and goes on', () => {
    const r = run({ scheduled: [{ kind: 'request_drop', sequence: 7, step: 1 }] });
    expect(faultsOf(r)).toEqual(['request_drop']);
    expect(r.events.some((e) => e.type === 'arrive' && e.request === '7:1')).toBe(false);
    expect(responses(r)).toEqual({ '7:0': 1, '7:1': timeout, '7:2': 5 });
    expect(r.violations).toEqual([]);
  });

  it('response_drop: the step ran, the client never hears of it', () => {
    const r = run({ scheduled: [{ kind: 'response_drop', sequence: 7, step: 1 }] });
    expect(faultsOf(r)).toEqual(['response_drop']);
    expect(responses(r)).toEqual({ '7:0': 1, '7:1': timeout, '7:2': 7 });
    expect(r.violations).toEqual([]);
  });

  it('response_drop with a retry: the retried stateful request applies twice and the order oracle says so', () => {
    const r = run({ retries: 1, scheduled: [{ kind: 'response_drop', sequence: 7, step: 1 }] });
    expect(r.events.find((e) => e.type === 'send' && e.request === '7:1~r1')).toMatchObject({ retry_of: '7:1', step: 1 });
    expect(responses(r)['7:1~r1']).toBe(5);
    expect(responses(r)['7:2']).toBe(9);
    expect(r.violations.map((v) => `${v.oracle}: ${v.message}`)).toEqual([
      'order: request 7:1~r1 ran step 7:1 again after 7:1 had run it: a retried stateful request applied twice',
    ]);
  });

  it('transport_delay: a scheduled extra delay shows in the trace and in the arrival time', () => {
    const r = run({ transport_delay: { rate: 0, max_us: 300 }, scheduled: [{ kind: 'transport_delay', sequence: 7, step: 0 }] });
    const fault = r.events.find((e) => e.type === 'fault');
    expect(fault).toMatchObject({ t: 0, kind: 'transport_delay', request: '7:0' });
    const delay = (fault as unknown as { delay_us: number }).delay_us;
    expect(delay).toBeGreaterThanOrEqual(1);
    expect(delay).toBeLessThanOrEqual(300);
    expect(r.events.find((e) => e.type === 'arrive' && e.request === '7:0')!.t).toBe(delay);
  });

  it('disconnect: the client stops mid-sequence without END and the idle reaper reclaims the slot', () => {
    const r = run({ scheduled: [{ kind: 'disconnect', sequence: 7, step: 1 }] });
    expect(faultsOf(r)).toEqual(['disconnect']);
    expect(r.events.filter((e) => e.type === 'send').map((e) => e.request)).toEqual(['7:0']);
    expect(r.events.filter((e) => e.type === 'release').map((e) => (e as { reason: string }).reason)).toEqual(['idle-timeout']);
    expect(r.violations).toEqual([]);
  });

  it('executor_failure: the batch fails and every row gets an error', () => {
    const r = run({ scheduled: [{ kind: 'executor_failure', batch: 1 }] });
    expect(r.events.find((e) => e.type === 'complete' && e.batch === 1)).toMatchObject({ ok: false });
    expect(responses(r)['7:1']).toBe('INTERNAL: seqsim fault: the model instance failed to execute the batch');
    expect(r.violations).toEqual([]);
  });

  it('executor_stall: the batch completes late', () => {
    const r = run({ executor_stall: { rate: 0, us: 2000 }, scheduled: [{ kind: 'executor_stall', batch: 0 }] });
    expect(r.events.find((e) => e.type === 'fault')).toMatchObject({ kind: 'executor_stall', batch: 0, stall_us: 2000 });
    expect(r.events.find((e) => e.type === 'complete' && e.batch === 0)!.t).toBe(3000);
  });
});

describe('protocol misuse and timer jitter', () => {
  const misuse = (kind: string, step: number) => run({ scheduled: [{ kind: 'misuse', sequence: 7, step, misuse: kind }] });

  it('missing_start: the first request goes out without START and gets the START error', () => {
    const r = misuse('missing_start', 0);
    expect(r.events.find((e) => e.type === 'fault')).toMatchObject({ kind: 'misuse', misuse: 'missing_start', request: '7:0' });
    expect(r.events.find((e) => e.type === 'send' && e.request === '7:0')).toMatchObject({ start: false });
    expect(responses(r)['7:0']).toMatch(/^INVALID_ARG: inference request for sequence 7 .* must specify the START flag/);
    expect(r.violations).toEqual([]);
  });

  it('start_on_active: a mid-sequence START is a START conflict on the same slot', () => {
    const r = misuse('start_on_active', 1);
    expect(r.events.some((e) => e.type === 'warning')).toBe(true);
    expect(responses(r)).toEqual({ '7:0': 1, '7:1': 2, '7:2': 6 });
    expect(r.violations).toEqual([]);
  });

  it('id_zero and id_retyped: the request goes out under another id', () => {
    expect(responses(misuse('id_zero', 1))['7:1']).toBe("INVALID_ARG: inference request to model 'm' must specify a non-zero or non-empty correlation ID");
    const retyped = misuse('id_retyped', 1);
    expect(retyped.events.find((e) => e.type === 'send' && e.request === '7:1')).toMatchObject({ sequence: '7' });
    expect(responses(retyped)['7:1']).toMatch(/must specify the START flag/);
    expect(retyped.violations).toEqual([]);
  });

  it('timer_jitter: batcher and reaper timers fire late, and reaper-timing does not blame Triton for it', () => {
    const r = run({ timer_jitter: { rate: 1, max_us: 3000 } }, [{ id: 7, steps: [one(1, { start: true })] }]);
    const jitter = r.events.filter((e) => e.type === 'fault' && e.kind === 'timer_jitter');
    expect(jitter.length).toBeGreaterThan(0);
    const reap = r.events.find((e) => e.type === 'reap')!;
    expect(reap.t).toBeGreaterThan(20_000);
    expect(r.violations).toEqual([]);
  });

  it('timer_jitter, scheduled: exactly the named arming of the named timer fires late', () => {
    const sequences = [{ id: 7, steps: [one(1, { start: true })] }];
    const onTime = run({}, sequences);
    const late = run({ scheduled: [{ kind: 'timer_jitter', timer: 'reaper', occurrence: 0, jitter_us: 7000 }] }, sequences);
    const jitter = late.events.filter((e) => e.type === 'fault' && e.kind === 'timer_jitter');
    expect(jitter).toEqual([expect.objectContaining({ timer: 'reaper', jitter_us: 7000 })]);
    const reapAt = (r: RunResult) => r.events.find((e) => e.type === 'reap')!.t;
    expect(reapAt(late)).toBeGreaterThan(reapAt(onTime));
    expect(late.faultsFired.timer_jitter).toBe(1);
    expect(late.violations).toEqual([]);
  });

  it('cancel, scheduled: the client cancels that request after after_us; a backlogged one is answered CANCELLED', () => {
    const sequences = [
      { id: 7, steps: [one(1, { start: true }), one(2), one(4, { end: true })] },
      { id: 8, start_us: 10, steps: [one(8, { start: true, end: true })] },
    ];
    const r = run({ scheduled: [{ kind: 'cancel', sequence: 8, step: 0, after_us: 100 }] }, sequences);
    expect(r.events.filter((e) => e.type === 'fault').map((e) => [e.kind, e['request'], e['after_us']])).toEqual([['cancel', '8:0', 100]]);
    expect(r.events.find((e) => e.type === 'cancel' && e.request === '8:0')?.t).toBe(110);
    expect(String(responses(r)['8:0'])).toMatch(/^CANCELLED/);
    expect(responses(r)['7:2']).toBe(7);
    expect(r.violations).toEqual([]);
  });

  it('burst, scheduled: the named sequences START in the same microsecond and fill the backlog', () => {
    const sequences = [1, 2, 3].map((id) => ({ id, start_us: id * 5000, steps: [one(1, { start: true }), one(2, { end: true })] }));
    const r = run({ scheduled: [{ kind: 'burst', at_us: 100, sequences: [1, 2, 3] }] }, sequences);
    expect(faultsOf(r)).toEqual(['burst', 'burst', 'burst']);
    const firstSends = r.events.filter((e) => e.type === 'send' && e.step === 0).map((e) => e.t);
    expect(firstSends).toEqual([100, 100, 100]);
    // One slot, three STARTs at once: two wait in the backlog.
    expect(r.events.filter((e) => e.type === 'backlog')).toHaveLength(2);
    expect(r.violations).toEqual([]);
  });
});

describe('faults, by rate', () => {
  it('fire from the faults stream, are counted, and replay identically', () => {
    const sequences = Array.from({ length: 6 }, (_, i) => ({ id: i + 1, steps: [one(1, { start: true }), one(2), one(3), one(4, { end: true })] }));
    const plan = {
      request_drop: 0.2,
      response_drop: 0.2,
      transport_delay: { rate: 0.3, max_us: 500 },
      executor_failure: 0.2,
      executor_stall: { rate: 0.2, us: 500 },
    };
    const a = run(plan, sequences, 42);
    const b = run(plan, sequences, 42);
    expect(b.hash).toBe(a.hash);
    for (const kind of ['request_drop', 'response_drop', 'transport_delay', 'executor_failure', 'executor_stall'] as const) {
      expect(a.faultsFired[kind] ?? 0).toBeGreaterThan(0);
      expect(faultsOf(a).filter((k) => k === kind)).toHaveLength(a.faultsFired[kind]!);
    }
    expect(a.violations).toEqual([]);
  });

  it('cancel and burst by rate fire, are counted, and are off by default', () => {
    const sequences = Array.from({ length: 8 }, (_, i) => ({ id: i + 1, start_us: i * 3000, steps: [one(1, { start: true }), one(2), one(3, { end: true })] }));
    const r = run({ cancel: { rate: 0.3, max_us: 2000 }, burst: 0.6 }, sequences, 9);
    expect(r.faultsFired.cancel ?? 0).toBeGreaterThan(0);
    expect(r.faultsFired.burst ?? 0).toBeGreaterThanOrEqual(2);
    const burstAt = new Set(r.events.flatMap((e) => (e.type === 'fault' && e.kind === 'burst' ? [e['at_us']] : [])));
    expect(burstAt.size).toBe(1);
    expect(r.violations).toEqual([]);
    const none = run({}, sequences, 9);
    expect(none.faultsFired).toEqual({});
  });

  it.each([
    [{ request_drop: 1.5 }, 'faults.request_drop', /probability in \[0, 1\]/],
    [{ executor_stall: { rate: 0.1, us: 0 } }, 'faults.executor_stall.us', /positive/],
    [{ scheduled: [{ kind: 'meteor', sequence: 1, step: 0 }] }, 'faults.scheduled[0].kind', /expected one of/],
    [{ scheduled: [{ kind: 'executor_failure', sequence: 1 }] }, 'faults.scheduled[0].sequence', /unknown field/],
    [{ drop: 0.1 }, 'faults.drop', /unknown field/],
    [{ scheduled: [{ kind: 'timer_jitter', timer: 'reaper' }] }, 'faults.scheduled[0].jitter_us', /missing/],
    [{ scheduled: [{ kind: 'burst', at_us: 0, sequences: [1] }] }, 'faults.scheduled[0].sequences', /at least two sequences/],
    [{ cancel: { rate: 2 } }, 'faults.cancel.rate', /probability/],
  ])('a bad faults block %# names the field', (faults, field, problem) => {
    try {
      parseScenario({ model: { name: 'm', sequence_batching: {} }, sequences: [{ id: 1, steps: [one(1, { start: true })] }], faults }, 'f.json', '.');
      throw new Error('expected an InputError');
    } catch (error) {
      expect(error).toBeInstanceOf(InputError);
      expect((error as InputError).field).toBe(field);
      expect((error as InputError).problem).toMatch(problem);
    }
  });
});
