import type { Latency } from '../src/scenario/types.ts';
import type { DrawName, RandomStream } from './kernel/random.ts';

/** The latency when it is one value (nothing to draw), else undefined. */
export function fixedLatencyUs(latency: Latency): number | undefined {
  if (typeof latency === 'number') return latency;
  return latency.min === latency.max ? latency.min : undefined;
}

/**
 * Draws a latency in µs: fixed values draw nothing, so they never shift the stream. `what` names
 * the draw ("latency:up:7:2") for a choosing stream, which offers the range's min / mid / max.
 * Per-message callers keep `fixedLatencyUs` and call this only when it is undefined, so a fixed
 * latency costs no name closure.
 */
export function drawLatencyUs(latency: Latency, stream: RandomStream, what: DrawName): number {
  if (typeof latency === 'number') return latency;
  return latency.min === latency.max ? latency.min : stream.int(latency.min, latency.max, what);
}
