import { describe, expect, it } from 'vitest';
import { assignments, batchShapes, batches, directModel, ofType, releases, results, responseTimes, runWorld, startError } from './harness.ts';

const one = (value: number, flags: Record<string, unknown> = {}) => ({ value, ...flags });

describe('conformance: Direct strategy, slots and backlog', () => {
  it('backlog fill: FIFO backlog, END frees the slot when placed into a batch', () => {
    const run = runWorld({
      model: directModel(),
      sequences: [
        { id: 1, steps: [one(1, { start: true }), one(2), one(4, { end: true })] },
        { id: 2, start_us: 10, steps: [one(8, { start: true }), one(16, { end: true })] },
        { id: 3, start_us: 20, steps: [one(32, { start: true, end: true })] },
      ],
    });
    expect(results(run)).toEqual({ '1:0': 1, '1:1': 3, '1:2': 7, '2:0': 8, '2:1': 24, '3:0': 32 });
    expect(ofType(run, 'backlog').map((e) => `${e.t} ${e.sequence}`)).toEqual(['10 2', '20 3']);
    expect(assignments(run)).toEqual(['0 1→I0s0', '2000 2→I0s0', '4000 3→I0s0']);
    expect(releases(run)).toEqual(['2000 1 I0s0 end', '4000 2 I0s0 end', '5000 3 I0s0 end']);
    expect(batchShapes(run)).toEqual(['0 I0 [1:0]', '1000 I0 [1:1]', '2000 I0 [1:2]', '3000 I0 [2:0]', '4000 I0 [2:1]', '5000 I0 [3:0]']);
    expect(run.violations).toEqual([]);
  });

  it('same id arriving while backlogged joins its backlog queue and runs in order', () => {
    const run = runWorld({
      model: directModel(),
      sequences: [
        { id: 1, steps: [one(1, { start: true, end: true })] },
        { id: 2, start_us: 100, mode: 'stream', steps: [one(2, { start: true }), one(4, { gap_us: 100 }), one(8, { gap_us: 100, end: true })] },
      ],
    });
    expect(ofType(run, 'backlog')).toHaveLength(0); // slot freed at 0 when 1:0's END was batched
    expect(results(run)).toEqual({ '1:0': 1, '2:0': 2, '2:1': 6, '2:2': 14 });
    const blocked = runWorld({
      model: directModel(),
      sequences: [
        { id: 1, steps: [one(1, { start: true }), one(1, { end: true })] },
        { id: 2, start_us: 100, mode: 'stream', steps: [one(2, { start: true }), one(4, { gap_us: 100 }), one(8, { gap_us: 100, end: true })] },
      ],
    });
    expect(ofType(blocked, 'backlog').map((e) => e.sequence)).toEqual([2]);
    expect(results(blocked)).toEqual({ '1:0': 1, '1:1': 2, '2:0': 2, '2:1': 6, '2:2': 14 });
    expect(batchShapes(blocked)).toEqual(['0 I0 [1:0]', '1000 I0 [1:1]', '2000 I0 [2:0]', '3000 I0 [2:1]', '4000 I0 [2:2]']);
  });

  it('padding: rows below the highest pending slot are READY=0 nulls, none above', () => {
    const run = runWorld({
      model: directModel({ max_batch_size: 4, sequence_batching: { max_sequence_idle_microseconds: 10_000 } }),
      sequences: [
        { id: 1, steps: [one(1, { start: true })] },
        { id: 2, steps: [one(2, { start: true })] },
        { id: 3, steps: [one(4, { start: true }), one(8, { gap_us: 5000, end: true })] },
      ],
    });
    expect(batchShapes(run)).toEqual(['0 I0 [1:0, 2:0, 3:0]', '6000 I0 [-, -, 3:1]']);
    const padded = batches(run)[1]!.rows;
    expect(padded.slice(0, 2)).toEqual([
      { slot: 0, request: null, sequence: null, start: false, end: false, ready: false, corrid: 0 },
      { slot: 1, request: null, sequence: null, start: false, end: false, ready: false, corrid: 0 },
    ]);
    expect(padded[2]).toEqual({ slot: 2, request: '3:1', sequence: 3, start: false, end: true, ready: true, corrid: 3 });
    expect(results(run)).toEqual({ '1:0': 1, '2:0': 2, '3:0': 4, '3:1': 12 });
    // Sequences 1 and 2 never END: the reaper frees their slots 10 ms after their last arrival.
    expect(releases(run)).toEqual(['6000 3 I0s2 end', '10000 1 I0s0 idle-timeout', '10000 2 I0s1 idle-timeout']);
  });

  it('one batch in flight per instance: a request arriving mid-execution waits for completion', () => {
    const run = runWorld({
      model: directModel({ max_batch_size: 2 }),
      sequences: [
        { id: 1, steps: [one(1, { start: true, end: true })] },
        { id: 2, start_us: 300, steps: [one(2, { start: true, end: true })] },
      ],
    });
    expect(batchShapes(run)).toEqual(['0 I0 [1:0]', '1000 I0 [2:0]']);
    // Sequence 1's END released slot 0 at t=0, so sequence 2 got slot 0 again.
    expect(assignments(run)).toEqual(['0 1→I0s0', '300 2→I0s0']);
  });

  it('spreads new sequences across instances, lowest slot first, in libstdc++ heap order', () => {
    const seqs = (n: number) => Array.from({ length: n }, (_, i) => ({ id: i + 1, steps: [one(1, { start: true, end: true })] }));
    const twoByTwo = runWorld({ model: directModel({ max_batch_size: 2, instance_group: [{ count: 2 }] }), sequences: seqs(4) });
    expect(assignments(twoByTwo)).toEqual(['0 1→I0s0', '0 2→I1s0', '0 3→I0s1', '0 4→I1s1']);
    const threeByTwo = runWorld({ model: directModel({ max_batch_size: 2, instance_group: [{ count: 3 }] }), sequences: seqs(6) });
    expect(assignments(threeByTwo)).toEqual(['0 1→I0s0', '0 2→I1s0', '0 3→I2s0', '0 4→I2s1', '0 5→I1s1', '0 6→I0s1']);
    const twoByThree = runWorld({ model: directModel({ max_batch_size: 3, instance_group: [{ count: 1 }, { count: 1 }] }), sequences: seqs(6) });
    expect(assignments(twoByThree)).toEqual(['0 1→I0s0', '0 2→I1s0', '0 3→I1s1', '0 4→I0s1', '0 5→I1s2', '0 6→I0s2']);
  });

  it('max_batch_size 0: one slot per instance, batches of one row, no padding', () => {
    const run = runWorld({
      model: directModel({ max_batch_size: 0, instance_group: [{ count: 2 }] }),
      sequences: [
        { id: 1, steps: [one(1, { start: true }), one(2, { end: true })] },
        { id: 2, steps: [one(3, { start: true }), one(4, { end: true })] },
        { id: 3, steps: [one(5, { start: true, end: true })] },
      ],
    });
    for (const b of batches(run)) expect(b.rows).toHaveLength(1);
    expect(ofType(run, 'backlog').map((e) => e.sequence)).toEqual([3]);
    expect(results(run)).toEqual({ '1:0': 1, '1:1': 3, '2:0': 3, '2:1': 7, '3:0': 5 });
  });

  describe('queue delay (test_queue_delay_*)', () => {
    const world = (util: number) => ({
      model: directModel({ max_batch_size: 2 }, { max_queue_delay_microseconds: 2000, minimum_slot_utilization: util }),
      sequences: [
        { id: 1, steps: [one(1, { start: true, end: true })] },
        { id: 2, start_us: 500, steps: [one(2, { start: true, end: true })] },
      ],
    });
    it('no minimum utilisation: fires at once', () => {
      expect(batchShapes(runWorld(world(0)))).toEqual(['0 I0 [1:0]', '1000 I0 [2:0]']);
    });
    it('half utilisation: one ready slot of two is enough', () => {
      expect(batchShapes(runWorld(world(0.5)))).toEqual(['0 I0 [1:0]', '1000 I0 [2:0]']);
    });
    it('full utilisation: waits until both slots are ready', () => {
      const run = runWorld(world(1));
      expect(batchShapes(run)).toEqual(['500 I0 [1:0, 2:0]']);
      expect(results(run)).toEqual({ '1:0': 1, '2:0': 2 });
    });
    it('full utilisation never reached: fires once the oldest is strictly older than the delay', () => {
      const run = runWorld({ ...world(1), sequences: [{ id: 1, steps: [one(1, { start: true, end: true })] }] });
      expect(batchShapes(run)).toEqual(['2001 I0 [1:0]']);
    });
  });
});

