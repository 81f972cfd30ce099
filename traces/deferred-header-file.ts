import { closeSync, lstatSync, openSync, readSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash, type Hash } from 'node:crypto';
import type { TraceEvent } from '../src/core/events.ts';
import { assert } from '../src/core/assert.ts';
import { errorMessage } from '../src/core/error-message.ts';
import { JsonBytesWriter } from './json-bytes.ts';
import { TraceTally, type TraceCounts } from './trace-stream.ts';

/** Bytes copied (and hashed) per read when the events join a header other than the one expected. */
const COPY_CHUNK_BYTES = 4 * 1024 * 1024;

/**
 * A trace streamed to disk while its run goes on, for a run whose header is only known at its end
 * (the simulator records whether the run stalled). Lines go to a temporary file beside the trace
 * as they happen, so memory does not grow with the run. The bytes equal serializeTrace's for the
 * same header and events (the hash covers each line followed by "\n").
 *
 * Most runs end with the header they expected (`expectedHeader`: a run that does not stall): the
 * temporary file then starts with it, the hash is computed on the bytes as they are written, and
 * `finish` appends the summary and renames the file into place. Otherwise `finish` writes the real
 * header and copies the events after it, hashing them then.
 */
export class DeferredHeaderTraceFile {
  private readonly eventsPath: string;
  private readonly fd: number;
  private readonly writer: JsonBytesWriter;
  private readonly tally = new TraceTally();
  /**
   * The expected header, its line's length in bytes, and the hash of everything written from it on
   * (undefined: no header expected). Not its line: a million-request scenario's is tens of MB.
   */
  private readonly expected: { readonly header: object; readonly bytes: number; readonly hasher: Hash } | undefined;
  private failure: string | undefined;
  private finished = false;

  constructor(
    readonly path: string,
    expectedHeader?: object,
  ) {
    this.eventsPath = eventsPathFor(path);
    this.fd = openSync(this.eventsPath, 'w');
    this.writer = new JsonBytesWriter((bytes) => this.write(bytes));
    if (expectedHeader !== undefined) {
      const line = Buffer.from(`${JSON.stringify(expectedHeader)}\n`, 'utf8');
      this.expected = { header: expectedHeader, bytes: line.length, hasher: createHash('sha256') };
      this.write(line);
    }
  }

  event(event: TraceEvent): void {
    assert(!this.finished, 'a finished trace takes no more events');
    this.tally.count(event);
    this.writer.line(event);
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
      this.writer.flush();
      // The expected header itself (the common case) needs no second serialisation to compare.
      const expected = this.expected !== undefined && sameJson(header, this.expected.header) ? this.expected : undefined;
      let hash: string | undefined;
      try {
        if (this.failure !== undefined) throw new Error(`cannot write ${this.eventsPath}: ${this.failure}`);
        if (expected !== undefined) {
          hash = expected.hasher.digest('hex');
          writeAll(this.fd, Buffer.from(`${this.tally.summaryLine(hash, summaryExtra)}\n`));
        }
      } finally {
        closeSync(this.fd);
      }
      if (hash === undefined) return this.joinHeader(`${JSON.stringify(header)}\n`, summaryExtra);
      placeFile(this.eventsPath, this.path);
      return hash;
    } finally {
      rmSync(this.eventsPath, { force: true });
    }
  }

  /** Drops the temporary file (a run that failed before its end). */
  abort(): void {
    if (this.finished) return;
    this.finished = true;
    closeSync(this.fd);
    rmSync(this.eventsPath, { force: true });
  }

  /** A write error stops the writing (reported by `finish`), never the run. */
  private write(bytes: Uint8Array): void {
    if (this.failure !== undefined) return;
    this.expected?.hasher.update(bytes);
    try {
      writeAll(this.fd, bytes);
    } catch (error) {
      this.failure = errorMessage(error);
    }
  }

  /** The trace with a header other than the one expected: that header, the events copied after it and hashed, the summary. */
  private joinHeader(headerLine: string, summaryExtra: { readonly interrupted: number } | undefined): string {
    const hasher = createHash('sha256');
    const out = openSync(this.path, 'w');
    try {
      hasher.update(headerLine);
      writeAll(out, Buffer.from(headerLine));
      copyFile(this.eventsPath, this.expected?.bytes ?? 0, out, (bytes) => hasher.update(bytes));
      const hash = hasher.digest('hex');
      writeAll(out, Buffer.from(`${this.tally.summaryLine(hash, summaryExtra)}\n`));
      return hash;
    } finally {
      closeSync(out);
    }
  }
}

/**
 * Moves the finished file to the trace's path: a rename when the trace is (or will be) a plain
 * file beside it; a copy into it otherwise (a device or pipe such as /dev/stdout, or a link, which
 * keeps pointing where it did).
 */
function placeFile(from: string, to: string): void {
  let renames = true;
  try {
    renames = lstatSync(to).isFile();
  } catch {
    // Not there yet: it will be a plain file.
  }
  if (renames && isBeside(from, to)) {
    renameSync(from, to);
    return;
  }
  const out = openSync(to, 'w');
  try {
    copyFile(from, 0, out, () => {});
  } finally {
    closeSync(out);
  }
}

/** Copies `from`, starting at byte `offset`, to the open file `out`, showing each chunk to `see` first. */
function copyFile(from: string, offset: number, out: number, see: (bytes: Uint8Array) => void): void {
  const input = openSync(from, 'r');
  try {
    const chunk = Buffer.allocUnsafe(COPY_CHUNK_BYTES);
    let position = offset;
    for (let read = readSync(input, chunk, 0, chunk.length, position); read > 0; read = readSync(input, chunk, 0, chunk.length, position)) {
      position += read;
      const bytes = chunk.subarray(0, read);
      see(bytes);
      writeAll(out, bytes);
    }
  } finally {
    closeSync(input);
  }
}

let temporaryFiles = 0;

/**
 * Beside the trace (same file system, so a long run's events never fill a RAM-backed /tmp, and the
 * finished file is renamed into place), unless the trace is not a plain file (`--trace
 * /dev/stdout`): then in the system's temporary folder.
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

function sameJson(a: object, b: object): boolean {
  return a === b || JSON.stringify(a) === JSON.stringify(b);
}

function isBeside(eventsPath: string, path: string): boolean {
  return eventsPath.startsWith(`${path}.`);
}

/** writeSync may write less than asked: loop until every byte is out. */
function writeAll(fd: number, bytes: Uint8Array): void {
  for (let offset = 0; offset < bytes.length; ) offset += writeSync(fd, bytes, offset);
}
