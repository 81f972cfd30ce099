import { describe, expect, it } from 'vitest';
import { Harness, makeModel, makeRequest } from './harness.ts';

describe('backlog (spec §4 step 10, §5)', () => {
  it("is FIFO by each sequence's first request and drains as slots are released", () => {
    const h = new Harness(makeModel({ maxBatchSize: 1 }));
    h.sequence(1, [0, 50]);
    h.sequence(2, [10]);
    h.sequence(3, [20, 30]);
    h.sequence(4, [25]);
    h.run();
    expect(h.ofType('backlog').map((e) => `${e.t} ${String(e.sequence)}`)).toEqual(['10 2', '20 3', '25 4']);
    expect(h.assigns()).toEqual(['0 1→I0s0', '100 2→I0s0', '200 3→I0s0', '400 4→I0s0']);
    expect(h.batches()).toEqual(['0 I0 [1:0]', '100 I0 [1:1]', '200 I0 [2:0]', '300 I0 [3:0]', '400 I0 [3:1]', '500 I0 [4:0]']);
    expect(h.scheduler.occupancy()).toEqual({ heldSlots: 0, freeSlots: 1, backlogQueues: 0, queuedRequests: 0, batchesInFlight: 0 });
    h.assertEveryRequestAnsweredOnce();
  });

  it('a request for a backlogged id joins its queue and runs in order once the sequence has a slot', () => {
    const h = new Harness(makeModel({ maxBatchSize: 1 }));
    h.sequence(1, [0, 300]);
    h.sequence(2, [10, 20, 30], { inputs: [1, 10, 100] });
    const mid: unknown[] = [];
    h.loop.schedule(40, { label: 'probe' }, () => mid.push(h.scheduler.occupancy()));
    h.run();
    expect(mid).toEqual([{ heldSlots: 1, freeSlots: 0, backlogQueues: 1, queuedRequests: 3, batchesInFlight: 1 }]);
    expect(['2:0', '2:1', '2:2'].map((id) => h.outputOf(id))).toEqual([1, 11, 111]);
    expect(h.batches().slice(2)).toEqual(['400 I0 [2:0]', '500 I0 [2:1]', '600 I0 [2:2]']);
  });

  it('a new START after a backlogged END creates a second backlog queue for the same id', () => {
    const h = new Harness(makeModel({ maxBatchSize: 1 }));
    h.sequence(1, [0, 300]);
    h.sequence(2, [10, 20]);
    h.send(30, makeRequest(2, 5, { start: true, end: true, input: 9 }));
    h.run();
    expect(h.ofType('backlog').map((e) => e.t)).toEqual([10, 30]);
    expect(h.assigns()).toEqual(['0 1→I0s0', '300 2→I0s0', '500 2→I0s0']);
    expect(h.outputOf('2:5')).toBe(9);
  });
});

describe('idle reaper (spec §6)', () => {
  it('force-ends an idle sequence at exactly last arrival + max_sequence_idle; a late request gets the START error', () => {
    const h = new Harness(makeModel({ maxSequenceIdleUs: 1000 }));
    h.sequence(1, [0, 400], { end: false });
    h.send(2000, makeRequest(1, 2));
    h.run();
    expect(h.ofType('reap').map((e) => `${e.t} I${e.instance}s${e.slot}`)).toEqual(['1400 I0s0']);
    expect(h.releases()).toEqual(['1400 1 I0s0 idle-timeout']);
    expect(h.rejects.get('1:2')?.message).toMatch(/^inference request for sequence 1 to model 'acc' must specify the START flag/);
    // The model never sees an END for a reaped sequence.
    expect(
      h
        .ofType('execute')
        .flatMap((e) => e.rows)
        .some((row) => row.end),
    ).toBe(false);
  });

  it('queues its marker behind pending work: queued requests run, the slot is released when the marker reaches the front', () => {
    const h = new Harness(makeModel({ maxBatchSize: 1, maxSequenceIdleUs: 1000 }), { latencyUs: 5000 });
    h.sequence(1, [0, 10], { end: false });
    h.sequence(2, [20]);
    h.send(10_500, makeRequest(1, 2));
    h.run();
    expect(h.ofType('reap').map((e) => e.t)).toEqual([1010]);
    expect(h.batches()).toEqual(['0 I0 [1:0]', '5000 I0 [1:1]', '10000 I0 [2:0]']);
    expect(h.releases()).toEqual(['10000 1 I0s0 idle-timeout', '10000 2 I0s0 end']);
    expect(h.outputOf('1:1')).toBe(3);
    expect(h.rejects.get('1:2')?.code).toBe('INVALID_ARG');
  });

  it('never reaps a backlogged sequence, re-checking every 50 ms; once it has a slot its old idle clock reaps it (backlog trap)', () => {
    const h = new Harness(makeModel({ maxBatchSize: 1, maxSequenceIdleUs: 1000 }), { latencyUs: 20_000 });
    // Sequence 1 is reaped at 1010 but its queued request keeps the slot until 40 000.
    h.sequence(1, [0, 10], { end: false });
    h.sequence(2, [100, 200], { end: false });
    h.send(130_000, makeRequest(2, 2));
    h.run();
    expect(h.assigns()).toEqual(['0 1→I0s0', '40000 2→I0s0']);
    // 2's last arrival was at 200: idle from 1200, so the reaper re-checks it every 50 ms while it
    // is backlogged and reaps it at 51 200, with 2:1 still queued behind the running 2:0.
    expect(h.ofType('reap').map((e) => `${e.t} ${String(e.sequence)}`)).toEqual(['1010 1', '51200 2']);
    expect(h.batches()).toEqual(['0 I0 [1:0]', '20000 I0 [1:1]', '40000 I0 [2:0]', '60000 I0 [2:1]']);
    expect(h.releases()).toEqual(['40000 1 I0s0 idle-timeout', '80000 2 I0s0 idle-timeout']);
    expect([h.outputOf('2:0'), h.outputOf('2:1')]).toEqual([1, 3]);
    expect(h.rejects.get('2:2')?.code).toBe('INVALID_ARG');
  });

  it('a reaped slot goes to the backlog, and the reaper stops once nothing is watched', () => {
    const h = new Harness(makeModel({ maxBatchSize: 1, maxSequenceIdleUs: 1000 }));
    h.sequence(1, [0], { end: false });
    h.sequence(2, [300, 1200]);
    h.run();
    // 2 waits in the backlog (not idle yet at 1000), takes the slot when 1 is reaped.
    expect(h.releases()).toEqual(['1000 1 I0s0 idle-timeout', '1200 2 I0s0 end']);
    expect(h.assigns()).toEqual(['0 1→I0s0', '1000 2→I0s0']);
    // The last task is the reaper pruning the ended id at 1300; nothing is left pending.
    expect(h.loop.nowUs()).toBe(1300);
    expect(h.loop.pending).toBe(0);
  });
});

