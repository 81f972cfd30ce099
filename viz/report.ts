import type { TraceEvent } from '../src/core/events.ts';
import type { ModelConfig } from '../src/config/types.ts';
import type { TraceHeader } from '../traces/writer.ts';
import { jsonForScript } from './escape.ts';
import { renderTimeline, type TimelineSvgOptions } from './svg.ts';
import { buildTimeline, type SlotLayout, type Timeline } from './timeline.ts';
import { REPORT_CSS, REPORT_SCRIPT, scriptHash } from './report/assets.ts';
import { digestEvents, renderEventsTable, type EventDigest } from './report/events-table.ts';
import { el, esc, textEl, voidEl } from './report/html.ts';
import { renderSequences } from './report/sequences.ts';
import { renderSummary } from './report/summary.ts';
import { runLabel } from './trace-input.ts';

export interface ReportOptions extends TimelineSvgOptions {
  /** The trace header: configuration and seed for the summary. */
  readonly header?: TraceHeader;
  /** The model the run used: its slot layout frames the timeline. */
  readonly model?: ModelConfig;
  /**
   * What the reference model says each executed request should output (undefined: not knowable),
   * shown beside the real outputs in the sequence views; omitted, that column stays empty. The
   * caller computes it (sim's outputs oracle), so the picture never judges a run itself.
   */
  readonly referenceOutputs?: ReadonlyMap<string, number | undefined>;
  /** A warning shown above everything (a damaged trace drawn with --force). */
  readonly banner?: string;
}

/**
 * One self-contained HTML page for a trace: summary, timeline SVG, filterable event table and
 * per-sequence views. No network: inline style, one inline script allowed by hash in the CSP.
 * Deterministic: the same events and options give the same bytes.
 */
export function renderReport(events: readonly TraceEvent[], options: ReportOptions = {}): string {
  return renderReportWith(
    (layout) => buildTimeline(events, layout),
    () => digestEvents(events),
    options,
  );
}

/**
 * As renderReport, for a trace streamed from its file: `build` makes the timeline, then `digest`
 * gives the counts and first rows (a streamed trace collects both in the timeline's pass).
 */
export function renderReportWith(build: (layout: SlotLayout | undefined) => Timeline, digest: () => EventDigest, options: ReportOptions = {}): string {
  const layout =
    options.layout ??
    (options.model === undefined ? undefined : { instanceCount: options.model.instanceCount, slotsPerInstance: options.model.slotsPerInstance });
  const timeline = build(layout);
  const events = digest();
  const scenarioName = options.header?.scenario['name'];
  const title =
    options.title ??
    `seqsim report${typeof scenarioName === 'string' ? ` — ${scenarioName}` : ''}${options.header === undefined ? '' : ` (${runLabel(options.header)})`}`;
  const clock = options.header?.clock;
  const rendered = renderTimeline(timeline, {
    ...(clock === undefined ? {} : { clock }),
    ...options,
    title: options.banner === undefined ? title : `⚠ ${options.banner} — ${title}`,
  });
  const svg = rendered.svg.replace(/^<\?xml[^>]*>\s*/, '');
  const highlighted = new Set(timeline.violations.flatMap((v) => v.sequenceKeys));
  const reference = options.referenceOutputs;
  const ordinals = new Map(timeline.sequences.map((s, i) => [s.key, i]));
  const occupancySequences = timeline.occupancies.map((o) => ordinals.get(o.key) ?? -1);
  const csp = `default-src 'none'; style-src 'unsafe-inline'; script-src ${scriptHash(REPORT_SCRIPT)}; img-src 'none'; base-uri 'none'; form-action 'none'`;
  const verdict =
    timeline.violations.length === 0
      ? el('span', { class: 'ok' }, 'no violation')
      : textEl('span', { class: 'bad' }, `${timeline.violations.length} violation(s)`);
  const head = el(
    'head',
    {},
    '<meta charset="utf-8">',
    voidEl('meta', { 'http-equiv': 'Content-Security-Policy', content: csp }),
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    textEl('title', {}, title),
    el('style', {}, REPORT_CSS),
  );
  const body = el(
    'body',
    { class: `theme-${options.theme ?? 'light'}` },
    el(
      'header',
      {},
      options.banner === undefined ? '' : textEl('p', { class: 'bad banner', role: 'alert' }, `⚠ ${options.banner}`),
      textEl('h1', {}, title),
      el('p', { class: 'muted' }, esc(`${options.header?.tool ?? 'seqsim'} · ${events.count} events · `), verdict),
    ),
    renderSummary(timeline, events.typeCounts, options.header),
    el(
      'section',
      { id: 'timeline' },
      el('h2', {}, 'Slot timeline'),
      rendered.notes.length === 0 ? '' : el('ul', { class: 'note' }, ...rendered.notes.map((n) => textEl('li', {}, n))),
      el('div', { class: 'timeline-wrap' }, svg),
    ),
    renderEventsTable(events),
    renderSequences({ timeline, reference, highlighted }),
    `<script type="application/json" id="occupancy-sequences">${jsonForScript(occupancySequences)}</script>`,
    `<script>${REPORT_SCRIPT}</script>`,
  );
  return `<!DOCTYPE html>\n<html lang="en">${head}${body}</html>\n`;
}
