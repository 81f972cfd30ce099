import type { TraceEvent } from '../src/core/events.ts';
import type { ModelConfig } from '../src/config/types.ts';
import { parseScenario } from '../src/scenario/load.ts';
import { readTraceFile } from '../traces/read.ts';
import type { TraceHeader } from '../traces/writer.ts';
import type { SlotLayout } from './timeline.ts';

/** A trace file as the viz commands need it: events, header, and the model when the header's scenario parses. */
export interface VizInput {
  readonly file: string;
  readonly header: TraceHeader;
  readonly events: readonly TraceEvent[];
  readonly model: ModelConfig | undefined;
  readonly layout: SlotLayout | undefined;
}

/** Reads a JSONL trace (InputError naming file, line and field on bad input). */
export function readVizInput(file: string): VizInput {
  const trace = readTraceFile(file);
  const model = modelOf(trace.header);
  return {
    file,
    header: trace.header,
    events: trace.events,
    model,
    layout: model === undefined ? undefined : { instanceCount: model.instanceCount, slotsPerInstance: model.slotsPerInstance },
  };
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
