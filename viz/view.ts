import type { CountPoint, Lane, SlotRef, Timeline } from './timeline.ts';
import { frameOffendingEvents } from './violation-frame.ts';

/** What part of a timeline to draw: a time window and an instance/slot filter. */
export interface ViewOptions {
  readonly fromUs?: number;
  readonly toUs?: number;
  readonly instances?: readonly number[];
  readonly slots?: readonly number[];
}

/** A timeline cut to a window and filter; startUs/endUs are the window. */
export interface TimelineView extends Timeline {
  /** Set when the default window left out a long idle tail: when the run really ended. */
  readonly idleTailEndUs?: number;
  /** Set when the default window frames the violations: the whole run, which --from/--to can draw. */
  readonly framedRun?: { readonly startUs: number; readonly endUs: number };
}

/**
 * A violation frame is used when it is at most this share of the default window (it zooms in at
 * least 10×); else the default window shows the violation well enough, with its context.
 */
const FRAME_SHARE = 0.1;

/**
 * An idle tail longer than this many times the active part is left out of the default window: a
 * stalled or budget-exhausted run polls for seconds after milliseconds of activity.
 */
const IDLE_TAIL_FACTOR = 3;

/** The default window's end: the run's end, or shortly after its activity when a long idle tail follows. */
function defaultEndUs(timeline: Timeline, startUs: number): { endUs: number; idleTailEndUs?: number } {
  const activeUs = Math.max(1, timeline.activityEndUs - startUs);
  if (timeline.endUs - timeline.activityEndUs <= IDLE_TAIL_FACTOR * activeUs) return { endUs: timeline.endUs };
  return { endUs: timeline.activityEndUs + Math.ceil(activeUs / 10), idleTailEndUs: timeline.endUs };
}

function overlaps(fromUs: number, toUs: number, view: { startUs: number; endUs: number }): boolean {
  return toUs >= view.startUs && fromUs <= view.endUs;
}

/** The depth curve inside the window, starting with the value it had when the window opens. */
function clipCounts(points: readonly CountPoint[], startUs: number, endUs: number): CountPoint[] {
  let before = 0;
  const inside: CountPoint[] = [];
  for (const point of points) {
    if (point.atUs < startUs) before = point.value;
    else if (point.atUs <= endUs) inside.push(point);
  }
  return [{ atUs: startUs, value: before }, ...inside];
}

/**
 * Without --from/--to a failing run is framed on its violations (viz/violation-frame.ts), when
 * that window is much narrower than the run: a race of a few ms is not lost in a second of idling.
 * The frame holds the offending events and the requests (sent to answered) of the sequences the
 * violations name; a violation that names no event cannot be placed, and then nothing is framed.
 */
function violationFrame(timeline: Timeline, defaultWindow: { startUs: number; endUs: number }): { startUs: number; endUs: number } | undefined {
  if (timeline.violations.some((v) => v.eventIndices.length === 0)) return undefined;
  const offendingUs = timeline.violations.flatMap((v) => [v.firstUs, v.atUs]);
  const named = new Set(timeline.violations.flatMap((v) => v.sequenceKeys));
  for (const request of timeline.requests.values()) {
    if (!named.has(request.key)) continue;
    offendingUs.push(request.sentUs);
    if (request.response !== undefined) offendingUs.push(request.response.atUs);
  }
  const frame = frameOffendingEvents(offendingUs, timeline.activityUs, { startUs: timeline.startUs, endUs: timeline.endUs });
  if (frame === undefined) return undefined;
  return frame.endUs - frame.startUs <= FRAME_SHARE * (defaultWindow.endUs - defaultWindow.startUs) ? frame : undefined;
}

export function selectView(timeline: Timeline, options: ViewOptions): TimelineView {
  const chosen = options.fromUs === undefined && options.toUs === undefined;
  const whole = defaultEndUs(timeline, timeline.startUs);
  const frame = chosen ? violationFrame(timeline, { startUs: timeline.startUs, endUs: whole.endUs }) : undefined;
  const startUs = frame?.startUs ?? options.fromUs ?? timeline.startUs;
  const fallback = frame !== undefined ? { endUs: frame.endUs } : options.toUs === undefined ? defaultEndUs(timeline, startUs) : { endUs: options.toUs };
  const endUs = Math.max(fallback.endUs, startUs + 1);
  const window = { startUs, endUs };
  const instances = options.instances === undefined ? undefined : new Set(options.instances);
  const slots = options.slots === undefined ? undefined : new Set(options.slots);
  const showsSlot = (ref: SlotRef): boolean => (instances === undefined || instances.has(ref.instance)) && (slots === undefined || slots.has(ref.slot));
  const showsLane = (lane: Lane): boolean =>
    lane.kind === 'slot' ? showsSlot(lane) : lane.kind === 'batches' ? instances === undefined || instances.has(lane.instance) : true;
  const inWindow = (item: { atUs: number; doneUs: number }): boolean => overlaps(item.atUs, item.doneUs, window);
  return {
    startUs,
    endUs,
    activityEndUs: timeline.activityEndUs,
    activityUs: timeline.activityUs,
    ...('idleTailEndUs' in fallback && fallback.idleTailEndUs !== undefined ? { idleTailEndUs: fallback.idleTailEndUs } : {}),
    ...(frame !== undefined ? { framedRun: { startUs: timeline.startUs, endUs: timeline.endUs } } : {}),
    slots: timeline.slots.filter(showsSlot),
    hiddenSlots: timeline.hiddenSlots,
    occupancies: timeline.occupancies.filter((o) => showsSlot(o) && overlaps(o.fromUs, o.toUs, window)),
    executed: timeline.executed.filter((e) => showsSlot(e) && inWindow(e)),
    padding: timeline.padding.filter((p) => showsSlot(p) && inWindow(p)),
    batches: timeline.batches.filter((b) => (instances === undefined || instances.has(b.instance)) && inWindow(b)),
    waits: timeline.waits.filter((w) => overlaps(w.fromUs, w.toUs, window)),
    backlogDepth: clipCounts(timeline.backlogDepth, startUs, endUs),
    busySlots: clipCounts(timeline.busySlots, startUs, endUs),
    markers: timeline.markers.filter((m) => showsLane(m.lane) && m.atUs >= startUs && m.atUs <= endUs),
    violations: timeline.violations,
    requests: timeline.requests,
    sequences: timeline.sequences,
    lifetimes: timeline.lifetimes.filter((life) => instances === undefined || instances.has(life.instance)),
  };
}
