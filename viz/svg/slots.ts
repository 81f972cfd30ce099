import { slotId, type ExecutedRow, type Occupancy, type PaddingRow, type RequestInfo } from '../timeline.ts';
import { sequenceColor } from '../theme.ts';
import { formatUs } from '../units.ts';
import { appendTitle, px, setText, type DrawContext, type Group } from './context.ts';
import { corridLabel } from '../escape.ts';

/** Slot rows: their backgrounds, the occupancy bars, executed-request ticks and padding. */

export function drawRows(parent: Group, ctx: DrawContext): void {
  const rows = parent.append('g').attr('class', 'rows');
  for (const block of ctx.layout.instances) {
    const batchLabel = rows
      .append('text')
      .attr('class', 'lane-label')
      .attr('x', 8)
      .attr('y', px(block.batches.y + block.batches.height - 2))
      .attr('fill', ctx.theme.muted)
      .attr('font-size', 10);
    setText(batchLabel, `instance ${block.instance} batches`);
  }
  for (const row of ctx.layout.rows.values()) {
    const g = rows.append('g').attr('class', 'slot-row').attr('data-instance', row.instance).attr('data-slot', row.slot);
    g.append('rect')
      .attr('class', 'row-bg')
      .attr('x', ctx.layout.plotLeft)
      .attr('y', row.y)
      .attr('width', px(ctx.layout.plotRight - ctx.layout.plotLeft))
      .attr('height', row.height)
      .attr('fill', row.index % 2 === 0 ? ctx.theme.rowEven : ctx.theme.rowOdd);
    const label = g
      .append('text')
      .attr('class', 'row-label')
      .attr('x', 8)
      .attr('y', px(row.y + row.height / 2 + 4))
      .attr('fill', ctx.theme.text)
      .attr('font-size', 11);
    setText(label, `I${row.instance} · slot ${row.slot}`);
    appendTitle(g, `instance ${row.instance}, slot ${row.slot}`);
  }
}

function requestSummary(requests: readonly string[]): string {
  if (requests.length === 0) return 'no request executed';
  const shown = requests.slice(0, 8).join(', ');
  return `${requests.length} request(s) executed: ${shown}${requests.length > 8 ? ', …' : ''}`;
}

function occupancyTitle(ctx: DrawContext, occupancy: Occupancy): string {
  const executed = occupancy.executed.map((i) => ctx.timeline.executed[i]?.request ?? '').filter((r) => r !== '');
  const parts = [
    `sequence ${occupancy.label} on instance ${occupancy.instance} slot ${occupancy.slot}`,
    `${formatUs(occupancy.fromUs)} → ${occupancy.open ? 'end of trace (never released)' : formatUs(occupancy.toUs)} ` +
      `(held ${formatUs(occupancy.toUs - occupancy.fromUs)})`,
    occupancy.fromBacklog ? 'taken from the backlog' : 'assigned at enqueue',
    requestSummary(executed),
  ];
  if (occupancy.reapUs !== undefined) parts.push(`reaped (idle timeout) at ${formatUs(occupancy.reapUs)}`);
  if (occupancy.reason !== undefined) parts.push(`released: ${occupancy.reason}`);
  if (occupancy.overlap > 0) parts.push(`SHARED SLOT: ${occupancy.overlap} other sequence(s) held this slot at the same time`);
  if (ctx.highlighted.has(occupancy.key)) parts.push('named by a violation');
  return parts.join('\n');
}

/** The narrowest occupancy bar drawn. */
const MIN_BAR_PX = 4;

/** Release reasons other than END get a coloured cap at the bar's end. */
const REASON_CAP: Readonly<Record<string, string>> = { 'idle-timeout': '#e8590c', cancel: '#8e44ad', expired: '#a0522d', destroyed: '#444444' };

