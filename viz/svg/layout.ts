import { slotId, type Lane, type SlotRef } from '../timeline.ts';

/** Vertical positions of every lane of the timeline picture, and the plot's horizontal extent. */

export interface Band {
  readonly y: number;
  readonly height: number;
}

export interface InstanceBlock {
  readonly instance: number;
  readonly batches: Band;
  readonly top: number;
  readonly bottom: number;
}

export interface RowBand extends Band, SlotRef {
  readonly index: number;
}

export interface Layout {
  readonly width: number;
  readonly height: number;
  readonly plotLeft: number;
  readonly plotRight: number;
  readonly events: Band;
  readonly instances: readonly InstanceBlock[];
  readonly rows: ReadonlyMap<string, RowBand>;
  readonly backlog: Band;
  readonly axisY: number;
  readonly legendY: number;
  readonly legendRows: number;
  readonly violationsY: number;
  readonly notesY: number;
}

export const ROW_HEIGHT = 22;
const ROW_GAP = 3;
const BATCH_LANE = 12;
const INSTANCE_GAP = 10;
const EVENTS_LANE = 18;
const BACKLOG_LANE = 46;
export const LEGEND_ITEM_WIDTH = 205;
export const LEGEND_ROW_HEIGHT = 18;
export const TEXT_LINE = 16;

export interface LayoutInput {
  readonly width: number;
  readonly slots: readonly SlotRef[];
  readonly legendItems: number;
  readonly violationLines: number;
  readonly noteLines: number;
}

export function computeLayout(input: LayoutInput): Layout {
  const plotLeft = 118;
  const plotRight = input.width - 18;
  let y = 44;
  const events: Band = { y, height: EVENTS_LANE };
  y += EVENTS_LANE + 8;
  const instances: InstanceBlock[] = [];
  const rows = new Map<string, RowBand>();
  let index = 0;
  for (const instance of [...new Set(input.slots.map((s) => s.instance))]) {
    const top = y;
    const batches: Band = { y, height: BATCH_LANE };
    y += BATCH_LANE + ROW_GAP;
    for (const ref of input.slots.filter((s) => s.instance === instance)) {
      rows.set(slotId(ref.instance, ref.slot), { ...ref, y, height: ROW_HEIGHT, index: index++ });
      y += ROW_HEIGHT + ROW_GAP;
    }
    instances.push({ instance, batches, top, bottom: y });
    y += INSTANCE_GAP;
  }
  const backlog: Band = { y, height: BACKLOG_LANE };
  y += BACKLOG_LANE;
  const axisY = y + 2;
  y += 44;
  const perRow = Math.max(1, Math.floor((input.width - 24) / LEGEND_ITEM_WIDTH));
  const legendRows = Math.ceil(input.legendItems / perRow);
  const legendY = y;
  y += legendRows * LEGEND_ROW_HEIGHT + 8;
  const violationsY = y;
  y += input.violationLines * TEXT_LINE + (input.violationLines > 0 ? 8 : 0);
  const notesY = y;
  y += input.noteLines * TEXT_LINE + 8;
  return { width: input.width, height: Math.ceil(y), plotLeft, plotRight, events, instances, rows, backlog, axisY, legendY, legendRows, violationsY, notesY };
}

/** The band a marker sits in. */
export function laneBand(layout: Layout, lane: Lane): Band | undefined {
  switch (lane.kind) {
    case 'slot':
      return layout.rows.get(slotId(lane.instance, lane.slot));
    case 'batches':
      return layout.instances.find((b) => b.instance === lane.instance)?.batches;
    case 'backlog':
      return layout.backlog;
    case 'events':
      return layout.events;
  }
}
