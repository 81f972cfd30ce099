import { createHash } from 'node:crypto';
import { InputError } from '../src/core/input-errors.ts';
import type { TraceEvent } from '../src/core/events.ts';
import { scanJson } from '../src/config/strict-json.ts';
import { forEachLine, TRACE_LIMITS, type TraceLimits } from './line-reader.ts';
import { checkTraceLine } from './trace-schema.ts';
import { TRACE_FORMAT, TRACE_VERSION } from './version.ts';
import type { TraceHeader } from './writer.ts';
import { seqsimCommandLine } from '../src/core/command-line.ts';
import { readBoundedText } from '../src/core/bounded-read.ts';

export { TRACE_LIMITS, type TraceLimits } from './line-reader.ts';

/**
 * Reading traces. A trace is read line by line (traces/line-reader.ts): never as one string, so its
 * size is bounded by time, not memory. Every line is parsed and checked against the trace schema
 * before use; a problem is an InputError naming the file, the line and the field. CRLF line endings
 * are read as LF (the hash is over the LF text, which is what seqsim wrote).
 */

export interface ParsedTrace {
  readonly header: TraceHeader;
  /** Every line after the header, summary included when present. */
  readonly events: readonly TraceEvent[];
  readonly lines: readonly string[];
}

/** Kept for callers that still hold a trace in memory (parseTrace, readTraceFile): V8 strings stop near 512 MiB anyway. */
export const MAX_TRACE_BYTES = 512 * 1024 * 1024;