export function drawOccupancies(parent: Group, ctx: DrawContext): void {
  const bars = parent.append('g').attr('class', 'occupancies');
  for (const occupancy of ctx.view.occupancies) {
    const row = ctx.layout.rows.get(slotId(occupancy.instance, occupancy.slot));
    if (row === undefined) continue;
    const x0 = ctx.x(occupancy.fromUs);
    // At least a few px: a sequence that held its slot for 0 µs (released in the instant it got it) is often the one a race is about.
    const x1 = Math.max(ctx.x(occupancy.toUs), x0 + MIN_BAR_PX);
    // A second sequence on a held slot is drawn in the lower half, outlined: the race is visible.
    const shared = occupancy.overlap > 0;
    const y = shared ? row.y + row.height / 2 : row.y + 2;
    const height = shared ? row.height / 2 - 1 : row.height - 4;
    const violated = ctx.highlighted.has(occupancy.key);
    const rect = bars
      .append('rect')
      .attr('class', `occ${violated ? ' violated' : ''}${shared ? ' shared' : ''}${occupancy.open ? ' open' : ''}`)
      .attr('data-occ', occupancy.index)
      .attr('x', px(x0))
      .attr('y', px(y))
      .attr('width', px(x1 - x0))
      .attr('height', px(height))
      .attr('rx', 2)
      .attr('fill', sequenceColor(occupancy.key, ctx.theme));
    if (occupancy.open) rect.attr('stroke', ctx.theme.muted).attr('stroke-dasharray', '4 2');
    if (violated || shared) rect.attr('stroke', ctx.theme.violation).attr('stroke-width', 2);
    appendTitle(rect, occupancyTitle(ctx, occupancy));
    const cap = occupancy.reason === undefined ? undefined : REASON_CAP[occupancy.reason];
    if (cap !== undefined && occupancy.toUs <= ctx.view.endUs) {
      bars
        .append('rect')
        .attr('class', `release-cap reason-${occupancy.reason}`)
        .attr('x', px(x1 - 2))
        .attr('y', px(y))
        .attr('width', 3)
        .attr('height', px(height))
        .attr('fill', cap);
    }
    const text = occupancy.label;
    if (x1 - x0 >= text.length * 6.6 + 14) {
      const label = bars
        .append('text')
        .attr('class', 'occ-label')
        .attr('x', px(x0 + 9))
        .attr('y', px(y + height / 2 + 4))
        .attr('font-size', shared ? 9 : 11)
        .attr('fill', ctx.theme.labelOnBar);
      setText(label, text);
    }
  }
}

function tickTitle(row: ExecutedRow, request: RequestInfo | undefined): string {
  const parts = [`request ${row.request} of sequence ${row.label}${request === undefined ? '' : `, step ${request.step}`}`];
  if (request?.value !== undefined) parts.push(`value ${request.value}`);
  const response = request?.response;
  if (response?.error !== undefined) parts.push(`error ${response.error.code}: ${response.error.message}`);
  else if (response !== undefined) parts.push(`output ${JSON.stringify(response.output)}`);
  parts.push(`executed ${formatUs(row.atUs)} → ${formatUs(row.doneUs)} in batch ${row.batch}, instance ${row.instance} slot ${row.slot}`);
  parts.push(`corrid ${corridLabel(row.corrid)}${row.start ? ' · START' : ''}${row.end ? ' · END' : ''}`);
  if (row.foreign) parts.push('ran on a slot its sequence did not hold');
  return parts.join('\n');
}

/** START is a right-pointing triangle, END a square, any other request a vertical tick. */
export const START_PATH = 'M0,-5L6,0L0,5Z';
export const END_PATH = 'M-5,-4.5h5v9h-5Z';

