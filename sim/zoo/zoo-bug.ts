import type { ModelConfig } from '../../src/config/types.ts';
import type { SequenceBatchScheduler } from '../../src/batcher/scheduler.ts';
import type { BatcherDeps, BatcherOptions } from '../../src/batcher/scheduler-context.ts';

/** One batcher of the bug zoo (variants.ts, hard-variants.ts): `--batcher bug:<name>`. */
export interface ZooBug {
  readonly name: string;
  readonly summary: string;
  /** Which strategy the bug lives in; scenarios for it use that strategy. */
  readonly strategy: 'direct' | 'oldest' | 'any';
  readonly make: (model: ModelConfig, deps: BatcherDeps, options: BatcherOptions) => SequenceBatchScheduler;
  /** Runs at a reload's swap with the old and the new model's schedulers (lifecycle bugs only). */
  readonly onSwap?: (previous: SequenceBatchScheduler, next: SequenceBatchScheduler) => void;
}
