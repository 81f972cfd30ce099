/**
 * Where a picture of a failing run should look. A race takes microseconds to milliseconds; the run
 * around it can last for the idle timeout (a second or more), which would squeeze the race into a
 * pixel column. So the default window frames the offending events of the violations: from the
 * activity just before the first of them to the activity just after the last, each side reaching
 * at most MAX(span of the offending events, CONTEXT_US) beyond them, plus a margin.
 */

/** How far each side may reach for the neighbouring activity when the offending events share an instant. */
export const CONTEXT_US = 1000;
/** The margin on each side, as a share of the framed span. */
const MARGIN_SHARE = 0.05;
/** A window no narrower than this (µs), so events of one instant still get room. */
const MIN_WINDOW_US = 10;

export interface TimeWindow {
  readonly startUs: number;
  readonly endUs: number;
}

/** The latest time in sorted `times` strictly before `us`, if any. */
function before(times: readonly number[], us: number): number | undefined {
  let low = 0;
  let high = times.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (times[mid]! < us) low = mid + 1;
    else high = mid;
  }
  return low > 0 ? times[low - 1] : undefined;
}

/** The earliest time in sorted `times` strictly after `us`, if any. */
function after(times: readonly number[], us: number): number | undefined {
  let low = 0;
  let high = times.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (times[mid]! <= us) low = mid + 1;
    else high = mid;
  }
  return low < times.length ? times[low] : undefined;
}

/**
 * The window that frames offending events at `offendingUs`, given the sorted times at which the
 * run showed activity and the run's own extent; undefined when nothing is offending.
 */
export function frameOffendingEvents(offendingUs: readonly number[], activityUs: readonly number[], run: TimeWindow): TimeWindow | undefined {
  if (offendingUs.length === 0) return undefined;
  const firstUs = Math.min(...offendingUs);
  const lastUs = Math.max(...offendingUs);
  const reach = Math.max(lastUs - firstUs, CONTEXT_US);
  const from = Math.max(before(activityUs, firstUs) ?? firstUs, firstUs - reach);
  const to = Math.min(after(activityUs, lastUs) ?? lastUs, lastUs + reach);
  const margin = Math.max(1, Math.ceil((to - from) * MARGIN_SHARE));
  let startUs = from - margin;
  let endUs = to + margin;
  if (endUs - startUs < MIN_WINDOW_US) {
    const grow = Math.ceil((MIN_WINDOW_US - (endUs - startUs)) / 2);
    startUs -= grow;
    endUs += grow;
  }
  return { startUs: Math.max(run.startUs, startUs), endUs: Math.min(run.endUs, endUs) };
}
