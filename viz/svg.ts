import { createRequire } from 'node:module';
import type { D3Node as D3NodeClass } from 'd3-node';
import type { TraceEvent } from '../src/core/events.ts';
import { buildTimeline, type SlotLayout, type Timeline } from './timeline.ts';
import { selectView, type TimelineView, type ViewOptions } from './view.ts';
import { THEMES, type ThemeName } from './theme.ts';
import { formatUs } from './units.ts';
import { DEFAULT_BUDGETS, appendTitle, px, setText, type DrawContext, type Group, type MarkBudgets } from './svg/context.ts';
import { computeLayout, TEXT_LINE } from './svg/layout.ts';
import { drawOccupancies, drawPadding, drawRows, drawTicks } from './svg/slots.ts';
import { drawBacklog, drawBatches, drawEventsLane, drawLifetimes } from './svg/lanes.ts';
import { drawGuides, drawMarkers, drawViolationList } from './svg/markers.ts';
import { drawAxis } from './svg/axis.ts';
import { drawLegend, legendItems } from './svg/legend.ts';

export interface TimelineSvgOptions extends ViewOptions {
  /** Picture width in px (default 1200). */
  readonly width?: number;
  readonly theme?: ThemeName;
  /** Slot counts from the trace header: never-occupied slots are not drawn, and a note says how many. */
  readonly layout?: SlotLayout;
  /** First line of the picture (scenario name, seed). */
  readonly title?: string;
  /** The trace's clock: the axis says virtual (simulated) or real time. Default virtual. */
  readonly clock?: 'virtual' | 'real';
  /** Override how many marks are drawn one by one before aggregating. */
  readonly budgets?: Partial<MarkBudgets>;
}

export interface RenderedTimeline {
  readonly svg: string;
  /** What was aggregated or left out to keep the picture readable. */
  readonly notes: readonly string[];
}

export const DEFAULT_WIDTH = 1200;
const MAX_VIOLATION_LINES = 8;

/** The slot timeline of a trace as a standalone SVG document (deterministic: same events, same bytes). */
let loadedD3Node: typeof D3NodeClass | undefined;

/**
 * d3-node (with its DOM) takes ~0.4 s to load: only commands that draw pay for it, so `--help` and
 * a run without pictures start fast. Node ≥ 20.19 requires ES modules synchronously.
 */
function d3NodeClass(): typeof D3NodeClass {
  loadedD3Node ??= (createRequire(import.meta.url)('d3-node') as { D3Node: typeof D3NodeClass }).D3Node;
  return loadedD3Node;
}

export function renderTimelineSvg(events: readonly TraceEvent[], options: TimelineSvgOptions = {}): string {
  return renderTimeline(buildTimeline(events, options.layout), options).svg;
}

export function renderTimeline(timeline: Timeline, options: TimelineSvgOptions = {}): RenderedTimeline {
  const width = Math.round(options.width ?? DEFAULT_WIDTH);
  const theme = THEMES[options.theme ?? 'light'];
  const view = selectView(timeline, options);
  const items = legendItems(view);
  const violationLines = Math.min(view.violations.length, MAX_VIOLATION_LINES + 1);
  const layout = computeLayout({ width, slots: view.slots, legendItems: items.length, violationLines, noteLines: 0 });
  const usPerPx = (view.endUs - view.startUs) / Math.max(1, layout.plotRight - layout.plotLeft);
  const highlighted = new Set(view.violations.flatMap((v) => v.sequenceKeys));
  const ctx: DrawContext = {
    timeline,
    view,
    layout,
    theme,
    budgets: { ...DEFAULT_BUDGETS, ...options.budgets },
    usPerPx,
    highlighted,
    offending: new Set(view.violations.flatMap((v) => v.eventIndices)),
    notes: windowNotes(view),
    x: (us) => layout.plotLeft + (Math.min(Math.max(us, view.startUs), view.endUs) - view.startUs) / usPerPx,
  };

  const d3n = new (d3NodeClass())();
  const svg = d3n
    .createSVG(width, layout.height)
    .attr('viewBox', `0 0 ${width} ${layout.height}`)
    .attr('font-family', 'system-ui, -apple-system, "Segoe UI", Helvetica, Arial, sans-serif')
    .attr('class', `seqsim-timeline theme-${theme.name}`);
  appendTitle(svg, options.title ?? 'seqsim slot timeline');
  const background = svg.append('rect').attr('class', 'background').attr('width', width).attr('height', layout.height).attr('fill', theme.background);
  const pattern = svg
    .append('defs')
    .append('pattern')
    .attr('id', 'seqsim-hatch')
    .attr('patternUnits', 'userSpaceOnUse')
    .attr('width', 6)
    .attr('height', 6)
    .attr('patternTransform', 'rotate(45)');
  pattern.append('rect').attr('width', 6).attr('height', 6).attr('fill', theme.padding).attr('fill-opacity', 0.45);
  pattern.append('line').attr('x1', 0).attr('y1', 0).attr('x2', 0).attr('y2', 6).attr('stroke', theme.hatch).attr('stroke-width', 2);

  const root = svg.append('g').attr('class', 'timeline');
  drawHeader(root, ctx, options.title);
  drawEventsLane(root, ctx);
  drawRows(root, ctx);
  drawLifetimes(root, ctx);
  drawAxis(root, ctx, options.clock ?? 'virtual');
  drawBatches(root, ctx);
  drawOccupancies(root, ctx);
  drawPadding(root, ctx);
  drawTicks(root, ctx);
  drawBacklog(root, ctx);
  drawGuides(root, ctx);
  drawMarkers(root, ctx);
  drawLegend(root, ctx, items);
  drawViolationList(root, ctx, violationLines > MAX_VIOLATION_LINES ? MAX_VIOLATION_LINES + 1 : violationLines);
  drawNotes(root, ctx);

  const height = Math.ceil(layout.notesY + ctx.notes.length * TEXT_LINE + 8);
  svg.attr('height', height).attr('viewBox', `0 0 ${width} ${height}`);
  background.attr('height', height);
  return { svg: serialize(d3n.svgString()), notes: ctx.notes };
}

