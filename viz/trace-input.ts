import type { TraceEvent } from '../src/core/events.ts';
import type { ModelConfig } from '../src/config/types.ts';
import { parseScenario } from '../src/scenario/load.ts';
import { forEachTraceEvent, verifyTrace, type TraceLimits } from '../traces/read.ts';
import type { TraceHeader } from '../traces/writer.ts';
import { buildTimelineFrom, type SlotLayout, type Timeline } from './timeline.ts';

/**
 * A trace file as the viz commands read it: checked whole first (every line against the schema,
 * the summary's hash and counts), then streamed again for drawing, so no trace is ever held in
 * memory as text or as an event list; only the events that violations name are kept.
 */
export interface VizInput {
  readonly file: string;
  readonly header: TraceHeader;
  readonly model: ModelConfig | undefined;
  readonly layout: SlotLayout | undefined;
  /** Lines after the header (the summary included). */
  readonly eventCount: number;
  /** What is wrong with the trace, when --force drew it anyway: shown as a banner; undefined when sound. */
  readonly damage: string | undefined;
  /** Visits every event in order, read from the file again; fills `kept` as it goes. */
  each(visit: (event: TraceEvent, index: number) => void): void;
  /** The events violations name, at their indices (sparse). */
  readonly kept: (TraceEvent | undefined)[];
}

/** Reads a JSONL trace (InputError naming file, line and field on bad input; a damaged trace only with `force`). */
export function readVizInput(file: string, options: { readonly force?: boolean; readonly limits?: TraceLimits } = {}): VizInput {
  const verified = verifyTrace(file, options);
  const model = modelOf(verified.header);
  const kept: (TraceEvent | undefined)[] = [];
  kept.length = verified.eventCount;
  return {
    file,
    header: verified.header,
    model,
    layout: model === undefined ? undefined : { instanceCount: model.instanceCount, slotsPerInstance: model.slotsPerInstance },
    eventCount: verified.eventCount,
    damage: verified.integrity.length === 0 ? undefined : `DAMAGED TRACE, drawn with --force: ${verified.integrity.join('; ')}`,
    each(visit) {
      forEachTraceEvent(
        file,
        (event, index) => {
          if (verified.referenced.has(index)) kept[index] = event;
          visit(event, index);
        },
        options.limits,
      );
    },
    kept,
  };
}

/** The timeline of a streamed trace (one pass over the file); `also` sees every event too. */
export function timelineOfInput(input: VizInput, layout: SlotLayout | undefined, also?: (event: TraceEvent, index: number) => void): Timeline {
  return buildTimelineFrom(
    (visit) =>
      input.each((event, index) => {
        also?.(event, index);
        visit(event, index);
      }),
    input.kept,
    layout,
  );
}

/**
 * The header's model, when its scenario still parses; a picture does not need it (slots are also
 * learnt from the events), so a header this seqsim cannot re-run is drawn anyway.
 */
export function modelOf(header: TraceHeader): ModelConfig | undefined {
  try {
    return parseScenario(header.scenario, 'trace header scenario', '.').model;
  } catch {
    return undefined;
  }
}

/**
 * How a picture names the run: its seed for a simulated run; for a real-clock run what produced it
 * (`serve` has no workload seed: HTTP clients sent its requests) and the provider that ran it.
 */
export function runLabel(header: TraceHeader): string {
  const provider = header.options['execution_provider'];
  const on = typeof provider === 'string' ? ` on ${provider}` : '';
  if (header.options['front_end'] !== undefined) return `served over HTTP${on}`;
  if (header.clock === 'real') return `live, seed ${header.seed}${on}`;
  return `seed ${header.seed}`;
}
