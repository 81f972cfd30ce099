import type { TraceHeader } from '../../traces/writer.ts';
import type { Timeline } from '../timeline.ts';
import { formatUs } from '../units.ts';
import { el, esc, textEl } from './html.ts';

/** The summary: configuration, seed, counts and violations. */

function at(value: unknown, ...path: readonly (string | number)[]): unknown {
  let current = value;
  for (const key of path) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<string | number, unknown>)[key];
  }
  return current;
}

function show(value: unknown): string {
  if (value === undefined || value === null) return '—';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function table(rows: readonly (readonly [string, string])[], id: string): string {
  return el('table', { class: 'kv', id }, ...rows.map(([name, value]) => el('tr', {}, textEl('th', {}, name), textEl('td', {}, value))));
}

function configRows(header: TraceHeader | undefined): [string, string][] {
  if (header === undefined) return [['header', 'not given']];
  const scenario = header.scenario;
  const model = at(scenario, 'model');
  const batching = at(model, 'sequence_batching');
  const strategy = at(batching, 'oldest') !== undefined ? 'oldest' : 'direct';
  const groups = at(model, 'instance_group');
  const instances = Array.isArray(groups) ? groups.reduce((sum: number, g: unknown) => sum + (Number(at(g, 'count')) || 1), 0) : 1;
  return [
    ['scenario', show(at(scenario, 'name'))],
    // A served trace's seed is a placeholder: HTTP clients, not a seeded workload, sent its requests.
    ['seed', header.options['front_end'] !== undefined ? '— (served: requests came from HTTP clients)' : String(header.seed)],
    ['tool', header.tool],
    ['clock', show((header as { clock?: unknown }).clock)],
    ['model', show(typeof model === 'string' ? model : at(model, 'name'))],
    ['strategy', strategy],
    ['max_batch_size', show(at(model, 'max_batch_size'))],
    ['instances', String(instances)],
    ['max_sequence_idle_microseconds', show(at(batching, 'max_sequence_idle_microseconds'))],
    ['executor', show(at(scenario, 'executor'))],
    ['transport', show(at(scenario, 'transport'))],
    ['faults', show(at(scenario, 'faults'))],
    ['options', show(header.options)],
  ];
}

function countRows(timeline: Timeline, typeCounts: ReadonlyMap<string, number>): [string, string][] {
  const requests = [...timeline.requests.values()];
  const errors = new Map<string, number>();
  for (const request of requests) {
    const code = request.response?.error?.code;
    if (code !== undefined) errors.set(code, (errors.get(code) ?? 0) + 1);
  }
  const count = (type: string): number => typeCounts.get(type) ?? 0;
  const maxDepth = Math.max(0, ...timeline.backlogDepth.map((p) => p.value));
  return [
    ['time span', `${formatUs(timeline.startUs)} → ${formatUs(timeline.endUs)}`],
    ['sequences', String(timeline.sequences.length)],
    ['requests sent', String(requests.length)],
    [
      'responses',
      `${requests.filter((r) => r.response !== undefined).length} ` +
        `(${requests.filter((r) => r.response !== undefined && r.response.error === undefined).length} outputs)`,
    ],
    [
      'errors',
      errors.size === 0
        ? 'none'
        : [...errors]
            .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
            .map(([code, n]) => `${code} × ${n}`)
            .join(', '),
    ],
    ['rejected', String(count('reject'))],
    ['slot occupancies', String(timeline.occupancies.length)],
    ['batches', `${timeline.batches.length} (${timeline.padding.length} padding rows)`],
    ['backlog entries', `${timeline.waits.length} (max depth ${maxDepth})`],
    ['reaps / cancels / faults', `${count('reap')} / ${count('cancel')} / ${count('fault')}`],
    ['violations', String(timeline.violations.length)],
  ];
}

export function renderSummary(timeline: Timeline, typeCounts: ReadonlyMap<string, number>, header: TraceHeader | undefined): string {
  const violations =
    timeline.violations.length === 0
      ? el('p', { class: 'ok' }, 'No violation: every oracle passed.')
      : el(
          'ol',
          { class: 'violations' },
          ...timeline.violations.map((v) =>
            el(
              'li',
              {},
              textEl('strong', {}, v.oracle),
              esc(` at ${formatUs(v.atUs)}: ${v.message} `),
              ...v.eventIndices.map((i) => el('button', { type: 'button', class: 'line-link', 'data-line': i + 1 }, `line ${i + 1}`)),
            ),
          ),
        );
  return el(
    'section',
    { id: 'summary' },
    el('h2', {}, 'Summary'),
    el(
      'div',
      { class: 'columns' },
      el('div', {}, el('h3', {}, 'Configuration'), table(configRows(header), 'config')),
      el('div', {}, el('h3', {}, 'Counts'), table(countRows(timeline, typeCounts), 'counts')),
    ),
    el('h3', {}, `Violations (${timeline.violations.length})`),
    violations,
  );
}
