import type { TraceEvent } from '../src/core/events.ts';

/** What a run report counts: requests sent, responses (errors among them), batches executed, trace events. */
export interface RunCounts {
  /** The run's events (violation events not included). */
  readonly events: number;
  readonly requests: number;
  readonly responses: number;
  readonly errors: number;
  readonly batches: number;
}

/** Counts a run's events as they go by (a streamed run keeps none to count afterwards). */
export class RunCounter {
  private requests = 0;
  private responses = 0;
  private errors = 0;
  private batches = 0;
  private events = 0;

  count(event: TraceEvent): void {
    this.events++;
    if (event.type === 'send') this.requests++;
    else if (event.type === 'response') {
      this.responses++;
      if ('error' in event) this.errors++;
    } else if (event.type === 'execute') this.batches++;
  }

  totals(): RunCounts {
    return { events: this.events, requests: this.requests, responses: this.responses, errors: this.errors, batches: this.batches };
  }
}

/** RunCounter over a whole trace. */
export function countRun(events: readonly TraceEvent[]): RunCounts {
  const counter = new RunCounter();
  for (const event of events) counter.count(event);
  return counter.totals();
}
