import type { TraceEvent } from '../src/core/events.ts';
import type { ScenarioId } from '../src/core/ids.ts';
import { escapeMarkup, sequenceLabel } from './escape.ts';
import { THEMES, sequenceColor, type ThemeName } from './theme.ts';
import { formatUs, unitForSpan } from './units.ts';

/*
 * The client-side timeline of `seqsim drive`: one lane per sequence (as the client played it),
 * each request a line from its send to its answer, the answer marked (output, error, no answer),
 * anything a violation names in red. A client sees no slots or batches, so this is not the slot
 * timeline of viz/svg.ts; it shares its escaping, colours and units.
 */

/** Lanes drawn at most; later sequences are counted in a note. */
export const MAX_CLIENT_LANES = 150;
/** Requests drawn per lane at most; later ones are counted in a note. */
const MAX_MARKS_PER_LANE = 400;

type MarkKind = 'output' | 'error' | 'no-answer' | 'pending';

interface RequestMark {
  readonly request: string;
  readonly sendUs: number;
  readonly sendLine: number;
  answerUs: number;
  answerLine: number;
  kind: MarkKind;
  text: string;
}

interface Lane {
  readonly name: string;
  readonly sequence: ScenarioId;
  readonly marks: RequestMark[];
  readonly faults: { readonly us: number; readonly text: string; readonly line: number }[];
  dropped: number;
}

/** Collects the client timeline from the events as they are recorded (bounded: MAX_CLIENT_LANES lanes). */
export class ClientTimelineCollector {
  private readonly lanes = new Map<string, Lane>();
  private readonly open = new Map<string, RequestMark>();
  private droppedLanes = 0;
  private endUs = 0;

  observe(event: TraceEvent, line: number): void {
    this.endUs = Math.max(this.endUs, event.t);
    switch (event.type) {
      case 'send': {
        const lane = this.laneOf(laneName(event.request), event.sequence);
        if (lane === undefined) return;
        if (lane.marks.length >= MAX_MARKS_PER_LANE) {
          lane.dropped++;
          return;
        }
        const mark: RequestMark = {
          request: event.request,
          sendUs: event.t,
          sendLine: line,
          answerUs: event.t,
          answerLine: -1,
          kind: 'pending',
          text: 'no answer',
        };
        lane.marks.push(mark);
        this.open.set(event.request, mark);
        break;
      }
      case 'response':
      case 'error': {
        const mark = this.open.get(event.request);
        if (mark === undefined) return;
        this.open.delete(event.request);
        mark.answerUs = event.t;
        mark.answerLine = line;
        if (event.type === 'error') {
          mark.kind = 'no-answer';
          mark.text = `no answer (${event.reason}): ${event.message}`;
        } else if ('output' in event) {
          mark.kind = 'output';
          mark.text = `output ${event.output}`;
        } else {
          mark.kind = 'error';
          mark.text = `${event.error.code} ${event.error.message}`;
        }
        break;
      }
      case 'fault': {
        const request = typeof event['request'] === 'string' ? event['request'] : undefined;
        const lane = request === undefined ? undefined : this.lanes.get(laneName(request));
        lane?.faults.push({ us: event.t, text: `fault ${event.kind}${typeof event['misuse'] === 'string' ? ` (${event['misuse']})` : ''}`, line });
        break;
      }
      default:
        break;
    }
  }

  /** The collected lanes, for rendering. */
  snapshot(): { readonly lanes: readonly Lane[]; readonly droppedLanes: number; readonly endUs: number } {
    return { lanes: [...this.lanes.values()], droppedLanes: this.droppedLanes, endUs: this.endUs };
  }

  private laneOf(name: string, sequence: ScenarioId): Lane | undefined {
    let lane = this.lanes.get(name);
    if (lane === undefined) {
      if (this.lanes.size >= MAX_CLIENT_LANES) {
        this.droppedLanes++;
        return undefined;
      }
      lane = { name, sequence, marks: [], faults: [], dropped: 0 };
      this.lanes.set(name, lane);
    }
    return lane;
  }
}