describe('backlog request timeout (spec §7)', () => {
  it('expires the whole backlogged sequence with UNAVAILABLE; its later steps get the START error', () => {
    const h = new Harness(makeModel({ maxBatchSize: 1 }));
    h.sequence(1, [0, 300, 600, 900]);
    h.send(10, makeRequest(2, 0, { start: true, timeoutUs: 500 }));
    h.send(100, makeRequest(2, 1));
    h.send(600, makeRequest(2, 2, { end: true }));
    h.run();
    const expired = { code: 'UNAVAILABLE', message: 'timeout of the corresponding sequence has been expired' };
    expect(h.answerOf('2:0')).toEqual({ t: 510, result: { error: expired } });
    expect(h.answerOf('2:1')).toEqual({ t: 510, result: { error: expired } });
    expect(h.rejects.get('2:2')?.code).toBe('INVALID_ARG');
    expect(h.ofType('release').filter((e) => e.sequence === 2)).toEqual([
      { t: 510, type: 'release', sequence: 2, instance: null, slot: null, reason: 'expired', first_request: '2:0' },
    ]);
    expect(h.ofType('assign').map((e) => e.sequence)).toEqual([1]);
  });

  it('a request joining a backlog queue brings its own timeout: the earliest expiration wins', () => {
    const h = new Harness(makeModel({ maxBatchSize: 1 }));
    h.sequence(1, [0, 1000]);
    h.send(10, makeRequest(2, 0, { start: true }));
    h.send(20, makeRequest(2, 1, { timeoutUs: 200 }));
    h.run();
    expect(h.answerOf('2:0')).toEqual({
      t: 220,
      result: { error: { code: 'UNAVAILABLE', message: 'timeout of the corresponding sequence has been expired' } },
    });
    expect(h.errorOf('2:1').code).toBe('UNAVAILABLE');
  });

  it('a later request can only shorten the expiration; timeouts stop mattering once the sequence has a slot', () => {
    const h = new Harness(makeModel({ maxBatchSize: 1 }));
    h.sequence(1, [0, 250]);
    h.send(10, makeRequest(2, 0, { start: true, timeoutUs: 1000 }));
    h.send(20, makeRequest(2, 1, { timeoutUs: 5000 }));
    h.send(400, makeRequest(2, 2, { end: true, timeoutUs: 1 }));
    h.run();
    expect(h.assigns()).toEqual(['0 1→I0s0', '250 2→I0s0']);
    expect(['2:0', '2:1', '2:2'].map((id) => h.outputOf(id))).toEqual([1, 3, 6]);
  });

  it('an expired queue frees nothing, and the next backlog sequence still gets the slot', () => {
    const h = new Harness(makeModel({ maxBatchSize: 1 }));
    h.sequence(1, [0, 1000]);
    h.send(10, makeRequest(2, 0, { start: true, end: true, timeoutUs: 100 }));
    h.sequence(3, [20]);
    h.run();
    expect(h.errorOf('2:0').code).toBe('UNAVAILABLE');
    expect(h.assigns()).toEqual(['0 1→I0s0', '1000 3→I0s0']);
    expect(h.scheduler.occupancy().backlogQueues).toBe(0);
  });

  it('a longer timeout joining later never extends the expiration', () => {
    const h = new Harness(makeModel({ maxBatchSize: 1 }));
    h.sequence(1, [0, 2000]);
    h.send(10, makeRequest(2, 0, { start: true, timeoutUs: 500 }));
    h.send(20, makeRequest(2, 1, { timeoutUs: 5000 }));
    h.run();
    expect(h.answerOf('2:0').t).toBe(510);
    expect(h.answerOf('2:1').t).toBe(510);
  });

  it('several backlog queues expire each at its own time, the earliest first', () => {
    const h = new Harness(makeModel({ maxBatchSize: 1 }));
    h.sequence(1, [0, 2000]);
    h.send(10, makeRequest(2, 0, { start: true, end: true, timeoutUs: 500 }));
    h.send(20, makeRequest(3, 0, { start: true, end: true, timeoutUs: 300 }));
    h.send(30, makeRequest(4, 0, { start: true, end: true, timeoutUs: 900 }));
    h.run();
    const expired = h
      .ofType('release')
      .filter((e) => e.reason === 'expired')
      .map((e) => `${e.t} ${String(e.sequence)}`);
    expect(expired).toEqual(['320 3', '510 2', '930 4']);
  });
});
