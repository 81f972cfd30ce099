import { describe, expect, it } from 'vitest';
import { strId, u64Id } from '../../src/core/ids.ts';
import type { CorridDataType } from '../../src/config/types.ts';
import { Harness, INT32_CONTROLS, makeModel, makeRequest } from './harness.ts';

const withCorrid = (dataType: CorridDataType) =>
  makeModel({ controls: { ...INT32_CONTROLS, corrid: { kind: 'CONTROL_SEQUENCE_CORRID', tensorName: 'CORRID', dataType } } });

describe('Enqueue errors (spec §4, §13)', () => {
  it('a non-START request for an unknown id is refused with the START error, synchronously', () => {
    const h = new Harness(makeModel());
    h.send(5, makeRequest(42, 1));
    h.send(6, makeRequest('abc', 1));
    h.run();
    expect(h.rejects.get('42:1')).toEqual({
      code: 'INVALID_ARG',
      message: "inference request for sequence 42 to model 'acc' must specify the START flag on the first request of the sequence",
    });
    expect(h.rejects.get('abc:1')?.message).toBe(
      "inference request for sequence abc to model 'acc' must specify the START flag on the first request of the sequence",
    );
    expect(h.answers.size).toBe(0);
    expect(h.events.map((e) => `${e.t} ${e.type}`)).toEqual(['5 arrive', '5 reject', '6 arrive', '6 reject']);
  });

  it('refuses correlation id 0 and the empty string', () => {
    const h = new Harness(makeModel());
    h.send(0, makeRequest(0, 0, { start: true }));
    h.send(0, makeRequest('', 0, { start: true }));
    h.run();
    const message = "inference request to model 'acc' must specify a non-zero or non-empty correlation ID";
    expect(h.rejects.get('0:0')).toEqual({ code: 'INVALID_ARG', message });
    expect(h.rejects.get(':0')).toEqual({ code: 'INVALID_ARG', message });
  });

  it('refuses batch size > 1', () => {
    const h = new Harness(makeModel());
    h.send(0, makeRequest(1, 0, { start: true, batchSize: 2 }));
    h.run();
    expect(h.rejects.get('1:0')).toEqual({
      code: 'INVALID_ARG',
      message: "inference request to model 'acc' must specify batch-size 1 due to requirements of sequence batcher",
    });
    expect(h.ofType('assign')).toEqual([]);
  });

  it('refuses string ids longer than 128 characters (UNSUPPORTED) and accepts 128', () => {
    const h = new Harness(makeModel());
    h.send(0, makeRequest('x'.repeat(129), 0, { start: true, end: true }));
    h.send(0, makeRequest('y'.repeat(128), 0, { start: true, end: true }));
    h.run();
    expect(h.rejects.get(`${'x'.repeat(129)}:0`)).toEqual({ code: 'UNSUPPORTED', message: 'string correlation ID cannot be longer than 128 characters' });
    expect(h.outputOf(`${'y'.repeat(128)}:0`)).toBe(1);
  });

  it('refuses an id whose type does not match the CORRID control, naming both types', () => {
    const integer = new Harness(withCorrid('TYPE_UINT64'));
    integer.send(0, makeRequest('s', 0, { start: true }));
    integer.run();
    expect(integer.rejects.get('s:0')).toEqual({
      code: 'INVALID_ARG',
      message: "[request id: s:0] sequence batching control 'CORRID' data-type is 'BYTES', but model 'acc' expects 'UINT64'",
    });
    const string = new Harness(withCorrid('TYPE_STRING'));
    string.send(0, makeRequest(9, 0, { start: true }));
    string.send(0, makeRequest('9', 0, { start: true, end: true }));
    string.run();
    expect(string.rejects.get('9:0')?.message).toBe(
      "[request id: 9:0] sequence batching control 'CORRID' data-type is 'UINT64', but model 'acc' expects 'BYTES'",
    );
    expect(string.answers.get('9:0')?.[0]?.result).toEqual({ output: 1 });
  });

  it('after stop() only new sequences (START) are refused, with UNAVAILABLE', () => {
    const h = new Harness(makeModel());
    h.sequence(1, [0, 200, 400]);
    h.stopAt(100);
    h.sequence(2, [150]);
    h.run();
    expect(h.rejects.get('2:0')).toEqual({
      code: 'UNAVAILABLE',
      message: 'Server is stopping, scheduler for model has stopped accepting new inference requests',
    });
    expect([h.outputOf('1:1'), h.outputOf('1:2')]).toEqual([3, 6]);
  });

  it('counts sequences holding a slot whose END was not enqueued (shutdown in-flight count)', () => {
    const h = new Harness(makeModel({ maxBatchSize: 1 }));
    h.sequence(1, [0, 50]);
    h.sequence(2, [10]);
    const counts: number[] = [];
    for (const t of [5, 20, 60, 150, 250]) h.loop.schedule(t, { label: 'probe' }, () => counts.push(h.scheduler.inflightSequenceCount()));
    h.run();
    // The backlogged sequence 2 never counts; sequence 1 stops counting when its END is enqueued.
    expect(counts).toEqual([1, 1, 0, 0, 0]);
  });
});

