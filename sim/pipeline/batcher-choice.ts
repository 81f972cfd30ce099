// Which batcher a run uses: the real one, or a bug-zoo variant named "bug:<name>" (sim/zoo/variants.ts).
import { SequenceBatchScheduler } from '../../src/batcher/index.ts';
import { zooBug, type ZooBug } from '../zoo/variants.ts';

export class UnknownBatcherError extends Error {
  constructor(readonly batcher: string) {
    super(`unknown batcher ${JSON.stringify(batcher)}: use "real" or bug:<name> (npx seqsim explore --list-bugs)`);
    this.name = 'UnknownBatcherError';
  }
}

/** The real batcher, or a bug-zoo variant named "bug:<name>"; throws UnknownBatcherError for any other name. */
export function makeScheduler(batcher: string): ZooBug['make'] {
  if (batcher === 'real') return (model, deps, options) => new SequenceBatchScheduler(model, deps, options);
  const bug = batcher.startsWith('bug:') ? zooBug(batcher.slice(4)) : undefined;
  if (bug === undefined) throw new UnknownBatcherError(batcher);
  return bug.make;
}

/** A lifecycle bug's swap hook, if the chosen batcher has one (spread into the world's parts). */
export function swapHook(batcher: string): { onSwap?: NonNullable<ZooBug['onSwap']> } {
  const onSwap = batcher.startsWith('bug:') ? zooBug(batcher.slice(4))?.onSwap : undefined;
  return onSwap === undefined ? {} : { onSwap };
}
