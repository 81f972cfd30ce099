import type { TraceEvent } from '../src/core/events.ts';
import type { TraceHeader } from '../traces/writer.ts';
import { renderTimeline, type RenderedTimeline, type TimelineSvgOptions } from './svg.ts';
import { buildTimeline, type SlotLayout, type Timeline } from './timeline.ts';
import { modelOf, runLabel } from './trace-input.ts';

/**
 * The timeline picture of a run or trace: slots from the header's model, title from its scenario
 * name and seed. What `seqsim viz` draws, and what `run`/`explore`/`shrink --svg` can write.
 */
export function timelineOfTrace(header: TraceHeader, events: readonly TraceEvent[], options: TimelineSvgOptions = {}): RenderedTimeline {
  return timelineOfTraceWith(header, (layout) => buildTimeline(events, layout), options);
}

/** As timelineOfTrace, with the timeline built by `build` (from a trace streamed off its file). */
export function timelineOfTraceWith(
  header: TraceHeader,
  build: (layout: SlotLayout | undefined) => Timeline,
  options: TimelineSvgOptions = {},
  /** Shown before the title (a damaged trace drawn with --force). */
  banner?: string,
): RenderedTimeline {
  const model = modelOf(header);
  const layout = options.layout ?? (model === undefined ? undefined : { instanceCount: model.instanceCount, slotsPerInstance: model.slotsPerInstance });
  const scenario = header.scenario['name'];
  const title = options.title ?? `${typeof scenario === 'string' ? scenario : 'trace'} · ${runLabel(header)}`;
  return renderTimeline(build(layout), {
    clock: header.clock,
    ...options,
    title: banner === undefined ? title : `⚠ ${banner} — ${title}`,
    ...(layout === undefined ? {} : { layout }),
  });
}
