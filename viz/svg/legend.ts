import { MARKER_ORDER, MARKER_STYLES } from './markers.ts';
import { END_PATH, START_PATH } from './slots.ts';
import { LEGEND_ITEM_WIDTH, LEGEND_ROW_HEIGHT } from './layout.ts';
import { px, setText, type DrawContext, type Group } from './context.ts';
import type { Theme } from '../theme.ts';
import type { TimelineView } from '../view.ts';

/** What each mark means; marker kinds appear only when the picture has them. */

type Swatch = (g: Group, theme: Theme) => void;

interface LegendItem {
  readonly kind: string;
  readonly label: string;
  readonly swatch: Swatch;
}

const rect =
  (fill: string, extra: (g: Group) => void = () => undefined): Swatch =>
  (g) => {
    const r = g.append('rect').attr('x', -8).attr('y', -5).attr('width', 16).attr('height', 10).attr('rx', 2).attr('fill', fill);
    extra(r as unknown as Group);
  };

const CAPS: readonly { reason: string; label: string; color: string }[] = [
  { reason: 'idle-timeout', label: 'released by idle timeout', color: '#e8590c' },
  { reason: 'cancel', label: 'released by cancel', color: '#8e44ad' },
  { reason: 'destroyed', label: 'released: model destroyed', color: '#444444' },
];

export function legendItems(view: TimelineView): LegendItem[] {
  const items: LegendItem[] = [
    { kind: 'occupancy', label: 'slot held (colour = id)', swatch: rect('hsl(210,60%,65%)') },
    {
      kind: 'tick',
      label: 'executed request',
      swatch: (g, t) => void g.append('line').attr('x1', 0).attr('x2', 0).attr('y1', -6).attr('y2', 6).attr('stroke', t.tick).attr('stroke-width', 2),
    },
    { kind: 'tick-start', label: 'START request', swatch: (g, t) => void g.append('path').attr('d', START_PATH).attr('fill', t.tick) },
    {
      kind: 'tick-end',
      label: 'END request',
      swatch: (g, t) => void g.append('path').attr('d', END_PATH).attr('transform', 'translate(3,0)').attr('fill', t.tick),
    },
    {
      kind: 'padding',
      label: 'padding row (READY=0)',
      swatch: (g, t) =>
        void g
          .append('rect')
          .attr('x', -8)
          .attr('y', -5)
          .attr('width', 16)
          .attr('height', 10)
          .attr('fill', 'url(#seqsim-hatch)')
          .attr('stroke', t.hatch)
          .attr('stroke-width', 0.5),
    },
    {
      kind: 'batch',
      label: 'batch (darker = fuller)',
      swatch: (g, t) => void g.append('rect').attr('x', -8).attr('y', -3).attr('width', 16).attr('height', 6).attr('fill', t.batch).attr('fill-opacity', 0.8),
    },
    {
      kind: 'backlog',
      label: 'backlog depth / waiting',
      swatch: (g, t) => void g.append('rect').attr('x', -8).attr('y', -5).attr('width', 16).attr('height', 10).attr('fill', t.backlog),
    },
  ];
  if (view.occupancies.some((o) => o.overlap > 0)) {
    items.push({
      kind: 'shared',
      label: 'two sequences on one slot',
      swatch: (g, t) =>
        void g
          .append('rect')
          .attr('x', -8)
          .attr('y', 0)
          .attr('width', 16)
          .attr('height', 6)
          .attr('fill', 'hsl(30,60%,65%)')
          .attr('stroke', t.violation)
          .attr('stroke-width', 2),
    });
  }
  if (view.occupancies.some((o) => o.open)) {
    items.push({
      kind: 'open',
      label: 'never released',
      swatch: (g, t) =>
        void g
          .append('rect')
          .attr('x', -8)
          .attr('y', -5)
          .attr('width', 16)
          .attr('height', 10)
          .attr('fill', 'hsl(210,60%,65%)')
          .attr('stroke', t.muted)
          .attr('stroke-dasharray', '4 2'),
    });
  }
  for (const cap of CAPS) {
    if (view.occupancies.some((o) => o.reason === cap.reason)) items.push({ kind: `cap-${cap.reason}`, label: cap.label, swatch: rect(cap.color) });
  }
  for (const kind of MARKER_ORDER) {
    if (!view.markers.some((m) => m.kind === kind)) continue;
    const style = MARKER_STYLES[kind];
    items.push({
      kind: `marker-${kind}`,
      label: style.legend,
      swatch: (g) =>
        void g
          .append('path')
          .attr('d', style.path)
          .attr('fill', style.fill)
          .attr('stroke', style.stroke === '#ffffff' ? 'none' : style.stroke)
          .attr('stroke-width', style.fill === 'none' ? 2.5 : 1),
    });
  }
  if (view.violations.length > 0) {
    items.push({
      kind: 'violated',
      label: 'sequence named by a violation',
      swatch: rect('hsl(120,50%,65%)', (r) => void r.attr('stroke', '#d1242f').attr('stroke-width', 2)),
    });
  }
  return items;
}

export function drawLegend(parent: Group, ctx: DrawContext, items: readonly LegendItem[]): void {
  const group = parent.append('g').attr('class', 'legend');
  const perRow = Math.max(1, Math.floor((ctx.layout.width - 24) / LEGEND_ITEM_WIDTH));
  items.forEach((item, i) => {
    const x = 20 + (i % perRow) * LEGEND_ITEM_WIDTH;
    const y = ctx.layout.legendY + Math.floor(i / perRow) * LEGEND_ROW_HEIGHT + 9;
    const g = group
      .append('g')
      .attr('class', 'legend-item')
      .attr('data-kind', item.kind)
      .attr('transform', `translate(${px(x)},${px(y)})`);
    item.swatch(g, ctx.theme);
    const text = g.append('text').attr('x', 14).attr('y', 4).attr('font-size', 11).attr('fill', ctx.theme.text);
    setText(text, item.label);
  });
}