describe('sequence identity (spec §2, §4)', () => {
  it('uint64 5 and string "5" are different sequences', () => {
    const h = new Harness(makeModel());
    h.send(0, makeRequest(5, 0, { start: true }));
    h.send(0, makeRequest('5', 0, { start: true, requestId: 's5:0' }));
    h.send(200, makeRequest(5, 1, { end: true }));
    h.send(200, makeRequest('5', 1, { end: true, input: 10, requestId: 's5:1' }));
    h.run();
    expect(h.assigns()).toEqual(['0 5→I0s0', '0 5→I0s1']);
    expect(h.ofType('warning')).toEqual([]);
    expect(h.outputOf('5:1')).toBe(3);
    expect(h.outputOf('s5:1')).toBe(11);
    expect(h.ofType('execute')[1]!.rows.map((row) => row.corrid)).toEqual([5, '5']);
  });

  it('END frees the id at enqueue: a later non-START fails, a new START is a new sequence in another slot', () => {
    const h = new Harness(makeModel({ maxBatchSize: 2 }));
    h.send(0, makeRequest(1, 0, { start: true }));
    h.send(10, makeRequest(1, 1, { end: true }));
    h.send(20, makeRequest(1, 2));
    h.send(30, makeRequest(1, 3, { start: true, input: 50 }));
    h.run();
    expect(h.rejects.get('1:2')?.code).toBe('INVALID_ARG');
    expect(h.assigns()).toEqual(['0 1→I0s0', '30 1→I0s1']);
    expect(h.batches()).toEqual(['0 I0 [1:0]', '100 I0 [1:1 1:3]']);
    expect(h.outputOf('1:3')).toBe(50);
    // The new sequence never ends: the reaper frees its slot max_sequence_idle later.
    expect(h.releases()).toEqual(['100 1 I0s0 end', '1000030 1 I0s1 idle-timeout']);
  });

  it('START on an active id is accepted with a warning and continues in the same slot, resetting state', () => {
    const h = new Harness(makeModel({ initialStateValue: 1000 }));
    h.send(0, makeRequest(3, 0, { start: true, input: 1 }));
    h.send(10, makeRequest(3, 1, { input: 2 }));
    h.send(20, makeRequest(3, 2, { start: true, input: 4 }));
    h.send(30, makeRequest(3, 3, { end: true, input: 8 }));
    h.run();
    expect(h.ofType('warning')).toEqual([
      {
        t: 20,
        type: 'warning',
        message:
          "sequence 3 for model 'acc' has a conflict. The previous sequence did not " +
          'end before this sequence start. Previous sequence will be terminated early.',
        sequence: 3,
      },
    ]);
    expect(h.assigns()).toEqual(['0 3→I0s0']);
    expect(h.rejects.size).toBe(0);
    expect(['3:0', '3:1', '3:2', '3:3'].map((id) => h.outputOf(id))).toEqual([1001, 1003, 1004, 1012]);
    expect(h.ofType('execute').map((e) => e.rows[0]!.start)).toEqual([true, false, true, false]);
  });

  it('START on a backlogged id joins its backlog queue with a warning', () => {
    const h = new Harness(makeModel({ maxBatchSize: 1 }));
    h.sequence(1, [0, 50]);
    h.send(10, makeRequest(2, 0, { start: true, input: 1 }));
    h.send(20, makeRequest(2, 1, { start: true, end: true, input: 5 }));
    h.run();
    expect(h.ofType('backlog').map((e) => e.sequence)).toEqual([2]);
    expect(h.ofType('warning').map((e) => e.t)).toEqual([20]);
    expect([h.outputOf('2:0'), h.outputOf('2:1')]).toEqual([1, 5]);
  });
});

describe('CORRID values in rows (spec §1.2)', () => {
  const corridsFor = (dataType: CorridDataType, ids: (number | string | { u64: string })[]) => {
    const h = new Harness(makeModel({ maxBatchSize: 4, controls: { corrid: { kind: 'CONTROL_SEQUENCE_CORRID', tensorName: 'CORRID', dataType } } }));
    for (const id of ids) h.send(0, makeRequest(id, 0, { start: true, end: true }));
    h.run();
    return h.ofType('execute')[0]!.rows.map((row) => row.corrid);
  };

  it('UINT32 keeps the low 32 bits, INT32 reads them signed', () => {
    expect(corridsFor('TYPE_UINT32', [{ u64: String((1n << 32n) + 7n) }, 0xffff_ffff])).toEqual([7, 0xffff_ffff]);
    expect(corridsFor('TYPE_INT32', [{ u64: String((1n << 32n) + 7n) }, 0xffff_ffff])).toEqual([7, -1]);
  });

  it('INT64 reinterprets the 8 bytes; UINT64 beyond 2^53 is written {u64}', () => {
    expect(corridsFor('TYPE_INT64', [{ u64: '18446744073709551615' }, { u64: String(1n << 63n) }])).toEqual([-1, { i64: '-9223372036854775808' }]);
    expect(corridsFor('TYPE_UINT64', [{ u64: '18446744073709551615' }, 12])).toEqual([{ u64: '18446744073709551615' }, 12]);
  });

  it('TYPE_STRING carries the string and pads with ""', () => {
    const h = new Harness(
      makeModel({ maxBatchSize: 2, controls: { corrid: { kind: 'CONTROL_SEQUENCE_CORRID', tensorName: 'CORRID', dataType: 'TYPE_STRING' } } }),
    );
    h.sequence('a', [0, 200]);
    h.sequence('b', [0, 150]);
    h.run();
    expect(h.ofType('execute').map((e) => e.rows.map((row) => row.corrid))).toEqual([['a', 'b'], ['', 'b'], ['a']]);
  });

  it('without a CORRID control the row still records the id as u64 / string', () => {
    const h = new Harness(makeModel({ maxBatchSize: 2 }));
    h.send(0, makeRequest(1, 0, { start: true, end: true, correlationId: u64Id(1n << 60n) }));
    h.send(0, makeRequest('s', 0, { start: true, end: true, correlationId: strId('s') }));
    h.run();
    expect(h.ofType('execute')[0]!.rows.map((row) => row.corrid)).toEqual([{ u64: String(1n << 60n) }, 's']);
  });
});
