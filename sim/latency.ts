import type { Latency } from '../src/scenario/types.ts';
import type { RandomStream } from './kernel/random.ts';

/** Draws a latency in µs: fixed values draw nothing, so they never shift the stream. */
export function drawLatencyUs(latency: Latency, stream: RandomStream): number {
  if (typeof latency === 'number') return latency;
  return latency.min === latency.max ? latency.min : stream.int(latency.min, latency.max);
}
