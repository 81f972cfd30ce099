import type { Latency } from '../src/scenario/types.ts';
import type { DrawName, RandomStream } from './kernel/random.ts';

/**
 * Draws a latency in µs: fixed values draw nothing, so they never shift the stream. `what` names
 * the draw ("latency:up:7:2") for a choosing stream, which offers the range's min / mid / max.
 */
export function drawLatencyUs(latency: Latency, stream: RandomStream, what: DrawName): number {
  if (typeof latency === 'number') return latency;
  return latency.min === latency.max ? latency.min : stream.int(latency.min, latency.max, what);
}
