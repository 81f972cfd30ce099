/*
 * The fast-check peer as its own command, as its author would run it from a test runner:
 *   node dist/bench/fastcheck-peer/main.js <batcher> <seed> <budget-ms>
 * It stops at the first failing run and lets fast-check shrink it, then prints one JSON line
 * (PeerResult). `seqsim bench --zoo` spawns it and times the whole command.
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

if (process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1].split(/[\\/]/).slice(-3).join('/'))) {
  const [batcher = 'real', seed = '1', budgetMs = '60000'] = process.argv.slice(2);
  const result = await runPeer(batcher, Number(seed), Number(budgetMs));
  process.stdout.write(`${JSON.stringify(result)}\n`);
}
