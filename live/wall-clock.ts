import { performance } from 'node:perf_hooks';

/**
 * The real clock, in milliseconds. Only live mode and benchmarks read it: the simulated world sees
 * time solely through the injected Clock, so nothing here can leak into a run.
 */
export function wallClockMs(): number {
  return performance.now();
}
