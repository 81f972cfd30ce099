import { InputError } from '../src/core/input-errors.ts';
import { readFileSync } from 'node:fs';
import type { TraceEvent } from '../src/core/events.ts';
import { TRACE_FORMAT, TRACE_VERSION } from './version.ts';
import type { TraceHeader } from './writer.ts';
import { seqsimCommandLine } from '../src/core/command-line.ts';

export interface ParsedTrace {
  readonly header: TraceHeader;
  /** Every line after the header, summary included when present. */
  readonly events: readonly TraceEvent[];
  readonly lines: readonly string[];
}

/** Guards against reading something that is not a trace into memory whole. */
export const MAX_TRACE_BYTES = 1024 * 1024 * 1024;

export function readTraceFile(file: string): ParsedTrace {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new InputError(file, '', `cannot read trace: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  return parseTrace(text, file);
}

/** Parses JSONL trace text; every problem names the file, the line and the field. */
export function parseTrace(text: string, file: string): ParsedTrace {
  if (text.length > MAX_TRACE_BYTES) throw new InputError(file, '', 'trace larger than 1 GiB');
  const lines = text.split('\n');
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  if (lines.length === 0) throw new InputError(file, 'line 1', 'empty trace: expected a header line');
  const first = firstLineObject(lines[0]!);
  if (first?.['type'] !== 'header' && looksLikeScenario(first ?? wholeJson(text))) {
    throw new InputError(
      file,
      '',
      `this is a scenario, not a trace: simulate it with \`${seqsimCommandLine('run', file)}\`, which writes its trace, and replay or draw that`,
    );
  }
  const header = parseHeader(parseLine(lines[0]!, file, 1), file);
  const events: TraceEvent[] = [];
  for (let i = 1; i < lines.length; i++) {
    const value = parseLine(lines[i]!, file, i + 1);
    if (typeof value['type'] !== 'string') throw new InputError(file, `line ${i + 1}: type`, 'missing or not a string');
    if (!Number.isSafeInteger(value['t'])) throw new InputError(file, `line ${i + 1}: t`, 'missing or not an integer µs');
    events.push(value as unknown as TraceEvent);
  }
  return { header, events, lines };
}

function parseLine(line: string, file: string, lineNumber: number): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (error) {
    throw new InputError(file, `line ${lineNumber}`, `not valid JSON (${(error as Error).message})`);
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
  return value as unknown as TraceHeader;
}

function asObject(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

function firstLineObject(line: string): Record<string, unknown> | undefined {
  try {
    return asObject(JSON.parse(line));
  } catch {
    return undefined;
  }
}

/** A pretty-printed scenario spans many lines: parse it whole (bounded: scenarios are small). */
function wholeJson(text: string): Record<string, unknown> | undefined {
  if (text.length > MAX_SCENARIO_SNIFF_BYTES) return undefined;
  try {
    return asObject(JSON.parse(text));
  } catch {
    return undefined;
  }
}

const MAX_SCENARIO_SNIFF_BYTES = 16 * 1024 * 1024;

/** A scenario file (what `run` takes) handed to a command that reads traces. */
function looksLikeScenario(value: Record<string, unknown> | undefined): boolean {
  return value !== undefined && value['type'] === undefined && 'model' in value && 'sequences' in value;
}
