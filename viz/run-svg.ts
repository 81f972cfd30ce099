import type { TraceEvent } from '../src/core/events.ts';
import type { TraceHeader } from '../traces/writer.ts';
import { renderTimeline, type RenderedTimeline, type TimelineSvgOptions } from './svg.ts';
import { buildTimeline } from './timeline.ts';
import { modelOf, runLabel } from './trace-input.ts';

/**
 * The timeline picture of a run or trace: slots from the header's model, title from its scenario
 * name and seed. What `seqsim viz` draws, and what `run`/`explore`/`shrink --svg` can write.
 */
export function timelineOfTrace(header: TraceHeader, events: readonly TraceEvent[], options: TimelineSvgOptions = {}): RenderedTimeline {
  const model = modelOf(header);
  const layout = options.layout ?? (model === undefined ? undefined : { instanceCount: model.instanceCount, slotsPerInstance: model.slotsPerInstance });
  const scenario = header.scenario['name'];
  const title = options.title ?? `${typeof scenario === 'string' ? scenario : 'trace'} · ${runLabel(header)}`;
  return renderTimeline(buildTimeline(events, layout), { clock: header.clock, ...options, title, ...(layout === undefined ? {} : { layout }) });
}
