import type { RunResult } from '../simulate.ts';

/** Placeholder until the oracle layer settles: see test/fuzz/known-triton-behaviour.ts. */
export function isKnownTritonBehaviour(_run: RunResult): boolean {
  return false;
}
