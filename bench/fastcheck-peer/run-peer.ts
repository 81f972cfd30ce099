/*
 * The fast-check peer's campaign: a property over the batcher, stopped at its first failure and
 * shrunk by fast-check. bench/fastcheck-peer/main.ts runs it as a command; the quick bench runs it in process.
 */
import fc from 'fast-check';
import { makeScheduler } from '../../sim/pipeline/batcher-choice.ts';
import { wallClockMs } from '../../live/wall-clock.ts';
import { checkWorld, worldArb, type World } from './harness.ts';

export interface PeerResult {
  readonly found: boolean;
  readonly runs: number;
  /** Milliseconds from the first failure to the end of shrinking (the bench subtracts it from the command's wall time). */
  readonly afterFailureMs: number | null;
  readonly shrunkRequests: number | null;
  readonly message: string | null;
}

/** Runs the peer on `batcher` from `seed` until its first failure (then shrinks it) or `budgetMs`. */
export async function runPeer(batcher: string, seed: number, budgetMs: number): Promise<PeerResult> {
  const make = makeScheduler(batcher);
  let firstFailureAtMs: number | undefined;
  const property = fc.asyncProperty(fc.scheduler(), worldArb, async (s, world) => {
    try {
      await checkWorld(world, s, make);
    } catch (error) {
      firstFailureAtMs ??= wallClockMs();
      throw error;
    }
  });
  // The budget bounds the search, not the shrink (fast-check's interrupt also stops shrinking).
  const details = await fc.check(property, { seed, numRuns: 10_000_000, interruptAfterTimeLimit: budgetMs, markInterruptAsFailure: false });
  const world = details.failed && details.counterexample !== null ? (details.counterexample[1] as World) : undefined;
  const error = details.errorInstance;
  return {
    found: world !== undefined,
    runs: details.numRuns,
    afterFailureMs: firstFailureAtMs === undefined ? null : wallClockMs() - firstFailureAtMs,
    shrunkRequests: world === undefined ? null : world.sequences.reduce((sum, sequence) => sum + sequence.steps.length, 0),
    message: world === undefined ? null : error instanceof Error ? error.message : String(error),
  };
}
