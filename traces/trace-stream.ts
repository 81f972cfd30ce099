import { createHash, type Hash } from 'node:crypto';
import type { TraceEvent } from '../src/core/events.ts';

const HASH_CHUNK_CHARS = 1 << 16;

/** What a run report counts: its events, requests sent, responses (errors among them), batches executed. */
export interface TraceCounts {
  readonly events: number;
  readonly requests: number;
  readonly responses: number;
  readonly errors: number;
  readonly batches: number;
}

/** What a trace's summary line (and a run report) counts, tallied as its events go by. */
export class TraceTally {
  private requests = 0;
  private responses = 0;
  private errors = 0;
  private batches = 0;
  private violations = 0;
  private events = 0;
  private lastUs = 0;

  count(event: TraceEvent): void {
    if (event.type === 'send') this.requests++;
    else if (event.type === 'response') {
      this.responses++;
      if ('error' in event) this.errors++;
    } else if (event.type === 'execute') this.batches++;
    else if (event.type === 'violation') this.violations++;
    this.events++;
    this.lastUs = event.t;
  }

  /** The counts so far (violation events are counted among the events). */
  counts(): TraceCounts {
    return { events: this.events, requests: this.requests, responses: this.responses, errors: this.errors, batches: this.batches };
  }

  /** The summary line. `interrupted` only in runs that switch models (TRACE.md). */
  summaryLine(hash: string, summaryExtra?: { readonly interrupted: number }): string {
    const interrupted = summaryExtra !== undefined ? { interrupted: summaryExtra.interrupted } : {};
    const summary = { t: this.lastUs, type: 'summary', requests: this.requests, responses: this.responses, violations: this.violations, ...interrupted };
    return JSON.stringify({ ...summary, events: this.events, hash });
  }
}

/**
 * A trace written one line at a time: header, events, then the summary whose hash covers every
 * earlier line (each followed by "\n"). serializeTrace writes through it, and a long-running
 * server streams its trace to disk with it, so both produce the same bytes for the same events.
 */
export class TraceLineWriter {
  private readonly hasher: Hash = createHash('sha256');
  /** Lines not yet hashed: hashing ~64 KiB at a time instead of twice per line saves a native call per line. */
  private unhashed = '';
  private readonly tally = new TraceTally();

  constructor(
    private readonly sink: (line: string) => void,
    /** The header object (writer.ts's TraceHeader), written as line 1. */
    header: object,
  ) {
    this.push(JSON.stringify(header));
  }

  event(event: TraceEvent): void {
    this.tally.count(event);
    this.push(JSON.stringify(event));
  }

  /** Writes the summary line and returns the hash. `interrupted` only in runs that switch models (TRACE.md). */
  finish(summaryExtra?: { readonly interrupted: number }): string {
    this.flushHash();
    const hash = this.hasher.digest('hex');
    this.sink(this.tally.summaryLine(hash, summaryExtra));
    return hash;
  }

  private push(line: string): void {
    this.sink(line);
    this.unhashed += `${line}\n`;
    if (this.unhashed.length >= HASH_CHUNK_CHARS) this.flushHash();
  }

  private flushHash(): void {
    this.hasher.update(this.unhashed);
    this.unhashed = '';
  }
}

/** TraceTally's counts over a whole list of events. */
export function countEvents(events: readonly TraceEvent[]): TraceCounts {
  const tally = new TraceTally();
  for (const event of events) tally.count(event);
  return tally.counts();
}
