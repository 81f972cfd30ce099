import { describe, expect, it } from 'vitest';
import { benchDrain } from '../../bench/lifecycle-bench.ts';

describe('drain vs Triton policy figures (seqsim bench)', () => {
  it('on the shipped reload: Triton interrupts, drain interrupts nothing and holds STARTs for a measured time', () => {
    const figures = benchDrain();
    expect(figures.triton.interrupted).toBeGreaterThan(0);
    expect(figures.triton.errorResponses).toBeGreaterThan(0);
    expect(figures.drain.interrupted).toBe(0);
    expect(figures.drain.errorResponses).toBe(0);
    expect(figures.drain.heldStarts).toBeGreaterThan(0);
    expect(figures.drain.holdUs.p50).toBeGreaterThan(0);
    expect(figures.drain.holdUs.p99).toBeGreaterThanOrEqual(figures.drain.holdUs.p50);
    expect(figures.drain.okResponses).toBeGreaterThan(figures.triton.okResponses);
    expect(figures.throughputLost).toBeCloseTo(1 - figures.drain.okPerMs / figures.triton.okPerMs, 10);
  });
});
