import { describe, expect, it } from 'vitest';
import { buildTimeline } from '../../viz/timeline.ts';
import { timelineOfTrace } from '../../viz/run-svg.ts';
import { runExample } from './helpers.ts';

describe('slot timelines of model switches', () => {
  it('mark each lifecycle event on the lane of the instance it names, and give added instances lanes', () => {
    const run = runExample('scale-down-3-to-1');
    const timeline = buildTimeline(run.events);
    const marks = timeline.markers
      .filter((m) => m.kind === 'lifecycle')
      .map((m) => [m.atUs, m.lane.kind === 'batches' ? m.lane.instance : m.lane.kind, m.detail]);
    expect(marks).toEqual([
      [1000, 'events', 'lifecycle update (generation 1)'],
      [1000, 3, 'lifecycle instance-added (generation 1) instance 3'],
      [1000, 0, 'lifecycle instance-removed (generation 1) instance 0'],
      [1000, 1, 'lifecycle instance-removed (generation 1) instance 1'],
      [1000, 2, 'lifecycle instance-removed (generation 1) instance 2'],
      [1000, 2, 'lifecycle instance-destroyed (generation 1) instance 2'],
      [4300, 0, 'lifecycle instance-destroyed (generation 1) instance 0'],
      [6310, 1, 'lifecycle instance-destroyed (generation 1) instance 1'],
    ]);
    expect(timeline.slots.some((s) => s.instance === 3)).toBe(true);
  });

  it("draw a reload's swap and the old model's destruction", () => {
    const run = runExample('direct-to-oldest-triton');
    const { svg } = timelineOfTrace(run.header, run.events);
    expect(svg).toContain('lifecycle swap (generation 2)');
    expect(svg).toContain('lifecycle model-destroyed (generation 1)');
  });

  it('shade an instance where it did not exist: before it was added, after it was destroyed', () => {
    const run = runExample('scale-down-3-to-1');
    const timeline = buildTimeline(run.events);
    expect(timeline.lifetimes).toEqual([
      { instance: 0, addedUs: undefined, destroyedUs: 4300 },
      { instance: 1, addedUs: undefined, destroyedUs: 6310 },
      { instance: 2, addedUs: undefined, destroyedUs: 1000 },
      { instance: 3, addedUs: 1000, destroyedUs: undefined },
    ]);
    const { svg } = timelineOfTrace(run.header, run.events);
    // Instance 1 is destroyed by the run's last event: nothing left to shade after it.
    expect(svg.match(/class="absent-instance"/g)).toHaveLength(3);
    expect(svg).toContain('instance 0 was destroyed at 4.3 ms');
    expect(svg).toContain('instance 3 did not exist yet (added at 1 ms)');
    expect(svg).toContain('instance 2 was destroyed at 1 ms');
  });
});
