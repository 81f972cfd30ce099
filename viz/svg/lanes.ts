import type { BacklogWait, BatchBand } from '../timeline.ts';
import { sequenceColor } from '../theme.ts';
import { formatUs } from '../units.ts';
import { appendTitle, px, setText, type DrawContext, type Group } from './context.ts';

/** The lanes that are not slots: batches per instance, the backlog, and the events lane. */

function batchTitle(band: BatchBand): string {
  const status = band.ok === undefined ? 'still executing at the end of the trace' : band.ok ? 'ok' : 'FAILED';
  const padding = band.rows > band.size ? ` (${band.rows - band.size} padding)` : '';
  return (
    `batch ${band.batch} on instance ${band.instance}: ${band.size} ready row(s) of ${band.rows}${padding}\n` +
    `${formatUs(band.atUs)} → ${formatUs(band.doneUs)} (${formatUs(band.doneUs - band.atUs)}), ${status}`
  );
}

interface BatchBin {
  readonly instance: number;
  readonly column: number;
  busyUs: number;
  count: number;
  rows: number;
  ready: number;
}

/** Past the budget, batches are summed per 2 px column: opacity = busy fraction, title = counts. */
function binBatches(ctx: DrawContext, bands: readonly BatchBand[]): BatchBin[] {
  const binPx = 2;
  const bins = new Map<string, BatchBin>();
  for (const band of bands) {
    const first = Math.floor((ctx.x(band.atUs) - ctx.layout.plotLeft) / binPx);
    const last = Math.floor((ctx.x(band.doneUs) - ctx.layout.plotLeft) / binPx);
    for (let column = first; column <= last; column++) {
      const key = `${band.instance}:${column}`;
      let bin = bins.get(key);
      if (bin === undefined) {
        bin = { instance: band.instance, column, busyUs: 0, count: 0, rows: 0, ready: 0 };
        bins.set(key, bin);
      }
      const columnStartUs = ctx.view.startUs + column * binPx * ctx.usPerPx;
      const columnEndUs = columnStartUs + binPx * ctx.usPerPx;
      bin.busyUs += Math.max(0, Math.min(band.doneUs, columnEndUs) - Math.max(band.atUs, columnStartUs));
      if (column === first) {
        bin.count++;
        bin.rows += band.rows;
        bin.ready += band.size;
      }
    }
  }
  return [...bins.values()].sort((a, b) => a.instance - b.instance || a.column - b.column);
}

export function drawBatches(parent: Group, ctx: DrawContext): void {
  const group = parent.append('g').attr('class', 'batches');
  const bands = ctx.view.batches;
  const blocks = new Map(ctx.layout.instances.map((b) => [b.instance, b.batches]));
  if (bands.length <= ctx.budgets.batches) {
    for (const band of bands) {
      const lane = blocks.get(band.instance);
      if (lane === undefined) continue;
      const x0 = ctx.x(band.atUs);
      const full = ctx.x(band.doneUs) - x0;
      // Back-to-back batches keep a 1 px gap, so each one reads as a band of its own.
      const x1 = x0 + Math.max(1, full > 3 ? full - 1 : full);
      const rect = group
        .append('rect')
        .attr('class', `batch${band.ok === false ? ' failed' : ''}`)
        .attr('x', px(x0))
        .attr('y', px(lane.y + 2))
        .attr('width', px(x1 - x0))
        .attr('height', lane.height - 4)
        .attr('fill', band.ok === false ? ctx.theme.violation : ctx.theme.batch)
        .attr('fill-opacity', px(0.35 + (0.65 * band.size) / Math.max(1, band.rows)))
        .attr('stroke', ctx.theme.background)
        .attr('stroke-width', 0.5);
      appendTitle(rect, batchTitle(band));
    }
    return;
  }
  const bins = binBatches(ctx, bands);
  ctx.notes.push(`${bands.length} batches summed into ${bins.length} 2-px columns (darker = busier).`);
  const binUs = 2 * ctx.usPerPx;
  for (const bin of bins) {
    const lane = blocks.get(bin.instance);
    if (lane === undefined) continue;
    const rect = group
      .append('rect')
      .attr('class', 'batch-bin')
      .attr('x', px(ctx.layout.plotLeft + bin.column * 2))
      .attr('y', px(lane.y + 2))
      .attr('width', 2)
      .attr('height', lane.height - 4)
      .attr('fill', ctx.theme.batch)
      .attr('fill-opacity', px(Math.min(1, 0.15 + (0.85 * bin.busyUs) / binUs)));
    if (bin.count > 0) appendTitle(rect, `${bin.count} batch(es) starting here, mean ${px(bin.ready / bin.count)} ready row(s) of ${px(bin.rows / bin.count)}`);
  }
}

