import { symbol, symbolCircle, symbolDiamond, symbolSquare, symbolStar, symbolTimes, symbolTriangle, symbolWye } from 'd3';
import type { Marker, MarkerKind } from '../timeline.ts';
import { formatUs } from '../units.ts';
import { appendTitle, px, setText, type DrawContext, type Group } from './context.ts';
import { laneBand } from './layout.ts';

/** Event markers (reaps, cancellations, expiries, faults, violations, lifecycle) and violation guides. */

export interface MarkerStyle {
  readonly legend: string;
  readonly path: string;
  readonly fill: string;
  readonly stroke: string;
}

/** One symbol per kind, so the legend can explain each. */
export const MARKER_STYLES: Readonly<Record<MarkerKind, MarkerStyle>> = {
  violation: { legend: 'violation (oracle failed)', path: symbol(symbolCircle, 110)() ?? '', fill: '#d1242f', stroke: '#ffffff' },
  reap: { legend: 'reaper timeout (idle)', path: symbol(symbolTimes, 90)() ?? '', fill: 'none', stroke: '#e8590c' },
  cancel: { legend: 'cancellation', path: symbol(symbolSquare, 60)() ?? '', fill: '#8e44ad', stroke: '#ffffff' },
  expired: { legend: 'backlog expiry', path: symbol(symbolDiamond, 80)() ?? '', fill: '#a0522d', stroke: '#ffffff' },
  destroyed: { legend: 'slot lost (model destroyed)', path: symbol(symbolWye, 80)() ?? '', fill: '#555555', stroke: '#ffffff' },
  fault: { legend: 'injected fault', path: symbol(symbolTriangle, 90)() ?? '', fill: '#c2185b', stroke: '#ffffff' },
  lifecycle: { legend: 'model lifecycle event', path: symbol(symbolStar, 90)() ?? '', fill: '#00897b', stroke: '#ffffff' },
  reject: { legend: 'rejected request', path: symbol(symbolTimes, 50)() ?? '', fill: 'none', stroke: '#8c959f' },
  warning: { legend: 'warning (START conflict)', path: symbol(symbolTriangle, 60)() ?? '', fill: '#d4a72c', stroke: '#000000' },
  'failed-batch': { legend: 'failed batch', path: symbol(symbolSquare, 50)() ?? '', fill: 'none', stroke: '#d1242f' },
};

/** Draw order: violations last, on top. */
export const MARKER_ORDER: readonly MarkerKind[] = [
  'reject',
  'warning',
  'lifecycle',
  'destroyed',
  'failed-batch',
  'expired',
  'cancel',
  'fault',
  'reap',
  'violation',
];

interface Placed {
  readonly marker: Marker;
  count: number;
}

function laneKey(marker: Marker): string {
  const lane = marker.lane;
  return lane.kind === 'slot' ? `s${lane.instance}:${lane.slot}` : lane.kind === 'batches' ? `b${lane.instance}` : lane.kind;
}

/** Markers of one kind closer than 4 px in one lane become one mark with a count, past the budget. */
function placeMarkers(ctx: DrawContext, markers: readonly Marker[]): Placed[] {
  if (markers.length <= ctx.budgets.markers) return markers.map((marker) => ({ marker, count: 1 }));
  const bins = new Map<string, Placed>();
  for (const marker of markers) {
    const key = `${marker.kind}|${laneKey(marker)}|${Math.floor(ctx.x(marker.atUs) / 4)}`;
    const bin = bins.get(key);
    if (bin === undefined) bins.set(key, { marker, count: 1 });
    else bin.count++;
  }
  return [...bins.values()];
}

/** Violations sit on the top edge of a slot row, so the tick they point at stays visible. */
function markerY(marker: Marker, band: { y: number; height: number }): number {
  return marker.kind === 'violation' && marker.lane.kind === 'slot' ? band.y + 3 : band.y + band.height / 2;
}

