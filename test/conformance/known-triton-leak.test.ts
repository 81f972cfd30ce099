import { describe, expect, it } from 'vitest';
import { assignments, batchShapes, directModel, oldestModel, ofType, releases, results, runWorld } from './harness.ts';

/**
 * A slot leak that seqsim finds in Triton's own release path (spec §5 step 1 + §8): releasing a
 * slot because its front request was cancelled erases that request's id from the slot map and
 * from the idle clock *before* draining the backlog. If a new sequence with the same id waits in
 * the backlog, it is moved into the slot with no idle timestamp, so the reaper never sees it: a
 * client that then goes silent holds the slot forever. The same erase also hits a successor that
 * already holds another slot (the spec's inferred §8 edge case). seqsim reproduces Triton
 * faithfully here, so the slot-accounting oracle reports the leak.
 */
describe('known Triton behaviour: cancel-release forgets a backlogged successor with the same id', () => {
  it('leaves the successor holding its slot with no idle clock', () => {
    const run = runWorld({
      model: directModel({ sequence_batching: { max_sequence_idle_microseconds: 5000 } }),
      sequences: [
        {
          id: 7,
          mode: 'stream',
          steps: [
            { value: 1, start: true },
            { value: 2, gap_us: 10, end: true, cancel_after_us: 0 },
          ],
        },
        { id: 7, start_us: 20, steps: [{ value: 4, start: true }] },
      ],
    });
    expect(ofType(run, 'backlog').map((e) => `${e.t} ${e.sequence}`)).toEqual(['20 7']);
    expect(releases(run)).toEqual(['1000 7 I0s0 cancel']);
    expect(assignments(run)).toEqual(['0 7→I0s0', '1000 7→I0s0']);
    expect(batchShapes(run)).toEqual(['0 I0 [7:0]', '1000 I0 [7#1:0]']);
    expect(results(run)).toEqual({ '7:0': 1, '7:1': 'CANCELLED: ', '7#1:0': 4 });
    expect(ofType(run, 'reap')).toEqual([]);
    expect(run.outcome).toBe('quiescent');
    expect(run.violations.map((v) => `${v.oracle}: ${v.message}`)).toEqual(['slot-accounting: 1 slot(s) still held after the run went quiescent (slot leak)']);
  });

  it('also forgets a successor with the same id that already holds another slot', () => {
    const run = runWorld({
      model: oldestModel({ max_batch_size: 0 }, { max_candidate_sequences: 2 }),
      sequences: [
        {
          id: 7,
          mode: 'stream',
          steps: [
            { value: 1, start: true },
            { value: 2, gap_us: 10, end: true, cancel_after_us: 0 },
          ],
        },
        { id: 7, start_us: 20, steps: [{ value: 4, start: true }] },
      ],
    });
    expect(assignments(run)).toEqual(['0 7→I0s0', '20 7→I0s1']);
    expect(releases(run)).toEqual(['1000 7 I0s0 cancel']);
    expect(results(run)).toEqual({ '7:0': 1, '7:1': 'CANCELLED: ', '7#1:0': 4 });
    expect(ofType(run, 'reap')).toEqual([]);
    expect(run.violations.map((v) => v.oracle)).toEqual(['slot-accounting']);
  });
});