/** Waits packed into sub-lanes (lowest free first) so each waiting sequence is a visible line. */
function packWaits(waits: readonly BacklogWait[]): number[] {
  const laneEnds: number[] = [];
  return waits.map((wait) => {
    let lane = laneEnds.findIndex((end) => end < wait.fromUs);
    if (lane < 0) {
      lane = laneEnds.length;
      laneEnds.push(wait.toUs);
    } else {
      laneEnds[lane] = wait.toUs;
    }
    return lane;
  });
}

export function drawBacklog(parent: Group, ctx: DrawContext): void {
  const lane = ctx.layout.backlog;
  const group = parent.append('g').attr('class', 'backlog');
  group
    .append('rect')
    .attr('class', 'backlog-bg')
    .attr('x', ctx.layout.plotLeft)
    .attr('y', lane.y)
    .attr('width', px(ctx.layout.plotRight - ctx.layout.plotLeft))
    .attr('height', lane.height)
    .attr('fill', ctx.theme.rowEven);
  const label = group
    .append('text')
    .attr('class', 'lane-label')
    .attr('x', 8)
    .attr('y', px(lane.y + lane.height / 2 + 4))
    .attr('fill', ctx.theme.text)
    .attr('font-size', 11);
  setText(label, 'backlog');
  const points = ctx.view.backlogDepth;
  const maxDepth = Math.max(1, ...points.map((p) => p.value));
  // Depth curve in the upper part of the lane, the waiting sequences under it.
  const base = lane.y + lane.height * 0.45;
  const scale = (lane.height * 0.45 - 3) / maxDepth;
  let d = `M${px(ctx.x(ctx.view.startUs))},${px(base)}`;
  let previous = points[0]?.value ?? 0;
  d += `V${px(base - previous * scale)}`;
  for (const point of points.slice(1)) {
    d += `H${px(ctx.x(point.atUs))}V${px(base - point.value * scale)}`;
    previous = point.value;
  }
  d += `H${px(ctx.x(ctx.view.endUs))}V${px(base)}Z`;
  const area = group
    .append('path')
    .attr('class', 'backlog-depth')
    .attr('d', d)
    .attr('fill', ctx.theme.backlog)
    .attr('stroke', ctx.theme.muted)
    .attr('stroke-width', 0.75);
  appendTitle(
    area,
    `backlog depth over time (max ${maxDepth === 1 && points.every((p) => p.value === 0) ? 0 : maxDepth}); ${ctx.view.waits.length} wait(s) in view`,
  );
  const depthLabel = group
    .append('text')
    .attr('class', 'lane-label')
    .attr('x', 8)
    .attr('y', px(lane.y + lane.height / 2 + 16))
    .attr('fill', ctx.theme.muted)
    .attr('font-size', 9);
  setText(depthLabel, `max depth ${points.some((p) => p.value > 0) ? maxDepth : 0}`);
  drawWaits(group, ctx);
}

