import { describe, expect, it } from 'vitest';
import { runBareHeapLoop } from '../../bench/bare-heap.ts';
import { benchKernel } from '../../bench/kernel-bench.ts';

describe('the floors the bench measures against', () => {
  it('the bare heap loop runs every task it is asked to, each scheduling its successor', () => {
    expect(runBareHeapLoop(10_000, 100)).toBe(10_000);
    expect(runBareHeapLoop(5, 10)).toBe(5);
    // Tasks pop in time order: the heap keeps `pending` tasks however many run.
    expect(runBareHeapLoop(0, 50)).toBe(0);
  });

  it("splits a checked run's cost per trace event: each part adds to the world alone, and a run left unsplit has none", () => {
    const split = benchKernel(100, 400, false, 1, true);
    const cost = split.eventCost!;
    expect(cost.worldUs).toBeGreaterThan(0);
    for (const part of [cost.recordedUs, cost.tracedUs, cost.checkedUs, cost.fullUs, cost.traceBytesAloneUs, cost.stringifyAloneUs]) {
      expect(part).toBeGreaterThan(0);
      expect(Number.isFinite(part)).toBe(true);
    }
    expect(split.traceEvents).toBeGreaterThan(400);
    expect(split.streamedTraceEventsPerSec).toBeCloseTo(split.traceEvents / (split.streamedWallMs / 1000), 6);
    expect(benchKernel(100, 400, false, 1, false).eventCost).toBeUndefined();
  }, 60_000);
});
