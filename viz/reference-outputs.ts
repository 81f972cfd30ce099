import type { ModelConfig } from '../src/config/types.ts';
import { accumulate } from '../src/model/reference.ts';
import { accumulatorOf } from '../sim/executor.ts';
import { slotId, type Timeline } from './timeline.ts';

/**
 * What the reference accumulator (spec qa-sequence-models.md) says each executed request should
 * output, replaying the executed rows on their slots' states as the outputs oracle does: START
 * restarts from the initial value, a failed batch makes the slot's later state unknowable.
 * `undefined` for a request means the reference cannot know (never-initialised or unknown state).
 */
export function referenceOutputs(timeline: Timeline, model: ModelConfig): ReadonlyMap<string, number | undefined> {
  const accumulator = accumulatorOf(model);
  const states = new Map<string, number | undefined>();
  const expected = new Map<string, number | undefined>();
  const failedBatches = new Set(timeline.batches.filter((b) => b.ok === false).map((b) => `${b.instance}:${b.batch}`));
  for (const row of timeline.executed) {
    if (expected.has(row.request)) continue;
    const slot = slotId(row.instance, row.slot);
    const value = timeline.requests.get(row.request)?.value;
    const base = row.start ? accumulator.initialValue : states.get(slot);
    const step = value === undefined ? undefined : accumulate(accumulator, { ready: true, start: row.start, end: row.end, input: value, corrid: row.corrid }, base);
    const failed = failedBatches.has(`${row.instance}:${row.batch}`);
    states.set(slot, step?.kind === 'output' && !failed ? step.state : undefined);
    expected.set(row.request, step?.kind === 'output' && !failed ? step.output : undefined);
  }
  return expected;
}
