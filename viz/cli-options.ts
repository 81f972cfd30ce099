import { InputError, UsageError } from '../src/core/input-errors.ts';
import { closeSync, mkdirSync, openSync, writeFileSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import type { TimelineSvgOptions } from './svg.ts';
import type { ThemeName } from './theme.ts';
import { parseTimeUs } from './units.ts';

/** Command-line options shared by `seqsim viz` and `seqsim report`, parsed into TimelineSvgOptions. */

export const MIN_WIDTH = 400;
export const MAX_WIDTH = 20_000;

function parseTime(value: unknown, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const us = parseTimeUs(String(value));
  if (us === undefined) throw new UsageError(`${flag} must be a time like 1500, 250us, 1.5ms or 2s (bare numbers are µs), got ${JSON.stringify(value)}`);
  return us;
}

/** "0,2,5-7" → [0, 2, 5, 6, 7]. */
export function parseIndexList(value: unknown, flag: string): number[] | undefined {
  if (value === undefined) return undefined;
  const out = new Set<number>();
  for (const part of String(value).split(',')) {
    const match = /^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$/.exec(part);
    const from = match === null ? NaN : Number(match[1]);
    const to = match?.[2] === undefined ? from : Number(match[2]);
    if (!Number.isSafeInteger(from) || !Number.isSafeInteger(to) || to < from || to - from > 10_000) {
      throw new UsageError(`${flag} must be a list of indices like 0,2 or 0-3, got ${JSON.stringify(value)}`);
    }
    for (let i = from; i <= to; i++) out.add(i);
  }
  return [...out].sort((a, b) => a - b);
}

export function parseTimelineOptions(args: Record<string, unknown>): TimelineSvgOptions {
  const fromUs = parseTime(args['from'], '--from');
  const toUs = parseTime(args['to'], '--to');
  if (fromUs !== undefined && toUs !== undefined && toUs <= fromUs) throw new UsageError('--to must be later than --from');
  const width = args['width'];
  if (width !== undefined && (typeof width !== 'number' || !Number.isInteger(width) || width < MIN_WIDTH || width > MAX_WIDTH)) {
    throw new UsageError(`--width must be an integer from ${MIN_WIDTH} to ${MAX_WIDTH}, got ${JSON.stringify(width)}`);
  }
  const theme = args['theme'] ?? 'light';
  if (theme !== 'light' && theme !== 'dark') throw new UsageError(`--theme must be light or dark, got ${JSON.stringify(theme)}`);
  const instances = parseIndexList(args['instances'], '--instances');
  const slots = parseIndexList(args['slots'], '--slots');
  return {
    theme: theme as ThemeName,
    ...(fromUs === undefined ? {} : { fromUs }),
    ...(toUs === undefined ? {} : { toUs }),
    ...(typeof width === 'number' ? { width } : {}),
    ...(instances === undefined ? {} : { instances }),
    ...(slots === undefined ? {} : { slots }),
  };
}

/** Writes an output file, creating its folder; a failure is bad input (exit 2), not a crash. */
export function writeOutput(file: string, text: string): void {
  try {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, text);
  } catch (error) {
    throw new InputError(file, '', `cannot write: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
}

/** An output file written in pieces (an export part can be larger than one string); errors are bad input. */
export function openOutput(file: string): { write(text: string): void; close(): number } {
  const fail = (error: unknown): never => {
    throw new InputError(file, '', `cannot write: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  };
  let fd = -1;
  try {
    mkdirSync(dirname(file), { recursive: true });
    fd = openSync(file, 'w');
  } catch (error) {
    fail(error);
  }
  let pending: string[] = [];
  let pendingBytes = 0;
  let written = 0;
  const flush = (): void => {
    if (pending.length === 0) return;
    const buffer = Buffer.from(pending.join(''), 'utf8');
    pending = [];
    pendingBytes = 0;
    try {
      writeSync(fd, buffer);
    } catch (error) {
      closeSync(fd);
      fail(error);
    }
    written += buffer.byteLength;
  };
  return {
    write(text) {
      pending.push(text);
      pendingBytes += text.length;
      if (pendingBytes >= 1 << 20) flush();
    },
    close() {
      flush();
      closeSync(fd);
      return written;
    },
  };
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}
