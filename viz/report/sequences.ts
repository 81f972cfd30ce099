import type { RequestInfo, SequenceRef, Timeline } from '../timeline.ts';
import { formatUs } from '../units.ts';
import { el, textEl } from './html.ts';

/** Per-sequence views: the slots it held, and its steps with outputs beside the reference's. */

export const MAX_SEQUENCE_VIEWS = 2000;

export interface SequenceViewInput {
  readonly timeline: Timeline;
  /** Reference output per request id; absent map: the header's model could not be read. */
  readonly reference: ReadonlyMap<string, number | undefined> | undefined;
  readonly highlighted: ReadonlySet<string>;
}

function outputText(request: RequestInfo): string {
  const response = request.response;
  if (response === undefined) return 'no response';
  if (response.error !== undefined) return `${response.error.code}: ${response.error.message}`;
  return JSON.stringify(response.output);
}

type Verdict = 'match' | 'mismatch' | 'n/a';

function verdictOf(request: RequestInfo, reference: ReadonlyMap<string, number | undefined> | undefined): { text: string; verdict: Verdict } {
  if (reference === undefined || !reference.has(request.request)) return { text: '—', verdict: 'n/a' };
  const want = reference.get(request.request);
  if (want === undefined) return { text: 'unknown', verdict: 'n/a' };
  const got = request.response?.error === undefined ? request.response?.output : undefined;
  if (typeof got !== 'number') return { text: String(want), verdict: 'n/a' };
  return { text: String(want), verdict: got === want || (Number.isNaN(got) && Number.isNaN(want)) ? 'match' : 'mismatch' };
}

function stepRow(timeline: Timeline, request: RequestInfo, reference: SequenceViewInput['reference']): { html: string; verdict: Verdict } {
  const executed = request.executed === undefined ? undefined : timeline.executed[request.executed];
  const flags = [request.start ? 'START' : '', request.end ? 'END' : ''].filter((f) => f !== '').join(' ');
  const { text, verdict } = verdictOf(request, reference);
  const cells = [
    String(request.step),
    request.request,
    request.value === undefined ? '—' : String(request.value),
    flags,
    formatUs(request.sentUs),
    request.arriveUs === undefined ? '—' : formatUs(request.arriveUs),
    executed === undefined
      ? request.rejected !== undefined
        ? `rejected ${request.rejected.code}`
        : request.cancelUs !== undefined
          ? 'cancelled'
          : 'not executed'
      : `${formatUs(executed.atUs)} · I${executed.instance}/s${executed.slot} · batch ${executed.batch}`,
    request.response === undefined ? '—' : formatUs(request.response.atUs),
    outputText(request),
    text,
  ];
  return {
    html: el(
      'tr',
      { class: verdict === 'mismatch' ? 'mismatch' : undefined },
      ...cells.map((cell) => textEl('td', {}, cell)),
      textEl('td', {}, verdict === 'match' ? '✓' : verdict === 'mismatch' ? '✗' : ''),
    ),
    verdict,
  };
}

function sequenceView(input: SequenceViewInput, sequence: SequenceRef, ordinal: number, requests: readonly RequestInfo[]): string {
  const { timeline } = input;
  const holds = timeline.occupancies.filter((o) => o.key === sequence.key);
  const steps = requests.map((request) => stepRow(timeline, request, input.reference));
  const mismatches = steps.filter((s) => s.verdict === 'mismatch').length;
  const violated = input.highlighted.has(sequence.key);
  const status = [violated ? 'named by a violation' : '', mismatches > 0 ? `${mismatches} output(s) differ from the reference` : '']
    .filter((s) => s !== '')
    .join(' · ');
  const slots = holds.map((o) => `I${o.instance}/s${o.slot}`).join(', ') || 'never held a slot';
  const summary = el(
    'summary',
    {},
    textEl('span', { class: 'seq-label' }, `sequence ${sequence.label}`),
    textEl('span', { class: 'muted' }, ` — ${requests.length} request(s), ${slots}`),
    status === '' ? '' : textEl('span', { class: 'bad' }, ` — ${status}`),
  );
  const holdList = el(
    'ul',
    { class: 'holds' },
    ...holds.map((o) =>
      textEl(
        'li',
        {},
        `instance ${o.instance} slot ${o.slot}: ${formatUs(o.fromUs)} → ` +
          (o.open ? 'end of trace (never released)' : `${formatUs(o.toUs)}, released: ${o.reason ?? '?'}`) +
          (o.fromBacklog ? ' (from the backlog)' : '') +
          (o.reapUs === undefined ? '' : `, reaped at ${formatUs(o.reapUs)}`),
      ),
    ),
    ...timeline.waits
      .filter((w) => w.key === sequence.key)
      .map((w) => textEl('li', {}, `waited in the backlog ${formatUs(w.fromUs)} → ${formatUs(w.toUs)}: ${w.outcome}`)),
  );
  const head = el(
    'thead',
    {},
    el(
      'tr',
      {},
      ...['step', 'request', 'value', 'flags', 'sent', 'arrived', 'executed', 'response', 'output', 'reference', ''].map((h) => textEl('th', {}, h)),
    ),
  );
  return el(
    'details',
    { class: `sequence${violated || mismatches > 0 ? ' flagged' : ''}`, id: `seq-${ordinal}`, open: violated },
    summary,
    holdList,
    el('table', { class: 'steps' }, head, el('tbody', {}, ...steps.map((s) => s.html))),
  );
}

export function renderSequences(input: SequenceViewInput): string {
  const byKey = new Map<string, RequestInfo[]>();
  for (const request of input.timeline.requests.values()) {
    const list = byKey.get(request.key) ?? [];
    list.push(request);
    byKey.set(request.key, list);
  }
  const ordered = input.timeline.sequences.map((sequence, ordinal) => ({ sequence, ordinal }));
  // Sequences a violation names come first, so a capped list still shows them.
  ordered.sort((a, b) => Number(input.highlighted.has(b.sequence.key)) - Number(input.highlighted.has(a.sequence.key)) || a.ordinal - b.ordinal);
  const shown = ordered.slice(0, MAX_SEQUENCE_VIEWS);
  return el(
    'section',
    { id: 'sequences' },
    el('h2', {}, `Sequences (${input.timeline.sequences.length})`),
    ordered.length > shown.length ? textEl('p', { class: 'note' }, `Showing ${shown.length} of ${ordered.length} sequences (violations first).`) : '',
    ...shown.map(({ sequence, ordinal }) => sequenceView(input, sequence, ordinal, byKey.get(sequence.key) ?? [])),
  );
}