/** A request id's sequence part ("1001#1:3~r1" → "1001#1"). */
function laneName(request: string): string {
  const colon = request.lastIndexOf(':');
  return colon < 0 ? request : request.slice(0, colon);
}

export interface ClientTimelineOptions {
  readonly title: string;
  readonly theme?: ThemeName;
  readonly width?: number;
  /** Trace lines a violation names (header = 0): those marks are drawn in red. */
  readonly offendingLines: ReadonlySet<number>;
  /** One line per violation, listed under the picture. */
  readonly violations: readonly string[];
}

const LANE_HEIGHT = 18;
const LABEL_WIDTH = 150;
const TOP = 40;

/** The client timeline as a standalone SVG document (same collected events, same bytes). */
export function renderClientTimeline(collector: ClientTimelineCollector, options: ClientTimelineOptions): string {
  const theme = THEMES[options.theme ?? 'light'];
  const { lanes, droppedLanes, endUs } = collector.snapshot();
  const width = Math.round(options.width ?? 1200);
  const plotLeft = LABEL_WIDTH;
  const plotRight = width - 20;
  const spanUs = Math.max(1, endUs);
  const x = (us: number): number => round(plotLeft + (Math.min(Math.max(us, 0), spanUs) / spanUs) * (plotRight - plotLeft));
  const notes = [
    ...(droppedLanes > 0 ? [`${droppedLanes} later sequence(s) not drawn (at most ${MAX_CLIENT_LANES} lanes)`] : []),
    ...lanes.filter((lane) => lane.dropped > 0).map((lane) => `${lane.name}: ${lane.dropped} later request(s) not drawn`),
  ];
  const axisY = TOP + lanes.length * LANE_HEIGHT + 6;
  const listed = options.violations.slice(0, 10);
  const height = axisY + 40 + (listed.length + notes.length + 1) * 16 + 10;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, ` +
      `-apple-system, 'Segoe UI', Helvetica, Arial, sans-serif" font-size="11" class="seqsim-client-timeline theme-${theme.name}">`,
    `<rect width="${width}" height="${height}" fill="${theme.background}"/>`,
    `<text x="10" y="18" font-size="13" font-weight="600" fill="${theme.text}">${escapeMarkup(options.title)}</text>`,
    `<text x="10" y="32" fill="${theme.muted}">client view: one lane per sequence; line = send → answer; ● output, ✕ error, ○ no answer; red = named ` +
      `by a violation</text>`,
  ];
  lanes.forEach((lane, index) => {
    const y = TOP + index * LANE_HEIGHT;
    const mid = y + LANE_HEIGHT / 2;
    const color = sequenceColor(lane.name, theme);
    const laneOffends = lane.marks.some((m) => options.offendingLines.has(m.sendLine) || options.offendingLines.has(m.answerLine));
    parts.push(`<rect x="0" y="${y}" width="${width}" height="${LANE_HEIGHT}" fill="${index % 2 === 0 ? theme.rowEven : theme.rowOdd}"/>`);
    parts.push(`<text x="8" y="${mid + 4}" fill="${laneOffends ? theme.violation : theme.text}">${escapeMarkup(truncate(laneLabel(lane), 22))}</text>`);
    for (const mark of lane.marks) {
      const offends = options.offendingLines.has(mark.sendLine) || options.offendingLines.has(mark.answerLine);
      const stroke = offends ? theme.violation : color;
      const answered = mark.kind === 'pending' ? 'no answer' : `answered ${formatUs(mark.answerUs)}`;
      const tip = `<title>${escapeMarkup(`${mark.request} sent ${formatUs(mark.sendUs)}, ${answered}: ${mark.text}`)}</title>`;
      parts.push(
        `<g>${tip}<line x1="${x(mark.sendUs)}" y1="${mid}" x2="${x(mark.answerUs)}" y2="${mid}" stroke="${stroke}" stroke-width="${offends ? 3 : 2}"/>`,
      );
      parts.push(`<line x1="${x(mark.sendUs)}" y1="${mid - 4}" x2="${x(mark.sendUs)}" y2="${mid + 4}" stroke="${stroke}" stroke-width="1"/>`);
      parts.push(`${answerGlyph(mark.kind, x(mark.answerUs), mid, offends ? theme.violation : mark.kind === 'output' ? color : theme.muted)}</g>`);
    }
    for (const fault of lane.faults) {
      const offends = options.offendingLines.has(fault.line);
      parts.push(
        `<g><title>${escapeMarkup(fault.text)}</title><path d="M${x(fault.us)},${y + 2} l3,5 l-6,0 z" fill="${offends ? theme.violation : theme.hatch}"/></g>`,
      );
    }
  });
  parts.push(axis(x, spanUs, axisY, plotLeft, plotRight, theme.text, theme.grid, theme.muted));
  let lineY = axisY + 44;
  for (const violation of listed) {
    parts.push(`<text x="10" y="${lineY}" fill="${theme.violation}">✗ ${escapeMarkup(truncate(violation, 180))}</text>`);
    lineY += 16;
  }
  if (options.violations.length > listed.length) {
    parts.push(`<text x="10" y="${lineY}" fill="${theme.violation}">… and ${options.violations.length - listed.length} more</text>`);
    lineY += 16;
  }
  for (const note of notes) {
    parts.push(`<text x="10" y="${lineY}" fill="${theme.muted}">${escapeMarkup(note)}</text>`);
    lineY += 16;
  }
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}

