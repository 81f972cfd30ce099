import type { CountPoint, Lane, SlotRef, Timeline } from './timeline.ts';

/** What part of a timeline to draw: a time window and an instance/slot filter. */
export interface ViewOptions {
  readonly fromUs?: number;
  readonly toUs?: number;
  readonly instances?: readonly number[];
  readonly slots?: readonly number[];
}

/** A timeline cut to a window and filter; startUs/endUs are the window. */
export type TimelineView = Timeline;

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

export function selectView(timeline: Timeline, options: ViewOptions): TimelineView {
  const startUs = options.fromUs ?? timeline.startUs;
  const endUs = Math.max(options.toUs ?? timeline.endUs, startUs + 1);
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
    slots: timeline.slots.filter(showsSlot),
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
