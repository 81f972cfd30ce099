import { describe, expect, it } from 'vitest';
import type { ReleaseReason, TraceEvent, TraceEventBody } from '../../src/core/events.ts';
import { Ledger } from '../../sim/oracles/ledger.ts';
import { checkRouting, type RoutingResult } from '../../sim/oracles/routing.ts';

/** Hand-written trace events, each at the current instant; every method returns its event's index. */
class Trace {
  readonly events: TraceEvent[] = [];
  private t = 0;

  at(t: number): this {
    this.t = t;
    return this;
  }

  /** The client sends `request` (`sequence:step`) and it reaches the scheduler. */
  request(request: string, flags: { start?: boolean; end?: boolean; retryOf?: string } = {}): number {
    const [sequence, step] = request.split(':').map(Number) as [number, number];
    this.push({
      type: 'send',
      request,
      sequence,
      step,
      start: flags.start ?? false,
      end: flags.end ?? false,
      value: 1,
      ...(flags.retryOf ? { retry_of: flags.retryOf } : {}),
    });
    return this.push({ type: 'arrive', request });
  }

  reject(request: string): number {
    return this.push({ type: 'reject', request, code: 'INVALID_ARG', message: 'rejected' });
  }

  backlog(sequence: number): number {
    return this.push({ type: 'backlog', sequence });
  }

  assign(sequence: number, slot: number, firstRequest?: string): number {
    return this.push({ type: 'assign', sequence, instance: 0, slot, ...(firstRequest ? { first_request: firstRequest } : {}) });
  }

  release(sequence: number, slot: number | null, reason: ReleaseReason = 'end'): number {
    return this.push({ type: 'release', sequence, instance: slot === null ? null : 0, slot, reason });
  }

  execute(request: string, slot: number): number {
    const sequence = Number(request.split(':')[0]);
    return this.push({ type: 'execute', instance: 0, batch: 0, rows: [{ slot, request, sequence, start: false, end: false, ready: true, corrid: sequence }] });
  }

  cancel(request: string): number {
    return this.push({ type: 'cancel', request });
  }

  check(totalSlots: number | undefined = undefined): RoutingResult {
    return checkRouting(this.events, new Ledger(this.events), totalSlots);
  }

  private push(body: TraceEventBody): number {
    this.events.push({ t: this.t, ...body } as TraceEvent);
    return this.events.length - 1;
  }
}

/** Violations as the trace stores them: event indices become trace line numbers (+1). */
const line = (index: number): number => index + 1;