describe('conformance: request validation and routing', () => {
  it('a request without START for an unknown sequence gets the START error', () => {
    const run = runWorld({ model: directModel(), sequences: [{ id: 9, steps: [one(1), one(2, { start: true, end: true })] }] });
    expect(results(run)).toEqual({ '9:0': startError(9), '9:1': 2 });
    expect(ofType(run, 'reject').map((e) => e.request)).toEqual(['9:0']);
  });

  it('correlation id 0 and "" are refused', () => {
    const run = runWorld({
      model: directModel(),
      sequences: [
        { id: 0, steps: [one(1, { start: true, end: true })] },
        { id: '', steps: [one(1, { start: true, end: true })] },
      ],
    });
    const message = "INVALID_ARG: inference request to model 'acc' must specify a non-zero or non-empty correlation ID";
    expect(results(run)).toEqual({ '0:0': message, ':0': message });
  });

  it('string ids longer than 128 characters are UNSUPPORTED; 128 is fine', () => {
    const long = 'x'.repeat(129);
    const ok = 'y'.repeat(128);
    const run = runWorld({
      model: directModel(),
      sequences: [
        { id: long, steps: [one(1, { start: true, end: true })] },
        { id: ok, steps: [one(2, { start: true, end: true })] },
      ],
    });
    expect(results(run)).toEqual({ [`${long}:0`]: 'UNSUPPORTED: string correlation ID cannot be longer than 128 characters', [`${ok}:0`]: 2 });
  });

  it('END removes the id at enqueue: a later non-START request fails even before END executes', () => {
    const run = runWorld({
      model: directModel(),
      sequences: [{ id: 4, mode: 'stream', steps: [one(1, { start: true }), one(2, { gap_us: 10, end: true }), one(4, { gap_us: 10 })] }],
    });
    expect(results(run)).toEqual({ '4:0': 1, '4:1': 3, '4:2': startError(4) });
    expect(ofType(run, 'reject').map((e) => `${e.t} ${e.request}`)).toEqual(['20 4:2']);
  });

  it('START on an active id is accepted in the same slot, with a warning, and restarts the state', () => {
    const run = runWorld({
      model: directModel({ max_batch_size: 2 }),
      sequences: [{ id: 5, steps: [one(1, { start: true }), one(2), one(4, { start: true }), one(8, { end: true })] }],
    });
    expect(results(run)).toEqual({ '5:0': 1, '5:1': 3, '5:2': 4, '5:3': 12 });
    expect(new Set(ofType(run, 'assign').map((e) => `I${e.instance}s${e.slot}`)).size).toBe(1);
    expect(ofType(run, 'warning').map((e) => e.message)).toEqual([
      "sequence 5 for model 'acc' has a conflict. The previous sequence did not end before this sequence start. Previous sequence will be terminated early.",
    ]);
  });

  it('id reuse after END is a brand-new sequence with fresh state', () => {
    const run = runWorld({
      model: directModel(),
      sequences: [
        { id: 5, steps: [one(1, { start: true }), one(2, { end: true })] },
        { id: 5, start_us: 5000, steps: [one(10, { start: true }), one(20, { end: true })] },
      ],
    });
    expect(results(run)).toEqual({ '5:0': 1, '5:1': 3, '5#1:0': 10, '5#1:1': 30 });
  });

  it('uint64 5 and string "5" are different sequences', () => {
    const run = runWorld({
      model: directModel({ max_batch_size: 2 }),
      sequences: [
        { id: 5, steps: [one(1, { start: true }), one(2, { end: true })] },
        { id: '5', steps: [one(100, { start: true }), one(200, { end: true })] },
      ],
    });
    expect(ofType(run, 'assign').map((e) => `${JSON.stringify(e.sequence)}→s${e.slot}`)).toEqual(['5→s0', '"5"→s1']);
    expect(results(run)).toEqual({ '5:0': 1, '5:1': 3, '5#1:0': 100, '5#1:1': 300 });
  });
});

