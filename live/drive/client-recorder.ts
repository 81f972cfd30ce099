import type { TraceEvent, TraceEventBody } from '../../src/core/events.ts';
import type { TraceStreamWriter } from '../../traces/stream-writer.ts';
import { wallClockMs } from '../wall-clock.ts';

/** Something that reads the client's events as they are recorded (the oracles, the timeline). */
export interface EventObserver {
  observe(event: TraceEvent, line: number): void;
}

/**
 * The client's clock and trace: every event gets the wall-clock µs since the run started, goes to
 * disk at once (nothing is kept) and to the observers with its trace line.
 */
export class ClientRecorder {
  private readonly startedMs = wallClockMs();
  private lastUs = 0;

  constructor(
    private readonly writer: TraceStreamWriter,
    private readonly observers: readonly EventObserver[],
  ) {}

  /** µs since the run started (never going back). */
  nowUs(): number {
    this.lastUs = Math.max(this.lastUs, Math.round((wallClockMs() - this.startedMs) * 1000));
    return this.lastUs;
  }

  record(body: TraceEventBody): number {
    const event = { t: this.nowUs(), ...body } as TraceEvent;
    const line = this.writer.write(event);
    for (const observer of this.observers) observer.observe(event, line);
    return line;
  }

  /** Resolves at `atUs` µs after the run started (at once if that has passed). */
  sleepUntil(atUs: number): Promise<void> {
    const waitMs = (atUs - this.nowUs()) / 1000;
    return waitMs <= 0 ? Promise.resolve() : new Promise((resolve) => setTimeout(resolve, waitMs));
  }
}
