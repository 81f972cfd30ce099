import type { Clock } from '../src/core/ports.ts';
import type { EventSink, TraceEvent, TraceEventBody } from '../src/core/events.ts';
import { LineFile } from '../traces/line-file.ts';
import { TraceLineWriter } from '../traces/trace-stream.ts';
import { finishTrace, violationEvents, type TraceHeader } from '../traces/writer.ts';

export interface ServeTraceOptions {
  /** Events kept in memory for the oracles; later ones are only written (or, without a file, only counted). */
  readonly keepEvents: number;
  /** Stream every line to this file as it happens (header first, summary on finish). */
  readonly file?: string;
  /** Called once, when the kept events reach keepEvents. */
  readonly onFull?: (keepEvents: number) => void;
}

/** What the oracles saw and what the trace holds once the server stopped. */
export interface FinishedServeTrace {
  /** The kept events then the violation events (line i+1 of the trace is events[i]). */
  readonly events: TraceEvent[];
  /** The trace's lines when it was kept in memory; empty when it was streamed to `file`. */
  readonly lines: readonly string[];
  readonly hash: string;
  /** Events recorded past the bound: in the streamed file, unchecked; without a file, dropped. */
  readonly uncheckedEvents: number;
  /** Why the file could not be written in full, if it could not. */
  readonly writeFailure: string | undefined;
}

/**
 * A server's trace recorder: a server runs until stopped, so its trace must not grow in memory
 * without limit (the simulator's recorder asserts its budget, which in a server would stop it
 * answering). Every event is stamped and, with a file, written as it happens; the first
 * `keepEvents` are also kept for the oracles, which check that prefix when the server stops.
 */
export class ServeTraceRecorder implements EventSink {
  readonly enabled = true;
  private readonly kept: TraceEvent[] = [];
  private unchecked = 0;
  private readonly file: LineFile | undefined;
  private readonly writer: TraceLineWriter | undefined;

  constructor(
    private readonly clock: Clock,
    private readonly header: TraceHeader,
    private readonly options: ServeTraceOptions,
  ) {
    if (options.file !== undefined) {
      const file = new LineFile(options.file);
      this.file = file;
      this.writer = new TraceLineWriter((line) => file.line(line), header);
    }
  }

  /** The events the oracles will check. */
  get events(): readonly TraceEvent[] {
    return this.kept;
  }

  /** True once events go unchecked (the run is judged like one that ran out of budget). */
  get full(): boolean {
    return this.unchecked > 0;
  }

  emit(body: TraceEventBody): void {
    const event = { t: this.clock.nowUs(), ...body } as TraceEvent;
    this.writer?.event(event);
    if (this.kept.length < this.options.keepEvents) {
      this.kept.push(event);
      return;
    }
    if (this.unchecked++ === 0) this.options.onFull?.(this.options.keepEvents);
  }

  /** Appends one violation event per failure at `endUs`, then the summary; closes the file. */
  finish(violations: readonly { readonly oracle: string; readonly message: string; readonly events: readonly number[] }[], endUs: number): FinishedServeTrace {
    if (this.writer === undefined || this.file === undefined) {
      const trace = finishTrace(this.header, this.kept, violations, endUs);
      return { events: trace.events, lines: trace.lines, hash: trace.hash, uncheckedEvents: this.unchecked, writeFailure: undefined };
    }
    const tail = violationEvents(violations, endUs);
    for (const event of tail) this.writer.event(event);
    const hash = this.writer.finish();
    this.file.close();
    return { events: [...this.kept, ...tail], lines: [], hash, uncheckedEvents: this.unchecked, writeFailure: this.file.failure };
  }
}
