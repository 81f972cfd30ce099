import { closeSync, openSync, readSync, rmSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import type { TraceEvent } from '../src/core/events.ts';
import { assert } from '../src/core/assert.ts';
import { LineFile } from './line-file.ts';
import { TraceTally, type TraceCounts } from './trace-stream.ts';

/** Bytes copied (and hashed) per read when the events join the header. */
const COPY_CHUNK_BYTES = 4 * 1024 * 1024;

/**
 * A trace streamed to disk while its run goes on, for a run whose header is only known at its end
 * (the simulator records whether the run stalled). Events go to a temporary file beside the trace
 * as they happen, so memory does not grow with the run; `finish` writes the header, copies the
 * events after it while hashing them, then the summary. The bytes equal serializeTrace's for the
 * same header and events (the hash covers each line followed by "\n").
 */
export class DeferredHeaderTraceFile {
  private readonly eventsPath: string;
  private readonly events: LineFile;
  private readonly tally = new TraceTally();
  private finished = false;

  constructor(readonly path: string) {
    this.eventsPath = eventsPathFor(path);
    this.events = new LineFile(this.eventsPath);
  }

  event(event: TraceEvent): void {
    assert(!this.finished, 'a finished trace takes no more events');
    this.tally.count(event);
    this.events.line(JSON.stringify(event));
  }

  /** What the events written so far count. */
  counts(): TraceCounts {
    return this.tally.counts();
  }

  /** Writes the trace (header, events, summary), removes the temporary file and returns the hash; throws if a write failed. */
  finish(header: object, summaryExtra?: { readonly interrupted: number }): string {
    assert(!this.finished, 'a trace is finished once');
    this.finished = true;
    try {
      this.events.close();
      if (this.events.failure !== undefined) throw new Error(`cannot write ${this.eventsPath}: ${this.events.failure}`);
      const hasher = createHash('sha256');
      const out = openSync(this.path, 'w');
      try {
        const headerLine = `${JSON.stringify(header)}\n`;
        hasher.update(headerLine);
        writeAll(out, Buffer.from(headerLine));
        const input = openSync(this.eventsPath, 'r');
        try {
          const chunk = Buffer.allocUnsafe(COPY_CHUNK_BYTES);
          for (let read = readSync(input, chunk); read > 0; read = readSync(input, chunk)) {
            const bytes = chunk.subarray(0, read);
            hasher.update(bytes);
            writeAll(out, bytes);
          }
        } finally {
          closeSync(input);
        }
        const hash = hasher.digest('hex');
        writeAll(out, Buffer.from(`${this.tally.summaryLine(hash, summaryExtra)}\n`));
        return hash;
      } finally {
        closeSync(out);
      }
    } finally {
      rmSync(this.eventsPath, { force: true });
    }
  }

  /** Drops the temporary file (a run that failed before its end). */
  abort(): void {
    if (this.finished) return;
    this.finished = true;
    this.events.close();
    rmSync(this.eventsPath, { force: true });
  }
}

let temporaryFiles = 0;

/**
 * Beside the trace (same file system, so a long run's events never fill a RAM-backed /tmp), unless
 * the trace is not a plain file (`--trace /dev/stdout`): then in the system's temporary folder.
 */
export function eventsPathFor(path: string): string {
  const name = `${process.pid}-${temporaryFiles++}.events.tmp`;
  let plain = true;
  try {
    plain = statSync(path).isFile();
  } catch {
    // Not there yet: it will be a plain file.
  }
  return plain ? `${path}.${name}` : join(tmpdir(), `seqsim-trace-${name}`);
}

/** writeSync may write less than asked: loop until every byte is out. */
function writeAll(fd: number, bytes: Buffer): void {
  for (let offset = 0; offset < bytes.length; ) offset += writeSync(fd, bytes, offset);
}