export function drawMarkers(parent: Group, ctx: DrawContext): void {
  const group = parent.append('g').attr('class', 'markers');
  const others = ctx.view.markers.filter((m) => m.kind !== 'violation');
  const placed = [...placeMarkers(ctx, others), ...ctx.view.markers.filter((m) => m.kind === 'violation').map((marker) => ({ marker, count: 1 }))];
  if (placed.length < ctx.view.markers.length)
    ctx.notes.push(
      `${others.length} event markers grouped into ${placed.length - (ctx.view.markers.length - others.length)} (closer than 4 px); titles give counts.`,
    );
  for (const kind of MARKER_ORDER) {
    const style = MARKER_STYLES[kind];
    for (const { marker, count } of placed) {
      if (marker.kind !== kind) continue;
      const band = laneBand(ctx.layout, marker.lane);
      if (band === undefined) continue;
      const g = group
        .append('g')
        .attr('class', `marker marker-${kind}`)
        .attr('data-kind', kind)
        .attr('transform', `translate(${px(ctx.x(marker.atUs))},${px(markerY(marker, band))})`);
      g.append('path')
        .attr('d', style.path)
        .attr('fill', style.fill)
        .attr('stroke', style.stroke)
        .attr('stroke-width', style.fill === 'none' ? 2.5 : 1);
      appendTitle(
        g,
        count === 1 ? `${marker.detail}\nat ${formatUs(marker.atUs)}` : `${count} × ${style.legend}, e.g. ${marker.detail}\nfrom ${formatUs(marker.atUs)}`,
      );
    }
  }
}

/** A dashed red line at each violation's last offending event, and lifecycle guides. */
export function drawGuides(parent: Group, ctx: DrawContext): void {
  const group = parent.append('g').attr('class', 'guides');
  const top = ctx.layout.events.y;
  const bottom = ctx.layout.backlog.y + ctx.layout.backlog.height;
  for (const marker of ctx.view.markers) {
    if (marker.kind !== 'lifecycle' || marker.lane.kind !== 'events') continue;
    const x = px(ctx.x(marker.atUs));
    group
      .append('line')
      .attr('class', 'lifecycle-guide')
      .attr('x1', x)
      .attr('x2', x)
      .attr('y1', top)
      .attr('y2', bottom)
      .attr('stroke', MARKER_STYLES.lifecycle.fill)
      .attr('stroke-dasharray', '2 3');
  }
  for (const violation of ctx.view.violations) {
    if (violation.atUs < ctx.view.startUs || violation.atUs > ctx.view.endUs) continue;
    const x = px(ctx.x(violation.atUs));
    const line = group
      .append('line')
      .attr('class', 'violation-guide')
      .attr('x1', x)
      .attr('x2', x)
      .attr('y1', top)
      .attr('y2', bottom)
      .attr('stroke', ctx.theme.violation)
      .attr('stroke-dasharray', '5 3')
      .attr('stroke-width', 1.5);
    appendTitle(line, `violation (${violation.oracle}): ${violation.message}`);
  }
}

/** The list of violations under the picture, with the oracle's message. */
export function drawViolationList(parent: Group, ctx: DrawContext, lines: number): void {
  if (lines === 0) return;
  const group = parent.append('g').attr('class', 'violations');
  const shown = ctx.view.violations.slice(0, lines - (ctx.view.violations.length > lines ? 1 : 0));
  const maxChars = Math.max(40, Math.floor((ctx.layout.width - 40) / 6.4));
  shown.forEach((violation, i) => {
    const full = `✖ ${violation.oracle} at ${formatUs(violation.atUs)}: ${violation.message}`;
    const text = group
      .append('text')
      .attr('class', 'violation-text')
      .attr('x', 12)
      .attr('y', px(ctx.layout.violationsY + 12 + i * 16))
      .attr('fill', ctx.theme.violation)
      .attr('font-size', 11);
    setText(text, full.length > maxChars ? `${full.slice(0, maxChars - 1)}…` : full);
    appendTitle(text, full);
  });
  if (shown.length < ctx.view.violations.length) {
    const more = group
      .append('text')
      .attr('class', 'violation-text')
      .attr('x', 12)
      .attr('y', px(ctx.layout.violationsY + 12 + shown.length * 16))
      .attr('fill', ctx.theme.violation)
      .attr('font-size', 11);
    setText(more, `… and ${ctx.view.violations.length - shown.length} more violation(s)`);
  }
}
