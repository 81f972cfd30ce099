import { describe, expect, it } from 'vitest';
import { LIFECYCLE_ZOO, zooBug } from '../../sim/zoo/variants.ts';
import { directModel, runExample, runJson } from './helpers.ts';

/** Two 1-slot instances serving sequences 1 and 2; an update to one instance removes instance 0. */
const scaleDown = {
  model: directModel(2),
  executor: { latency_us: 100 },
  sequences: [
    {
      id: 1,
      steps: [
        { value: 1, start: true },
        { value: 2, gap_us: 2000, end: true },
      ],
    },
    {
      id: 2,
      start_us: 10,
      steps: [
        { value: 10, start: true },
        { value: 20, gap_us: 6000, end: true },
      ],
    },
    {
      id: 3,
      start_us: 3000,
      steps: [
        { value: 100, start: true },
        { value: 200, gap_us: 100, end: true },
      ],
    },
  ],
  lifecycle: [{ at_us: 1000, load: directModel(1) }],
};

const oracles = (run: ReturnType<typeof runJson>): string[] => [...new Set(run.violations.map((v) => v.oracle))];

describe('lifecycle bug zoo: the oracles catch each switch bug', () => {
  it('lists three documented lifecycle bugs, reachable as bug:<name>', () => {
    expect(LIFECYCLE_ZOO.map((bug) => bug.name)).toEqual(['removed-slot-returned', 'destroys-busy-instance', 'reload-carries-sequence-map']);
    for (const bug of LIFECYCLE_ZOO) expect(zooBug(bug.name)).toBe(bug);
  });

  it('the real batcher passes the scenarios that expose them', () => {
    expect(runJson(scaleDown).violations).toEqual([]);
    expect(runExample('direct-to-oldest-triton').violations).toEqual([]);
  });

  it('removed-slot-returned: a new START is assigned the released slot of the removed instance', () => {
    const run = runJson(scaleDown, { batcher: 'bug:removed-slot-returned' });
    expect(oracles(run)).toContain('lifecycle');
    expect(run.violations.find((v) => v.oracle === 'lifecycle')?.message).toBe(
      'sequence 3 assigned I0/s0, a slot of instance 0, which an update removed: its slots must not be refilled',
    );
  });

  it('destroys-busy-instance: the instance is destroyed while its slot still serves a sequence', () => {
    const run = runJson(scaleDown, { batcher: 'bug:destroys-busy-instance' });
    expect(run.violations.find((v) => v.oracle === 'lifecycle')?.message).toBe('instance 0 was destroyed while I0/s0 still served sequence 1@g1');
  });

  it('reload-carries-sequence-map: sequences continue on the new model without START, on uninitialised state', () => {
    const run = runExample('direct-to-oldest-triton', { batcher: 'bug:reload-carries-sequence-map' });
    const found = oracles(run);
    expect(found).toContain('lifecycle');
    expect(found).toContain('outputs');
    expect(run.violations.some((v) => /continued sequence \d+ on generation 2, which never saw its START/.test(v.message))).toBe(true);
  });
});
