import { closeSync, readSync } from 'node:fs';
import { FileReadProblem, GiB, MiB, formatLimit, openRegularFile } from '../src/core/bounded-read.ts';
import { InputError } from '../src/core/input-errors.ts';

/** How much of a trace file seqsim reads (docs/robustness.md); tests pass smaller ones. */
export interface TraceLimits {
  /** The whole file. */
  readonly maxBytes: number;
  /** One line (the header carries the whole normalised scenario, so it is the longest). */
  readonly maxLineBytes: number;
}

/** V8's longest string (2^29 - 24 one-byte characters): no JSON line longer than this can be written or parsed. */
export const MAX_STRING_BYTES = 2 ** 29 - 24;

/**
 * Traces are read line by line, so their size is bounded by time, not memory. A line must fit one
 * JavaScript string (V8 stops near 512 MiB, which is also where the writer stops).
 */
export const TRACE_LIMITS: TraceLimits = { maxBytes: 64 * GiB, maxLineBytes: MAX_STRING_BYTES };

const CHUNK_BYTES = 4 * MiB;

/**
 * Calls `visit` with each line of a regular file (without its "\n" or a CRLF's "\r") and its
 * 1-based number; `visit` returns false to stop early. Memory: one chunk plus the longest line.
 * Problems are InputErrors naming the file (and the line).
 */
export function forEachLine(file: string, what: string, limits: TraceLimits, visit: (line: string, lineNumber: number) => unknown): void {
  let opened: { fd: number; size: number };
  try {
    opened = openRegularFile(file, limits.maxBytes);
  } catch (error) {
    if (error instanceof FileReadProblem) throw new InputError(file, '', `cannot read ${what}: ${error.problem}`);
    throw error;
  }
  const { fd } = opened;
  try {
    const chunk = Buffer.allocUnsafe(CHUNK_BYTES);
    /** The start of the current line, when it began in an earlier chunk. */
    let pending: Buffer[] = [];
    let pendingBytes = 0;
    let lineNumber = 1;
    let total = 0;
    const emit = (bytes: Buffer): boolean => {
      let end = bytes.length;
      if (end > 0 && bytes[end - 1] === 0x0d) end--;
      let line: string;
      try {
        line = bytes.toString('utf8', 0, end);
      } catch {
        throw new InputError(file, `line ${lineNumber}`, `longer than this seqsim can hold in one string (${formatLimit(end)})`);
      }
      return visit(line, lineNumber++) !== false;
    };
    const tooLong = (): InputError =>
      new InputError(file, `line ${lineNumber}`, `longer than the ${formatLimit(limits.maxLineBytes)} a trace line may have: not a seqsim ${what}`);
    for (;;) {
      const read = readSync(fd, chunk, 0, chunk.length, null);
      if (read === 0) break;
      total += read;
      if (total > limits.maxBytes) throw new InputError(file, '', `cannot read ${what}: grew past the ${formatLimit(limits.maxBytes)} limit while being read`);
      let start = 0;
      for (;;) {
        const newline = chunk.indexOf(0x0a, start);
        if (newline < 0 || newline >= read) break;
        const piece = chunk.subarray(start, newline);
        if (pendingBytes + piece.length > limits.maxLineBytes) throw tooLong();
        const keepGoing = pending.length === 0 ? emit(piece) : emit(Buffer.concat([...pending, piece]));
        pending = [];
        pendingBytes = 0;
        if (!keepGoing) return;
        start = newline + 1;
      }
      if (start < read) {
        pendingBytes += read - start;
        if (pendingBytes > limits.maxLineBytes) throw tooLong();
        // Copied: the chunk buffer is reused by the next read.
        pending.push(Buffer.from(chunk.subarray(start, read)));
      }
    }
    // A last line without "\n".
    if (pendingBytes > 0) emit(Buffer.concat(pending));
  } finally {
    closeSync(fd);
  }
}
