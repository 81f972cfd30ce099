import type { Clock } from '../src/core/ports.ts';
import type { EventSink, TraceEvent, TraceEventBody } from '../src/core/events.ts';
import { assert } from '../src/core/assert.ts';

/** Collects trace events in order, stamping each with the clock's time. */
export class TraceRecorder implements EventSink {
  readonly events: TraceEvent[] = [];

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
    assert(this.events.length < this.maxEvents * 4 + 1000, 'trace stays within its event budget');
    this.events.push({ t: this.clock.nowUs(), ...body } as TraceEvent);
  }
}
