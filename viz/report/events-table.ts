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

export function renderEventsTable(events: readonly TraceEvent[]): string {
  const types = [...new Set(events.map((e) => e.type))].sort();
  const shown = events.slice(0, MAX_TABLE_ROWS);
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
      textEl('span', { id: 'filter-status', class: 'muted' }, `${shown.length} of ${events.length} events`),
    ),
    events.length > shown.length
      ? textEl('p', { class: 'note' }, `The table holds the first ${shown.length} of ${events.length} events; the trace file has them all.`)
      : '',
    el(
      'table',
      { id: 'events', class: 'events' },
      el('thead', {}, el('tr', {}, el('th', {}, 'line'), el('th', {}, 't'), el('th', {}, 'type'), el('th', {}, 'details'))),
      el('tbody', {}, ...rows),
    ),
  );
}