export function drawTicks(parent: Group, ctx: DrawContext): void {
  const executed = ctx.view.executed;
  if (executed.length > ctx.budgets.ticks) {
    ctx.notes.push(`${executed.length} executed requests: too many to draw one by one (over ${ctx.budgets.ticks}); each bar's title counts them.`);
    return;
  }
  const ticks = parent.append('g').attr('class', 'req-ticks');
  for (const row of executed) {
    const band = ctx.layout.rows.get(slotId(row.instance, row.slot));
    if (band === undefined) continue;
    const x = px(ctx.x(row.atUs));
    const cy = px(band.y + band.height / 2);
    // Red: ran on a slot its sequence never held, or is an offending event of a violation about its sequence.
    const flagged = row.foreign || (ctx.offending.has(row.eventIndex) && ctx.highlighted.has(row.key));
    const stroke = flagged ? ctx.theme.violation : ctx.theme.tick;
    const title = tickTitle(row, ctx.view.requests.get(row.request));
    if (row.start || row.end) {
      const shape = ticks
        .append('path')
        .attr('class', `req-tick${row.start ? ' req-start' : ''}${row.end ? ' req-end' : ''}`)
        .attr('d', row.start ? START_PATH : END_PATH)
        .attr('transform', `translate(${x},${cy})`)
        .attr('fill', stroke);
      if (row.start && row.end) shape.attr('stroke', stroke).attr('stroke-width', 3);
      appendTitle(shape, title);
    } else {
      const line = ticks
        .append('line')
        .attr('class', 'req-tick')
        .attr('x1', x)
        .attr('x2', x)
        .attr('y1', px(band.y + 4))
        .attr('y2', px(band.y + band.height - 4))
        .attr('stroke', stroke)
        .attr('stroke-width', 2);
      appendTitle(line, title);
    }
  }
}

/** Padding rows (READY=0) merged per slot when closer than a pixel, then drawn hatched. */
function mergePadding(rows: readonly PaddingRow[], usPerPx: number): { row: PaddingRow; toUs: number; count: number }[] {
  const sorted = [...rows].sort((a, b) => a.instance - b.instance || a.slot - b.slot || a.atUs - b.atUs);
  const runs: { row: PaddingRow; toUs: number; count: number }[] = [];
  for (const row of sorted) {
    const last = runs[runs.length - 1];
    if (last !== undefined && last.row.instance === row.instance && last.row.slot === row.slot && row.atUs - last.toUs <= usPerPx) {
      last.toUs = Math.max(last.toUs, row.doneUs);
      last.count++;
    } else {
      runs.push({ row, toUs: row.doneUs, count: 1 });
    }
  }
  return runs;
}

export function drawPadding(parent: Group, ctx: DrawContext): void {
  const rows = ctx.view.padding;
  const merge = rows.length > ctx.budgets.padding;
  const runs = merge ? mergePadding(rows, ctx.usPerPx) : rows.map((row) => ({ row, toUs: row.doneUs, count: 1 }));
  if (merge) ctx.notes.push(`${rows.length} padding rows merged into ${runs.length} hatched runs.`);
  const group = parent.append('g').attr('class', 'paddings');
  for (const { row, toUs, count } of runs) {
    const band = ctx.layout.rows.get(slotId(row.instance, row.slot));
    if (band === undefined) continue;
    const x0 = ctx.x(row.atUs);
    const x1 = Math.max(ctx.x(toUs), x0 + 2);
    const rect = group
      .append('rect')
      .attr('class', 'padding')
      .attr('x', px(x0))
      .attr('y', px(band.y + 3))
      .attr('width', px(x1 - x0))
      .attr('height', band.height - 6)
      .attr('fill', 'url(#seqsim-hatch)')
      .attr('stroke', ctx.theme.hatch)
      .attr('stroke-width', 0.5);
    appendTitle(
      rect,
      count === 1
        ? `padding row (READY=0) in batch ${row.batch}, instance ${row.instance} slot ${row.slot}, ${formatUs(row.atUs)} → ${formatUs(row.doneUs)}`
        : `${count} padding rows (READY=0), instance ${row.instance} slot ${row.slot}, ${formatUs(row.atUs)} → ${formatUs(toUs)}`,
    );
  }
}