function drawWaits(group: Group, ctx: DrawContext): void {
  const waits = ctx.view.waits;
  if (waits.length > ctx.budgets.waits) {
    ctx.notes.push(`${waits.length} backlog waits: only the depth curve is drawn (over ${ctx.budgets.waits}).`);
    return;
  }
  const lane = ctx.layout.backlog;
  const lanes = packWaits(waits);
  const subLanes = Math.max(1, ...lanes.map((l) => l + 1));
  const room = lane.height * 0.55 - 4;
  const step = Math.min(5, room / subLanes);
  waits.forEach((wait, i) => {
    const y = px(lane.y + lane.height * 0.45 + 2 + (lanes[i] ?? 0) * step + step / 2);
    const x0 = ctx.x(wait.fromUs);
    const x1 = Math.max(ctx.x(wait.toUs), x0 + 2);
    const line = group
      .append('line')
      .attr('class', `backlog-wait outcome-${wait.outcome}`)
      .attr('x1', px(x0))
      .attr('x2', px(x1))
      .attr('y1', y)
      .attr('y2', y)
      .attr('stroke', sequenceColor(wait.key, ctx.theme))
      .attr('stroke-width', Math.max(1.5, step - 1));
    const outcome =
      wait.outcome === 'assigned' ? 'got a slot' : wait.outcome === 'waiting' ? 'still waiting at the end of the trace' : `left the backlog: ${wait.outcome}`;
    appendTitle(
      line,
      `sequence ${wait.label} waited in the backlog ${formatUs(wait.fromUs)} → ${formatUs(wait.toUs)} (${formatUs(wait.toUs - wait.fromUs)}), ${outcome}`,
    );
  });
}

export function drawEventsLane(parent: Group, ctx: DrawContext): void {
  const lane = ctx.layout.events;
  const group = parent.append('g').attr('class', 'events-lane');
  group
    .append('rect')
    .attr('x', ctx.layout.plotLeft)
    .attr('y', lane.y)
    .attr('width', px(ctx.layout.plotRight - ctx.layout.plotLeft))
    .attr('height', lane.height)
    .attr('fill', ctx.theme.rowEven);
  const label = group
    .append('text')
    .attr('class', 'lane-label')
    .attr('x', 8)
    .attr('y', px(lane.y + lane.height / 2 + 4))
    .attr('fill', ctx.theme.text)
    .attr('font-size', 11);
  setText(label, 'events');
}

/**
 * Model switches: an instance's lanes are shaded where it did not exist — before an update or
 * reload added it, after it was destroyed — so instances visibly appear and disappear.
 */
export function drawLifetimes(parent: Group, ctx: DrawContext): void {
  if (ctx.view.lifetimes.length === 0) return;
  const group = parent.append('g').attr('class', 'lifetimes');
  const blocks = new Map(ctx.layout.instances.map((b) => [b.instance, b]));
  for (const life of ctx.view.lifetimes) {
    const block = blocks.get(life.instance);
    if (block === undefined) continue;
    const absent: [number, number, string][] = [];
    if (life.addedUs !== undefined)
      absent.push([ctx.view.startUs, life.addedUs, `instance ${life.instance} did not exist yet (added at ${formatUs(life.addedUs)})`]);
    if (life.destroyedUs !== undefined)
      absent.push([life.destroyedUs, ctx.view.endUs, `instance ${life.instance} was destroyed at ${formatUs(life.destroyedUs)}`]);
    for (const [fromUs, toUs, title] of absent) {
      const x0 = ctx.x(fromUs);
      const x1 = ctx.x(toUs);
      if (x1 - x0 < 0.5) continue;
      const rect = group
        .append('rect')
        .attr('class', 'absent-instance')
        .attr('x', px(x0))
        .attr('y', px(block.top))
        .attr('width', px(x1 - x0))
        .attr('height', px(block.bottom - block.top))
        .attr('fill', ctx.theme.text)
        .attr('fill-opacity', 0.08);
      appendTitle(rect, title);
    }
  }
}