describe('conformance: idle reaper, backlog timeout, cancellation, shutdown', () => {
  it('the reaper frees a slot for a backlogged sequence; the late request gets the START error (test_backlog_sequence_timeout)', () => {
    const run = runWorld({
      model: directModel({ name: 'acc_idle', sequence_batching: { max_sequence_idle_microseconds: 20_000 } }),
      sequences: [
        { id: 7, steps: [one(1, { start: true }), one(2, { gap_us: 50_000 }), one(4, { end: true })] },
        { id: 8, start_us: 5000, steps: [one(8, { start: true }), one(16, { end: true })] },
      ],
    });
    expect(ofType(run, 'reap').map((e) => `${e.t} ${e.sequence}`)).toEqual(['20000 7']);
    expect(releases(run)).toEqual(['20000 7 I0s0 idle-timeout', '21000 8 I0s0 end']);
    expect(assignments(run)).toEqual(['0 7→I0s0', '20000 8→I0s0']);
    expect(results(run)).toEqual({
      '7:0': 1,
      '8:0': 8,
      '8:1': 24,
      '7:1': startError(7, 'acc_idle'),
      '7:2': startError(7, 'acc_idle'),
    });
    expect(responseTimes(run)['8:0']).toBe(21_000);
  });

  it('the reaper lets already-queued work of a reaped sequence run before releasing its slot', () => {
    const run = runWorld({
      model: directModel({ sequence_batching: { max_sequence_idle_microseconds: 1500 } }),
      executorUs: 1000,
      sequences: [{ id: 3, mode: 'stream', steps: [one(1, { start: true }), one(2), one(4), one(8)] }],
    });
    // All four arrive at t=0; idle is measured from arrival, so the sequence is reaped at 1500
    // while two requests are still queued. They still execute; the marker releases the slot after.
    expect(ofType(run, 'reap').map((e) => e.t)).toEqual([1500]);
    expect(results(run)).toEqual({ '3:0': 1, '3:1': 3, '3:2': 7, '3:3': 15 });
    expect(releases(run)).toEqual(['4000 3 I0s0 idle-timeout']);
  });

  it('backlog request timeout expires the whole backlogged sequence (test_request_timeout)', () => {
    const run = runWorld({
      model: directModel(),
      executorUs: 10_000,
      sequences: [
        { id: 1, steps: [one(1, { start: true }), one(2, { end: true })] },
        { id: 2, start_us: 100, mode: 'stream', steps: [one(2, { start: true, timeout_us: 1000 }), one(4, { gap_us: 200 }), one(8, { gap_us: 5000 })] },
      ],
    });
    const expired = 'UNAVAILABLE: timeout of the corresponding sequence has been expired';
    expect(results(run)).toEqual({ '1:0': 1, '1:1': 3, '2:0': expired, '2:1': expired, '2:2': startError(2) });
    expect(responseTimes(run)['2:0']).toBe(1100);
    expect(responseTimes(run)['2:1']).toBe(1100);
    expect(releases(run)).toEqual(['1100 2 backlog expired', '10000 1 I0s0 end']);
  });

  it('a request after the backlog expiry gets the START error (test_send_request_after_timeout)', () => {
    const run = runWorld({
      model: directModel(),
      executorUs: 10_000,
      sequences: [
        { id: 1, steps: [one(1, { start: true }), one(2, { end: true })] },
        { id: 2, start_us: 100, steps: [one(2, { start: true, timeout_us: 1000 }), one(4, { end: true })] },
      ],
    });
    expect(results(run)['2:0']).toBe('UNAVAILABLE: timeout of the corresponding sequence has been expired');
    expect(results(run)['2:1']).toBe(startError(2));
  });

  it('cancellation at a slot-queue front cancels that request and everything behind it', () => {
    const run = runWorld({
      model: directModel(),
      sequences: [
        {
          id: 21,
          mode: 'stream',
          steps: [one(1, { start: true }), one(2, { gap_us: 10 }), one(4, { gap_us: 10, cancel_after_us: 0 }), one(8, { gap_us: 10, end: true })],
        },
      ],
    });
    expect(results(run)).toEqual({ '21:0': 1, '21:1': 3, '21:2': 'CANCELLED: ', '21:3': 'CANCELLED: ' });
    expect(releases(run)).toEqual(['2000 21 I0s0 cancel']);
    expect(batchShapes(run)).toEqual(['0 I0 [21:0]', '1000 I0 [21:1]']);
  });

  it('cancellation in the backlog is detected when the sequence would get a slot', () => {
    const run = runWorld({
      model: directModel(),
      sequences: [
        { id: 1, steps: [one(1, { start: true }), one(2, { end: true })] },
        { id: 2, start_us: 100, mode: 'stream', steps: [one(2, { start: true, cancel_after_us: 200 }), one(4, { gap_us: 50, end: true })] },
        { id: 3, start_us: 150, steps: [one(8, { start: true, end: true })] },
      ],
    });
    expect(results(run)).toEqual({ '1:0': 1, '1:1': 3, '2:0': 'CANCELLED: ', '2:1': 'CANCELLED: ', '3:0': 8 });
    expect(releases(run)).toContain('1000 2 backlog cancel');
    expect(assignments(run)).toEqual(['0 1→I0s0', '1000 3→I0s0']);
  });

  it('shutdown refuses only new STARTs; continuing sequences finish', () => {
    const run = runWorld({
      model: directModel({ max_batch_size: 2 }),
      lifecycle: [{ at_us: 500, stop: true }],
      sequences: [
        { id: 1, steps: [one(1, { start: true }), one(2, { gap_us: 1000 }), one(4, { end: true })] },
        { id: 2, start_us: 800, steps: [one(8, { start: true, end: true })] },
      ],
    });
    expect(results(run)).toEqual({
      '1:0': 1,
      '2:0': 'UNAVAILABLE: Server is stopping, scheduler for model has stopped accepting new inference requests',
      '1:1': 3,
      '1:2': 7,
    });
    const lifecycle = ofType(run, 'lifecycle').map((e) => `${e.t} ${e.action}`);
    expect(lifecycle[0]).toBe('500 stop');
    expect(lifecycle[1]).toMatch(/ exit$/);
  });
});