function drawHeader(root: Group, ctx: DrawContext, title: string | undefined): void {
  const { view, theme } = ctx;
  const heading = root
    .append('text')
    .attr('class', 'heading')
    .attr('x', 8)
    .attr('y', 18)
    .attr('font-size', 14)
    .attr('font-weight', 600)
    .attr('fill', theme.text);
  setText(heading, title ?? 'seqsim slot timeline');
  const requests = view.executed.length;
  const summary =
    `${view.occupancies.length} occupancies · ${requests} executed requests · ${view.batches.length} ` +
    `batches · ${view.violations.length} violation(s) · ${formatUs(view.startUs)} → ${formatUs(view.endUs)}`;
  const sub = root.append('text').attr('class', 'subheading').attr('x', 8).attr('y', 34).attr('font-size', 11).attr('fill', theme.muted);
  setText(sub, summary);
}

function drawNotes(root: Group, ctx: DrawContext): void {
  ctx.notes.forEach((note, i) => {
    const text = root
      .append('text')
      .attr('class', 'note')
      .attr('x', 12)
      .attr('y', px(ctx.layout.notesY + 12 + i * TEXT_LINE))
      .attr('font-size', 11)
      .attr('fill', ctx.theme.muted);
    setText(text, `note: ${note}`);
  });
}

/**
 * d3-node serialises with outerHTML (HTML rules): U+00A0 comes out as `&nbsp;`, which XML does
 * not define. Every `&nbsp;` in that output stands for a U+00A0 (a literal "&nbsp;" in text is
 * written `&amp;nbsp;`), so it is rewritten as a numeric reference. User text never goes into
 * attributes, where HTML rules would leave `<` unescaped.
 */
function serialize(outerHtml: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n${outerHtml.replace(/&nbsp;/g, '&#160;')}\n`;
}

/** Says what the default window left out, and the options that draw all of it. */
function windowNotes(view: TimelineView): string[] {
  const notes: string[] = [];
  if (view.framedRun !== undefined) notes.push(framedNote(view, view.framedRun));
  else if (view.idleTailEndUs !== undefined) notes.push(idleTailNote(view.activityEndUs, view.idleTailEndUs));
  if (view.hiddenSlots > 0) notes.push(hiddenSlotsNote(view.hiddenSlots, view.slots.length));
  return notes;
}

/** A large config (1,024 candidates × 2 instances) draws only the slots its run touched. */
function hiddenSlotsNote(hidden: number, drawn: number): string {
  return `${hidden} slot${hidden === 1 ? '' : 's'} that no sequence ever occupied ${hidden === 1 ? 'is' : 'are'} not drawn (${drawn} drawn).`;
}

function framedNote(view: TimelineView, run: { startUs: number; endUs: number }): string {
  return (
    `Framed on the violation(s): ${formatUs(view.startUs)} → ${formatUs(view.endUs)} of a run from ${formatUs(run.startUs)} to ${formatUs(run.endUs)}. ` +
    `--from ${run.startUs}us --to ${run.endUs}us (seqsim viz, report) draws all of it.`
  );
}

/** Says that the default window left out an idle tail, and how to see it. */
function idleTailNote(activityEndUs: number, runEndUs: number): string {
  return (
    `Nothing but the idle reaper's checks happened after ${formatUs(activityEndUs)}; the run ended at ${formatUs(runEndUs)}. ` +
    `--to ${runEndUs}us (seqsim viz, report) draws all of it.`
  );
}
