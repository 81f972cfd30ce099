import { createHash, type Hash } from 'node:crypto';
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import type { TraceEvent } from '../src/core/events.ts';
import { assert } from '../src/core/assert.ts';
import type { TraceHeader } from './writer.ts';

/** Lines are written in chunks of about this many bytes: one write per chunk, not per event. */
const CHUNK_BYTES = 64 * 1024;

/**
 * A trace written to disk as it happens (a long `seqsim drive` run keeps no event list): the same
 * lines and summary as serializeTrace, with the hash computed on the way. Only counters stay in
 * memory. `write` returns the event's line index (header = 0), which violations point at.
 */
export class TraceStreamWriter {
  private readonly fd: number;
  private readonly hasher: Hash = createHash('sha256');
  private pending: string[] = [];
  private pendingBytes = 0;
  private lines = 0;
  private lastT = 0;
  private requests = 0;
  private responses = 0;
  private violations = 0;
  private events = 0;
  private finished = false;

  constructor(
    readonly path: string,
    header: TraceHeader,
  ) {
    mkdirSync(dirname(path), { recursive: true });
    this.fd = openSync(path, 'w');
    this.push(JSON.stringify(header));
  }

  /** Appends one event (its `t` must not go back in time); returns its line index. */
  write(event: TraceEvent): number {
    assert(!this.finished, 'no event after the summary');
    assert(event.t >= this.lastT, 'trace times never go back');
    this.lastT = event.t;
    this.events++;
    if (event.type === 'send') this.requests++;
    else if (event.type === 'response') this.responses++;
    else if (event.type === 'violation') this.violations++;
    return this.push(JSON.stringify(event));
  }

  /** The summary line (hash of every earlier line), then the file is closed. Returns the hash. */
  finish(): string {
    assert(!this.finished, 'a trace is finished once');
    this.finished = true;
    this.flush();
    const hash = this.hasher.digest('hex');
    const summary = {
      t: this.lastT,
      type: 'summary',
      requests: this.requests,
      responses: this.responses,
      violations: this.violations,
      events: this.events,
      hash,
    };
    writeSync(this.fd, `${JSON.stringify(summary)}\n`);
    closeSync(this.fd);
    return hash;
  }

  private push(line: string): number {
    this.pending.push(line, '\n');
    this.pendingBytes += line.length + 1;
    if (this.pendingBytes >= CHUNK_BYTES) this.flush();
    return this.lines++;
  }

  /** Writes and hashes a chunk of lines at once (one hash update per chunk, not per line). */
  private flush(): void {
    if (this.pending.length === 0) return;
    const chunk = this.pending.join('');
    this.hasher.update(chunk);
    writeSync(this.fd, chunk);
    this.pending = [];
    this.pendingBytes = 0;
  }
}