describe('conformance: implicit state and controls', () => {
  it('a new occupant of a slot starts from fresh state', () => {
    const run = runWorld({
      model: directModel(),
      sequences: [
        { id: 1, steps: [one(1, { start: true }), one(2, { end: true })] },
        { id: 2, start_us: 10, steps: [one(10, { start: true }), one(20, { end: true })] },
      ],
    });
    expect(results(run)).toEqual({ '1:0': 1, '1:1': 3, '2:0': 10, '2:1': 30 });
  });

  it('dyna variant: the END output adds the CORRID value (1..9 with id 52 ends at 97)', () => {
    const run = runWorld({
      model: directModel({
        sequence_batching: {
          control_input: [
            { name: 'START', control: [{ kind: 'CONTROL_SEQUENCE_START', int32_false_true: [0, 1] }] },
            { name: 'END', control: [{ kind: 'CONTROL_SEQUENCE_END', int32_false_true: [0, 1] }] },
            { name: 'READY', control: [{ kind: 'CONTROL_SEQUENCE_READY', int32_false_true: [0, 1] }] },
            { name: 'CORRID', control: [{ kind: 'CONTROL_SEQUENCE_CORRID', data_type: 'TYPE_UINT64' }] },
          ],
        },
      }),
      sequences: [
        { id: 52, steps: Array.from({ length: 9 }, (_, k) => one(k + 1, { ...(k === 0 ? { start: true } : {}), ...(k === 8 ? { end: true } : {}) })) },
      ],
    });
    expect(results(run)['52:8']).toBe(97);
    expect(results(run)['52:7']).toBe(36);
  });

  it.each([
    ['TYPE_UINT32', { u64: '4294967297' }, 1],
    ['TYPE_INT32', 4294967295, -1],
    ['TYPE_INT64', { u64: '18446744073709551615' }, -1],
    ['TYPE_UINT64', 4294967297, 4294967297],
  ])('CORRID %s carries the converted id', (dataType, id, corrid) => {
    const run = runWorld({
      model: directModel({
        sequence_batching: {
          control_input: [
            { name: 'START', control: [{ kind: 'CONTROL_SEQUENCE_START', int32_false_true: [0, 1] }] },
            { name: 'READY', control: [{ kind: 'CONTROL_SEQUENCE_READY', int32_false_true: [0, 1] }] },
            { name: 'END', control: [{ kind: 'CONTROL_SEQUENCE_END', int32_false_true: [0, 1] }] },
            { name: 'CORRID', control: [{ kind: 'CONTROL_SEQUENCE_CORRID', data_type: dataType }] },
          ],
        },
      }),
      sequences: [{ id, steps: [one(1, { start: true }), one(2, { end: true })] }],
    });
    expect(batches(run).map((b) => b.rows[0]!.corrid)).toEqual([corrid, corrid]);
    expect(Object.values(results(run))).toEqual([1, (3 + corrid) | 0]);
  });

  it('a string id into a TYPE_UINT64 CORRID is refused with the data-type error', () => {
    const run = runWorld({
      model: directModel({
        sequence_batching: {
          control_input: [
            { name: 'START', control: [{ kind: 'CONTROL_SEQUENCE_START', int32_false_true: [0, 1] }] },
            { name: 'CORRID', control: [{ kind: 'CONTROL_SEQUENCE_CORRID', data_type: 'TYPE_UINT64' }] },
          ],
        },
      }),
      sequences: [{ id: 'abc', steps: [one(1, { start: true, end: true })] }],
    });
    expect(results(run)['abc:0']).toMatch(
      /^INVALID_ARG: \[request id: .*\] sequence batching control 'CORRID' data-type is 'BYTES', but model 'acc' expects 'UINT64'$/,
    );
  });
});
