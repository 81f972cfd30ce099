import type { Clock } from '../src/core/ports.ts';
import { showsActivity, type EventSink, type TraceEvent, type TraceEventBody } from '../src/core/events.ts';
import { assert } from '../src/core/assert.ts';

/**
 * Collects trace events in order, stamping each with the clock's time: kept in `events`, or, once
 * `streamTo` is called, handed to an observer as they happen and not kept (a streamed run's
 * memory then does not grow with its history).
 */
export class TraceRecorder implements EventSink {
  readonly events: TraceEvent[] = [];
  private recorded = 0;
  private observer: ((event: TraceEvent) => void) | undefined;
  /** When the last event that shows the world doing something happened (the stall watch's progress). */
  lastActivityUs = 0;

  constructor(
    private readonly clock: Clock,
    private readonly maxEvents: number,
    /** false: discard events (benchmarks of the kernel and batcher alone). */
    readonly enabled = true,
  ) {}

  emit(body: TraceEventBody): void {
    if (!this.enabled) return;
    // A run past its budget stops recording rather than growing without limit; the event loop
    // stops at the same budget, so this only guards pathological single tasks.
    assert(this.recorded < this.maxEvents * 4 + 1000, 'trace stays within its event budget');
    this.recorded++;
    const event = { t: this.clock.nowUs(), ...body } as TraceEvent;
    if (showsActivity(event)) this.lastActivityUs = event.t;
    if (this.observer !== undefined) this.observer(event);
    else this.events.push(event);
  }

  /** From now on every event goes to `observer` instead of `events` (those kept so far first). */
  streamTo(observer: (event: TraceEvent) => void): void {
    assert(this.observer === undefined, 'a recorder streams to one observer');
    for (const event of this.events) observer(event);
    this.events.length = 0;
    this.observer = observer;
  }
}
