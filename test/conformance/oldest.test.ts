import { describe, expect, it } from 'vitest';
import { assignments, batchShapes, batches, oldestModel, ofType, releases, results, runWorld } from './harness.ts';

const one = (value: number, flags: Record<string, unknown> = {}) => ({ value, ...flags });

describe('conformance: Oldest strategy', () => {
  it('preferred batch size sends a preferred prefix before the queue delay; leftovers wait for it', () => {
    const run = runWorld({
      model: oldestModel({}, { max_candidate_sequences: 4, preferred_batch_size: [2, 4], max_queue_delay_microseconds: 500 }),
      sequences: [
        { id: 1, steps: [one(1, { start: true, end: true })] },
        { id: 2, start_us: 100, steps: [one(2, { start: true, end: true })] },
        { id: 3, start_us: 200, steps: [one(4, { start: true, end: true })] },
      ],
    });
    // 1:0 is END, so dispatching it into the inner batcher frees slot 0 at once (spec §17.1).
    // Sequence 2 gets slot 0 back from the heap but must wait behind the in-flight END there;
    // sequence 3 takes slot 1, and [1:0, 3:0] is the preferred size 2. 2:0 follows alone once
    // its delay has passed after 1:0 was released.
    expect(batchShapes(run)).toEqual(['200 I0 [1:0, 3:0]', '1700 I0 [2:0]']);
    expect(assignments(run)).toEqual(['0 1→I0s0', '100 2→I0s0', '200 3→I0s1']);
    expect(releases(run)).toEqual(['0 1 I0s0 end', '200 3 I0s1 end', '1200 2 I0s0 end']);
    expect(results(run)).toEqual({ '1:0': 1, '3:0': 4, '2:0': 2 });
  });

  it('without a preferred size reached, a lone request goes once the delay has passed', () => {
    const run = runWorld({
      model: oldestModel({}, { preferred_batch_size: [2, 4], max_queue_delay_microseconds: 500 }),
      sequences: [{ id: 1, steps: [one(1, { start: true, end: true })] }],
    });
    expect(batchShapes(run)).toEqual(['500 I0 [1:0]']);
  });

  it('keeps one request per sequence in flight: a stream sequence runs one step per batch', () => {
    const run = runWorld({
      model: oldestModel(),
      sequences: [
        { id: 1, mode: 'stream', steps: [one(1, { start: true }), one(2), one(4, { end: true })] },
        { id: 2, steps: [one(8, { start: true, end: true })] },
      ],
    });
    expect(batchShapes(run)).toEqual(['0 I0 [1:0, 2:0]', '1000 I0 [1:1]', '2000 I0 [1:2]']);
    expect(results(run)).toEqual({ '1:0': 1, '1:1': 3, '1:2': 7, '2:0': 8 });
    for (const b of batches(run)) {
      const seqs = b.rows.map((r) => JSON.stringify(r.sequence));
      expect(new Set(seqs).size).toBe(seqs.length);
      expect(b.rows.every((r) => r.ready)).toBe(true);
    }
  });

  it('max_candidate_sequences may exceed max_batch_size: more sequences hold slots than fit a batch', () => {
    const run = runWorld({
      model: oldestModel({ max_batch_size: 2 }, { max_candidate_sequences: 4 }),
      sequences: [1, 2, 3, 4].map((id) => ({ id, steps: [one(id, { start: true }), one(10 * id, { end: true })] })),
    });
    expect(ofType(run, 'backlog')).toHaveLength(0);
    expect(new Set(ofType(run, 'assign').map((e) => e.slot))).toEqual(new Set([0, 1, 2, 3]));
    for (const b of batches(run)) expect(b.rows.length).toBeLessThanOrEqual(2);
    expect(results(run)).toEqual({ '1:0': 1, '1:1': 11, '2:0': 2, '2:1': 22, '3:0': 3, '3:1': 33, '4:0': 4, '4:1': 44 });
    expect(run.violations).toEqual([]);
  });

  it('candidate slots are per instance and spread across instances', () => {
    const run = runWorld({
      model: oldestModel({ max_batch_size: 1, instance_group: [{ count: 2 }] }, { max_candidate_sequences: 2 }),
      sequences: [1, 2, 3, 4, 5].map((id) => ({ id, steps: [one(id, { start: true }), one(id, { end: true })] })),
    });
    expect(assignments(run).slice(0, 4)).toEqual(['0 1→I0s0', '0 2→I1s0', '0 3→I0s1', '0 4→I1s1']);
    expect(ofType(run, 'backlog').map((e) => e.sequence)).toEqual([5]);
    expect(run.violations).toEqual([]);
  });
});
