import type { TraceEvent } from '../../src/core/events.ts';
import { formatUs } from '../units.ts';
import { el, textEl, voidEl } from './html.ts';

/** The filterable event table: one row per trace line, filtered in the page by text and type. */

/** Rows rendered into the page; a longer trace is cut with a note (the trace file has them all). */
export const MAX_TABLE_ROWS = 20_000;

function details(event: TraceEvent): string {
  const rest: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(event)) if (name !== 't' && name !== 'type') rest[name] = value;
  return JSON.stringify(rest);
}

/** What the report shows of a trace's events: how many of each type, and the first rows of the table. */
export interface EventDigest {
  readonly count: number;
  readonly typeCounts: ReadonlyMap<string, number>;
  /** The first MAX_TABLE_ROWS events. */
  readonly first: readonly TraceEvent[];
}

/** Collects an EventDigest one event at a time (a trace streamed from its file). */
export class EventDigester implements EventDigest {
  count = 0;
  readonly typeCounts = new Map<string, number>();
  readonly first: TraceEvent[] = [];

  add(event: TraceEvent): void {
    this.count++;
    this.typeCounts.set(event.type, (this.typeCounts.get(event.type) ?? 0) + 1);
    if (this.first.length < MAX_TABLE_ROWS) this.first.push(event);
  }
}

export function digestEvents(events: readonly TraceEvent[]): EventDigest {
  const digester = new EventDigester();
  for (const event of events) digester.add(event);
  return digester;
}

export function renderEventsTable(digest: EventDigest): string {
  const types = [...digest.typeCounts.keys()].sort();
  const shown = digest.first;
  const total = digest.count;
  const rows = shown.map((event, i) =>
    el(
      'tr',
      { 'data-line': i + 1, 'data-type': event.type },
      textEl('td', { class: 'num' }, String(i + 1)),
      textEl('td', { class: 'num', title: `${event.t} µs` }, formatUs(event.t)),
      textEl('td', {}, event.type),
      textEl('td', { class: 'details' }, details(event)),
    ),
  );
  return el(
    'section',
    { id: 'events-section' },
    el('h2', {}, 'Events'),
    el(
      'div',
      { class: 'controls' },
      el('label', {}, 'Filter ', voidEl('input', { id: 'filter', type: 'search', placeholder: 'text in any column, e.g. a request id', autocomplete: 'off' })),
      el(
        'label',
        {},
        ' Type ',
        el('select', { id: 'type-filter' }, el('option', { value: '' }, 'all'), ...types.map((type) => textEl('option', { value: type }, type))),
      ),
      textEl('span', { id: 'filter-status', class: 'muted' }, `${shown.length} of ${total} events`),
    ),
    total > shown.length ? textEl('p', { class: 'note' }, `The table holds the first ${shown.length} of ${total} events; the trace file has them all.`) : '',
    el(
      'table',
      { id: 'events', class: 'events' },
      el('thead', {}, el('tr', {}, el('th', {}, 'line'), el('th', {}, 't'), el('th', {}, 'type'), el('th', {}, 'details'))),
      el('tbody', {}, ...rows),
    ),
  );
}