describe('routing oracle', () => {
  it('stays silent on a sequence that takes a slot, runs in arrival order and runs its END after the release', () => {
    const trace = new Trace();
    trace.request('1:0', { start: true });
    trace.assign(1, 0);
    trace.request('1:1');
    trace.request('1:2', { end: true });
    trace.execute('1:0', 0);
    trace.execute('1:1', 0);
    // Direct releases the slot when END is placed into a batch, before it runs.
    trace.release(1, 0, 'end');
    trace.execute('1:2', 0);
    expect(trace.check(1)).toEqual({ violations: [], heldAtEnd: [], backlogAtEnd: [] });
  });

  it('affinity: a request run in another slot, and one run before its backlogged sequence got a slot', () => {
    const trace = new Trace();
    trace.request('1:0', { start: true });
    trace.assign(1, 0);
    const elsewhere = trace.execute('1:0', 1);
    trace.request('2:0', { start: true });
    trace.backlog(2);
    const early = trace.execute('2:0', 0);
    expect(trace.check().violations).toEqual([
      { oracle: 'affinity', message: 'request 1:0 executed in I0/s1 but its sequence 1 holds I0/s0', events: [line(elsewhere)] },
      { oracle: 'affinity', message: 'request 2:0 executed in I0/s0 before its sequence 2 got a slot', events: [line(early)] },
    ]);
  });

  it('order: a request executed twice, a retried step applied twice, a request the scheduler never accepted', () => {
    const trace = new Trace();
    trace.request('1:0', { start: true });
    trace.assign(1, 0);
    trace.request('1:1');
    trace.request('1:2', { retryOf: '1:1' });
    trace.execute('1:0', 0);
    const twice = trace.execute('1:0', 0);
    trace.execute('1:1', 0);
    const retried = trace.execute('1:2', 0);
    const unknown = trace.execute('9:0', 0);
    expect(trace.check().violations).toEqual([
      { oracle: 'order', message: 'request 1:0 executed twice', events: [line(twice)] },
      { oracle: 'order', message: 'request 1:2 ran step 1:1 again after 1:1 had run it: a retried stateful request applied twice', events: [line(retried)] },
      { oracle: 'order', message: 'request 9:0 executed but the scheduler never accepted it', events: [line(unknown)] },
    ]);
  });

  it('order: each run of a retried step names the attempt that ran it last, retry or first attempt', () => {
    const trace = new Trace();
    trace.request('1:0', { start: true });
    trace.assign(1, 0);
    trace.request('1:0~r1', { retryOf: '1:0' });
    trace.request('1:0~r2', { retryOf: '1:0' });
    trace.request('1:0~r3', { retryOf: '1:0~r1' });
    trace.execute('1:0~r1', 0);
    const first = trace.execute('1:0', 0);
    const second = trace.execute('1:0~r2', 0);
    // A retry of a retry (no client of seqsim's writes one) names a step that never ran as itself.
    trace.execute('1:0~r3', 0);
    const again = (request: string, earlier: string) =>
      `request ${request} ran step 1:0 again after ${earlier} had run it: a retried stateful request applied twice`;
    expect(trace.check().violations.filter((v) => v.message.includes('again'))).toEqual([
      { oracle: 'order', message: again('1:0', '1:0~r1'), events: [line(first)] },
      { oracle: 'order', message: again('1:0~r2', '1:0'), events: [line(second)] },
    ]);
  });

  it('order: a request run before its predecessor, unless the client cancelled that predecessor', () => {
    const trace = new Trace();
    trace.request('1:0', { start: true });
    trace.assign(1, 0);
    trace.request('1:1');
    trace.request('1:2');
    const early = trace.execute('1:1', 0);
    expect(trace.check().violations).toEqual([
      { oracle: 'order', message: 'request 1:1 of sequence 1 executed before 1:0, which arrived first', events: [line(early)] },
    ]);

    const cancelled = new Trace();
    cancelled.request('1:0', { start: true });
    cancelled.assign(1, 0);
    cancelled.request('1:1');
    cancelled.cancel('1:0');
    cancelled.execute('1:1', 0);
    expect(cancelled.check().violations).toEqual([]);
  });

  it('order: a request executed after its sequence was released (only the END that released it may)', () => {
    const trace = new Trace();
    trace.request('1:0', { start: true });
    trace.assign(1, 0);
    trace.request('1:1');
    trace.execute('1:0', 0);
    const reaped = trace.release(1, 0, 'idle-timeout');
    const late = trace.execute('1:1', 0);
    expect(trace.check().violations).toEqual([
      { oracle: 'order', message: 'request 1:1 executed after its sequence 1 was released (idle-timeout)', events: [line(reaped), line(late)] },
    ]);

    const notLast = new Trace();
    notLast.request('1:0', { start: true });
    notLast.assign(1, 0);
    notLast.request('1:1', { end: true });
    const ended = notLast.release(1, 0, 'end');
    const beforeEnd = notLast.execute('1:0', 0);
    notLast.execute('1:1', 0);
    expect(notLast.check().violations).toEqual([
      { oracle: 'order', message: 'request 1:0 executed after its sequence 1 was released (end)', events: [line(ended), line(beforeEnd)] },
    ]);
  });

  it('a rejected request leaves its sequence: the requests after it move up one place', () => {
    const trace = new Trace();
    trace.request('1:0', { start: true });
    trace.assign(1, 0);
    trace.request('1:1');
    trace.request('1:2');
    trace.reject('1:1');
    trace.execute('1:0', 0);
    trace.execute('1:2', 0);
    expect(trace.check()).toEqual({ violations: [], heldAtEnd: [{ slot: 'I0/s0', sequenceKey: '1', requests: ['1:0', '1:2'] }], backlogAtEnd: [] });
  });

  it('slot-accounting: a slot assigned while held, an assign nobody asked for, releases by a non-holder and of a sequence not in the backlog', () => {
    const trace = new Trace();
    trace.request('1:0', { start: true });
    trace.assign(1, 0);
    trace.request('2:0', { start: true });
    const doubled = trace.assign(2, 0);
    const unasked = trace.assign(3, 1);
    const notHolder = trace.release(4, 0);
    const notWaiting = trace.release(5, null, 'expired');
    expect(trace.check().violations).toEqual([
      { oracle: 'slot-accounting', message: 'sequence 2 assigned I0/s0, which 1 still holds', events: [line(doubled)] },
      { oracle: 'slot-accounting', message: 'sequence 3 assigned I0/s1 without a request asking for it', events: [line(unasked)] },
      { oracle: 'slot-accounting', message: 'release of I0/s0 by sequence 4, which does not hold it', events: [line(notHolder)] },
      { oracle: 'slot-accounting', message: 'backlog release of 5, which is not in the backlog', events: [line(notWaiting)] },
    ]);
  });

  it('slot-accounting: a slot left free while a sequence waits, checked between instants, not while the slot count changes', () => {
    const trace = new Trace();
    trace.request('1:0', { start: true });
    trace.assign(1, 0);
    trace.request('2:0', { start: true });
    trace.backlog(2);
    // Released and promoted within one instant: never idle.
    trace.at(10).release(1, 0);
    trace.assign(2, 0, '2:0');
    trace.request('3:0', { start: true });
    trace.backlog(3);
    const idle = trace.at(20).release(2, 0);
    trace.at(30).assign(3, 0, '3:0');
    expect(trace.check(1).violations).toEqual([
      { oracle: 'slot-accounting', message: '1 slot(s) free while 1 sequence(s) wait in the backlog', events: [line(idle)] },
    ]);
    expect(trace.check(undefined).violations).toEqual([]);
  });

  it('liveness: the backlog served out of FIFO order; queues released from the backlog do not count', () => {
    const trace = new Trace();
    trace.request('1:0', { start: true });
    trace.assign(1, 0);
    for (const sequence of [2, 3, 4]) {
      trace.request(`${sequence}:0`, { start: true });
      trace.backlog(sequence);
    }
    trace.release(2, null, 'expired');
    trace.release(1, 0);
    // 2 left the backlog: 3 is the oldest waiting, and 4 jumps it.
    const jumped = trace.assign(4, 0, '4:0');
    expect(trace.check().violations).toEqual([
      { oracle: 'liveness', message: 'backlog served out of order: sequence 4 got I0/s0 while 3, backlogged earlier, still waits', events: [line(jumped)] },
    ]);
  });

  it('liveness: FIFO order still holds after more than a thousand backlog queues were served in order', () => {
    const trace = new Trace();
    trace.request('0:0', { start: true });
    trace.assign(0, 0);
    const waiting = 1100;
    for (let sequence = 1; sequence <= waiting; sequence++) {
      trace.request(`${sequence}:0`, { start: true });
      trace.backlog(sequence);
    }
    for (let sequence = 1; sequence <= 1050; sequence++) {
      trace.release(sequence - 1, 0);
      trace.assign(sequence, 0, `${sequence}:0`);
    }
    trace.release(1050, 0);
    const jumped = trace.assign(1052, 0, '1052:0');
    const result = trace.check(1);
    expect(result.violations).toEqual([
      {
        oracle: 'liveness',
        message: 'backlog served out of order: sequence 1052 got I0/s0 while 1051, backlogged earlier, still waits',
        events: [line(jumped)],
      },
    ]);
    expect(result.backlogAtEnd.map((w) => w.sequenceKey)).toEqual(Array.from({ length: waiting - 1052 + 1 }, (_, k) => String(k === 0 ? 1051 : 1052 + k)));
  });

  it('reports the slots held and the sequences still waiting at the end, ids in the order of their first backlog', () => {
    const trace = new Trace();
    trace.request('1:0', { start: true });
    trace.assign(1, 0);
    trace.request('2:0', { start: true, end: true });
    trace.backlog(2);
    trace.request('3:0', { start: true });
    const three = trace.backlog(3);
    trace.release(1, 0);
    trace.assign(2, 0, '2:0');
    // 2's END already came: its next START opens a new sequence, which waits behind 3.
    trace.request('2:1', { start: true });
    const twoAgain = trace.backlog(2);
    expect(trace.check()).toEqual({
      violations: [],
      heldAtEnd: [{ slot: 'I0/s0', sequenceKey: '2', requests: ['2:0'] }],
      backlogAtEnd: [
        { sequenceKey: '2', index: twoAgain },
        { sequenceKey: '3', index: three },
      ],
    });
  });
});