function answerGlyph(kind: MarkKind, cx: number, cy: number, color: string): string {
  switch (kind) {
    case 'output':
      return `<circle cx="${cx}" cy="${cy}" r="3.5" fill="${color}"/>`;
    case 'error':
      return `<path d="M${cx - 3.5},${cy - 3.5} l7,7 M${cx + 3.5},${cy - 3.5} l-7,7" stroke="${color}" stroke-width="2"/>`;
    default:
      return `<circle cx="${cx}" cy="${cy}" r="3.5" fill="none" stroke="${color}" stroke-width="1.5"/>`;
  }
}

function axis(x: (us: number) => number, spanUs: number, y: number, left: number, right: number, text: string, grid: string, muted: string): string {
  const unit = unitForSpan(spanUs);
  const rawStep = spanUs / unit.us / 8;
  const magnitude = 10 ** Math.floor(Math.log10(Math.max(rawStep, 1e-9)));
  const step = [1, 2, 5, 10].map((m) => m * magnitude).find((s) => s >= rawStep) ?? rawStep;
  const parts = [`<line x1="${left}" y1="${y}" x2="${right}" y2="${y}" stroke="${text}"/>`];
  for (let value = 0; value * unit.us <= spanUs + 1e-6; value += step) {
    const at = x(value * unit.us);
    parts.push(
      `<line x1="${at}" y1="${y}" x2="${at}" y2="${y + 5}" stroke="${text}"/><line x1="${at}" y1="${TOP}" x2="${at}" y2="${y}" stroke="${grid}" ` +
        `stroke-width="0.5"/>`,
    );
    parts.push(`<text x="${at}" y="${y + 17}" text-anchor="middle" fill="${text}">${round(value)}</text>`);
  }
  parts.push(`<text x="${right}" y="${y + 32}" text-anchor="end" fill="${muted}">wall-clock time since start (${unit.name})</text>`);
  return parts.join('\n');
}

function laneLabel(lane: Lane): string {
  const label = sequenceLabel(lane.sequence);
  const suffix = lane.name.includes('#') ? lane.name.slice(lane.name.lastIndexOf('#')) : '';
  return `${label}${suffix}`;
}

function truncate(text: string, length: number): string {
  return text.length <= length ? text : `${text.slice(0, length - 1)}…`;
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}
