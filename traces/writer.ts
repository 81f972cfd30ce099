import type { TraceEvent } from '../src/core/events.ts';
import { TOOL_VERSION, TRACE_FORMAT, TRACE_VERSION } from './version.ts';
import { TraceLineWriter } from './trace-stream.ts';

export interface TraceHeader {
  readonly type: 'header';
  readonly format: typeof TRACE_FORMAT;
  readonly version: typeof TRACE_VERSION;
  readonly seed: number;
  readonly tool: string;
  readonly clock: 'virtual' | 'real';
  /** `"client"`: recorded by a client (`seqsim drive`), which sees sends and responses only. Absent: the batcher's own view. */
  readonly recorded_from?: 'client';
  readonly scenario: Readonly<Record<string, unknown>>;
  readonly options: Readonly<Record<string, unknown>>;
}

export function makeHeader(
  seed: number,
  scenario: Readonly<Record<string, unknown>>,
  options: Readonly<Record<string, unknown>>,
  clock: 'virtual' | 'real' = 'virtual',
  recordedFrom?: 'client',
): TraceHeader {
  const view = recordedFrom === undefined ? {} : { recorded_from: recordedFrom };
  return { type: 'header', format: TRACE_FORMAT, version: TRACE_VERSION, seed, tool: TOOL_VERSION, clock, ...view, scenario, options };
}

export interface SerializedTrace {
  /** Every line, header first, summary last, without trailing newlines. */
  readonly lines: readonly string[];
  readonly hash: string;
}

/**
 * Serialises a run: header, events, then a summary whose hash covers every earlier line (each
 * followed by "\n"). Key order is the objects' creation order, fixed by the event builders.
 */
export function serializeTrace(header: TraceHeader, events: readonly TraceEvent[], summaryExtra?: { readonly interrupted: number }): SerializedTrace {
  const lines: string[] = [];
  const writer = new TraceLineWriter((line) => lines.push(line), header);
  for (const event of events) writer.event(event);
  const hash = writer.finish(summaryExtra);
  return { lines, hash };
}

export function traceText(trace: SerializedTrace): string {
  return `${trace.lines.join('\n')}\n`;
}

/** One `violation` event per failed check, at the run's end time (they follow the run's events). */
export function violationEvents(
  violations: readonly { readonly oracle: string; readonly message: string; readonly events: readonly number[] }[],
  endUs: number,
): TraceEvent[] {
  return violations.map((violation) => ({ t: endUs, type: 'violation', oracle: violation.oracle, message: violation.message, events: [...violation.events] }));
}

/**
 * The end of every checked run (simulated, live or served): violation events appended at `endUs`,
 * then serialised. `serialize: false` keeps the events and skips the lines and hash.
 */
export function finishTrace(
  header: TraceHeader,
  events: readonly TraceEvent[],
  violations: readonly { readonly oracle: string; readonly message: string; readonly events: readonly number[] }[],
  endUs: number,
  options: { readonly serialize?: boolean; readonly summaryExtra?: { readonly interrupted: number } } = {},
): { events: TraceEvent[]; lines: readonly string[]; hash: string } {
  const all = [...events, ...violationEvents(violations, endUs)];
  const serialized = options.serialize === false ? { lines: [], hash: '' } : serializeTrace(header, all, options.summaryExtra);
  return { events: all, lines: serialized.lines, hash: serialized.hash };
}