/** One line's JSON object; its syntax error is described without quoting the line. */
function parseLine(line: string, file: string, lineNumber: number): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    const problem = scanJson(line);
    const where = problem === undefined ? '' : ` at column ${problem.at + 1}`;
    throw new InputError(file, `line ${lineNumber}`, `not valid JSON${where}: ${problem?.problem ?? 'cannot be parsed'}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InputError(file, `line ${lineNumber}`, 'expected a JSON object');
  }
  return value as Record<string, unknown>;
}

function parseHeader(value: Record<string, unknown>, file: string): TraceHeader {
  const field = (name: string): string => `line 1: ${name}`;
  if (value['type'] !== 'header') throw new InputError(file, field('type'), 'the first line must be the trace header');
  if (value['format'] !== TRACE_FORMAT) throw new InputError(file, field('format'), `expected "${TRACE_FORMAT}"`);
  if (value['version'] !== TRACE_VERSION) {
    throw new InputError(file, field('version'), `unsupported trace version ${JSON.stringify(value['version'])} (this seqsim reads ${TRACE_VERSION})`);
  }
  if (!Number.isSafeInteger(value['seed'])) throw new InputError(file, field('seed'), 'missing or not an integer');
  for (const name of ['scenario', 'options'] as const) {
    const part = value[name];
    if (typeof part !== 'object' || part === null || Array.isArray(part)) throw new InputError(file, field(name), 'missing or not an object');
  }
  if (typeof value['tool'] !== 'string') throw new InputError(file, field('tool'), 'missing or not a string');
  const problem = checkTraceLine('header', value);
  if (problem !== undefined) throw new InputError(file, field(problem[0]), problem[1]);
  return value as unknown as TraceHeader;
}

/** Line `lineNumber` (≥ 2) parsed and checked against the schema of its type. */
function parseEventLine(line: string, file: string, lineNumber: number): TraceEvent {
  const value = parseLine(line, file, lineNumber);
  const at = (name: string): string => (name === '' ? `line ${lineNumber}` : `line ${lineNumber}: ${name}`);
  if (typeof value['type'] !== 'string') throw new InputError(file, at('type'), 'missing or not a string');
  if (value['type'] === 'header') throw new InputError(file, at('type'), 'a second header: only line 1 is the header');
  if (!Number.isSafeInteger(value['t'])) throw new InputError(file, at('t'), 'missing or not an integer µs');
  const problem = checkTraceLine(value['type'], value);
  if (problem !== undefined) throw new InputError(file, at(problem[0]), problem[1]);
  return value as unknown as TraceEvent;
}

/** Reads a trace into memory (lines and events). For large traces use verifyTrace and forEachTraceEvent. */
export function readTraceFile(file: string, limits: TraceLimits = { ...TRACE_LIMITS, maxBytes: MAX_TRACE_BYTES }): ParsedTrace {
  const lines: string[] = [];
  forEachLine(file, 'trace', limits, (line) => {
    lines.push(line);
  });
  return parseTraceLines(lines, file);
}

/** Parses JSONL trace text; every problem names the file, the line and the field. */
export function parseTrace(text: string, file: string): ParsedTrace {
  if (text.length > MAX_TRACE_BYTES) throw new InputError(file, '', 'trace larger than 512 MiB: read it from its file');
  const lines = text.split('\n').map((line) => (line.endsWith('\r') ? line.slice(0, -1) : line));
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return parseTraceLines(lines, file);
}

function parseTraceLines(lines: string[], file: string): ParsedTrace {
  if (lines.length === 0) throw new InputError(file, 'line 1', 'empty trace: expected a header line');
  const header = headerLine(lines[0]!, file, () => lines.join('\n'));
  const events: TraceEvent[] = [];
  for (let i = 1; i < lines.length; i++) events.push(parseEventLine(lines[i]!, file, i + 1));
  return { header, events, lines };
}

/** The header (line 1) alone: reads no further. */
export function readTraceHeader(file: string, limits: TraceLimits = TRACE_LIMITS): TraceHeader {
  let header: TraceHeader | undefined;
  forEachLine(file, 'trace', limits, (line) => {
    header = headerLine(line, file, () => smallFileText(file));
    return false;
  });
  if (header === undefined) throw new InputError(file, 'line 1', 'empty trace: expected a header line');
  return header;
}

/** What one pass over a whole trace established. */
export interface VerifiedTrace {
  readonly header: TraceHeader;
  /** Lines after the header (the summary included), as many as forEachTraceEvent visits. */
  readonly eventCount: number;
  /** Event indices (0-based, as forEachTraceEvent numbers them) that violation events name. */
  readonly referenced: ReadonlySet<number>;
  /**
   * What is wrong with the trace as a whole: no summary, a summary hash or count that does not
   * match the lines. Empty for a trace as seqsim wrote it; non-empty only with `force`.
   */
  readonly integrity: readonly string[];
}

/**
 * Reads a whole trace once, in bounded memory: every line parsed and checked against the schema
 * (InputError on the first bad one), the hash and counts compared with the summary. A trace whose
 * summary does not match is refused, unless `force` (then `integrity` says what is wrong).
 */
export function verifyTrace(file: string, options: { readonly force?: boolean; readonly limits?: TraceLimits } = {}): VerifiedTrace {
  const hasher = createHash('sha256');
  let header: TraceHeader | undefined;
  let summary: Record<string, unknown> | undefined;
  let summaryLine = 0;
  const counts = { requests: 0, responses: 0, violations: 0, events: 0 };
  const referenced = new Set<number>();
  let eventCount = 0;
  forEachLine(file, 'trace', options.limits ?? TRACE_LIMITS, (line, lineNumber) => {
    if (lineNumber === 1) {
      header = headerLine(line, file, () => smallFileText(file));
      hasher.update(line);
      hasher.update('\n');
      return;
    }
    if (summary !== undefined) throw new InputError(file, `line ${lineNumber}`, `a line after the summary (line ${summaryLine}), which must be the last`);
    const event = parseEventLine(line, file, lineNumber);
    eventCount++;
    if (event.type === 'summary') {
      summary = event as unknown as Record<string, unknown>;
      summaryLine = lineNumber;
      return;
    }
    hasher.update(line);
    hasher.update('\n');
    counts.events++;
    if (event.type === 'send') counts.requests++;
    else if (event.type === 'response') counts.responses++;
    else if (event.type === 'violation') {
      counts.violations++;
      for (const index of event.events) if (index >= 1) referenced.add(index - 1);
    }
  });
  if (header === undefined) throw new InputError(file, 'line 1', 'empty trace: expected a header line');
  const integrity: string[] = [];
  if (summary === undefined) integrity.push('no summary line: the trace is incomplete (cut short?)');
  else {
    const hash = hasher.digest('hex');
    if (summary['hash'] !== hash) {
      integrity.push(
        `hash mismatch: the summary records ${String(summary['hash']).slice(0, 16)}… but the lines hash to ${hash.slice(0, 16)}…: the trace was ` +
          `changed after seqsim wrote it`,
      );
    }
    for (const name of ['requests', 'responses', 'violations', 'events'] as const) {
      if (summary[name] !== undefined && summary[name] !== counts[name])
        integrity.push(`the summary counts ${String(summary[name])} ${name} but the trace holds ${counts[name]}`);
    }
  }
  if (integrity.length > 0 && options.force !== true) {
    throw new InputError(file, summaryLine > 0 ? `line ${summaryLine}` : '', `${integrity.join('; ')} (--force reads it anyway, marked as damaged)`);
  }
  return { header, eventCount, referenced, integrity };
}

/**
 * Visits every line after the header as an event (the summary included), in order, with its index
 * (line number − 2). Lines are checked again, so a file changed since verifyTrace still fails cleanly.
 */
export function forEachTraceEvent(file: string, visit: (event: TraceEvent, index: number) => void, limits: TraceLimits = TRACE_LIMITS): void {
  forEachLine(file, 'trace', limits, (line, lineNumber) => {
    if (lineNumber === 1) return;
    visit(parseEventLine(line, file, lineNumber), lineNumber - 2);
  });
}

/** Visits the raw lines of a trace (without line endings), header first; `visit` returns false to stop. */
export function forEachTraceLine(file: string, visit: (line: string, lineNumber: number) => unknown, limits: TraceLimits = TRACE_LIMITS): void {
  forEachLine(file, 'trace', limits, visit);
}

/** Parses and checks line 1 of a trace read from `file` (a recorded line the caller already holds). */
export function parseTraceHeaderLine(line: string, file: string): TraceHeader {
  return headerLine(line, file, () => smallFileText(file));
}

/**
 * Line 1 parsed as the header. A scenario file handed to a command that reads traces is named as
 * such (with the command that makes its trace) instead of failing as "not valid JSON": a
 * pretty-printed scenario spans many lines, so `wholeText` gives the file's text when it is small.
 */
function headerLine(line: string, file: string, wholeText: () => string | undefined): TraceHeader {
  const first = jsonObject(line);
  if (first?.['type'] !== 'header' && looksLikeScenario(first ?? jsonObject(wholeText()))) {
    throw new InputError(
      file,
      '',
      `this is a scenario, not a trace: simulate it with \`${seqsimCommandLine('run', file)}\`, which writes its trace, and replay or draw that`,
    );
  }
  return parseHeader(parseLine(line, file, 1), file);
}

/** Scenarios are small: only a file under this size is read whole to see whether it is one. */
const MAX_SCENARIO_SNIFF_BYTES = 16 * 1024 * 1024;

function smallFileText(file: string): string | undefined {
  try {
    return readBoundedText(file, MAX_SCENARIO_SNIFF_BYTES);
  } catch {
    return undefined;
  }
}

function jsonObject(text: string | undefined): Record<string, unknown> | undefined {
  if (text === undefined || text.length > MAX_SCENARIO_SNIFF_BYTES) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** A scenario file (what `run` takes): a model and sequences, and no trace `type`. */
function looksLikeScenario(value: Record<string, unknown> | undefined): boolean {
  return value !== undefined && value['type'] === undefined && 'model' in value && 'sequences' in value;
}
