/** Time units for axes and titles: the clock is integer µs; spans pick µs, ms or s. */

export interface TimeUnit {
  readonly name: 'µs' | 'ms' | 's';
  readonly us: number;
}

const MICROS: TimeUnit = { name: 'µs', us: 1 };
const MILLIS: TimeUnit = { name: 'ms', us: 1_000 };
const SECONDS: TimeUnit = { name: 's', us: 1_000_000 };

/** The unit whose tick labels stay short for this span: below 2 ms µs, below 2 s ms, else s. */
export function unitForSpan(spanUs: number): TimeUnit {
  if (spanUs < 2_000) return MICROS;
  if (spanUs < 2_000_000) return MILLIS;
  return SECONDS;
}

/** A time for titles and tables (shared with the CLI). */
export { formatUs } from '../src/core/time.ts';

/**
 * Parses a time option: a bare integer is µs; `250us`/`250µs`, `1.5ms`, `2s` carry a unit.
 * Returns undefined for anything else.
 */
export function parseTimeUs(text: string): number | undefined {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(us|\u00b5s|ms|s)?\s*$/.exec(text);
  if (match === null) return undefined;
  const scale = match[2] === 'ms' ? 1_000 : match[2] === 's' ? 1_000_000 : 1;
  const value = Math.round(Number(match[1]) * scale);
  return Number.isSafeInteger(value) ? value : undefined;
}
