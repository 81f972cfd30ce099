import { describe, expect, it } from 'vitest';
import { renderTimeline, renderTimelineSvg } from '../../viz/svg.ts';
import { buildTimeline } from '../../viz/timeline.ts';
import { selectView } from '../../viz/view.ts';
import { synthesizeTrace } from '../../viz/synthetic.ts';
import { unitForSpan } from '../../viz/units.ts';
import { directFixture, MALICIOUS_IDS } from './fixture.ts';
import { count, expectInert, parseSvg } from './dom.ts';

const layout = { instanceCount: 2, slotsPerInstance: 2 };
const fixture = directFixture();
const svg = renderTimelineSvg(fixture.events, { layout });
const doc = parseSvg(svg);

function markerKinds(d: Document): string[] {
  return Array.from(d.querySelectorAll('g.marker')).map((m) => m.getAttribute('data-kind') ?? '');
}

describe('timeline SVG structure (hand-built Direct run, 2 instances × 2 slots)', () => {
  it('has one row per slot, grouped by instance', () => {
    const rows = Array.from(doc.querySelectorAll('g.slot-row')).map((r) => `${r.getAttribute('data-instance')}/${r.getAttribute('data-slot')}`);
    expect(rows).toEqual(['0/0', '0/1', '1/0', '1/1']);
    expect(Array.from(doc.querySelectorAll('text.lane-label')).map((t) => t.textContent)).toEqual(
      expect.arrayContaining(['instance 0 batches', 'instance 1 batches', 'backlog', 'events']),
    );
  });

  it('draws one bar per occupancy, labelled with its id when it fits, titled with the details', () => {
    expect(count(doc, 'rect.occ')).toBe(5);
    expect(count(doc, 'rect.occ')).toBe(buildTimeline(fixture.events).occupancies.length);
    const labels = Array.from(doc.querySelectorAll('text.occ-label')).map((t) => t.textContent);
    expect(labels).toEqual(expect.arrayContaining(['2', '3']));
    const titleOfB = doc.querySelector('rect.occ[data-occ="1"] title')?.textContent ?? '';
    expect(titleOfB).toContain('sequence 2 on instance 0 slot 1');
    expect(titleOfB).toContain('released: idle-timeout');
    expect(titleOfB).toContain('reaped (idle timeout) at 12 ms');
    expect(doc.querySelector('rect.occ.open title')?.textContent).toContain('never released');
  });

  it('marks executed requests as ticks, START and END distinctly, with hover details', () => {
    expect(count(doc, '.req-tick')).toBe(7);
    expect(count(doc, '.req-start')).toBe(5);
    expect(count(doc, '.req-end')).toBe(2);
    expect(count(doc, 'line.req-tick')).toBe(1);
    const endTitle = Array.from(doc.querySelectorAll('.req-end title')).map((t) => t.textContent ?? '');
    expect(endTitle.some((t) => t.includes('request 1:1') && t.includes('value 64') && t.includes('output 65') && t.includes('END'))).toBe(true);
  });

  it('hatches padding rows and draws a band per executed batch', () => {
    expect(count(doc, 'rect.padding')).toBe(4);
    for (const pad of Array.from(doc.querySelectorAll('rect.padding'))) expect(pad.getAttribute('fill')).toBe('url(#seqsim-hatch)');
    expect(count(doc, 'pattern#seqsim-hatch')).toBe(1);
    expect(count(doc, 'rect.batch')).toBe(7);
    expect(doc.querySelector('rect.batch title')?.textContent).toMatch(/batch 0 on instance 0: 1 ready row\(s\) of 1/);
  });

  it('has a backlog lane with the depth curve and each waiting sequence', () => {
    expect(count(doc, 'path.backlog-depth')).toBe(1);
    expect(count(doc, 'line.backlog-wait')).toBe(2);
    expect(count(doc, 'line.backlog-wait.outcome-assigned')).toBe(1);
    expect(count(doc, 'line.backlog-wait.outcome-expired')).toBe(1);
    expect(doc.querySelector('path.backlog-depth title')?.textContent).toContain('max 2');
  });

  it('marks reaps, cancellations, expiries, faults, violations and lifecycle events, with a legend', () => {
    const kinds = markerKinds(doc);
    for (const kind of ['reap', 'cancel', 'expired', 'fault', 'violation', 'lifecycle', 'reject']) expect(kinds, kind).toContain(kind);
    expect(kinds.filter((k) => k === 'violation')).toHaveLength(2);
    const legend = Array.from(doc.querySelectorAll('g.legend-item')).map((g) => g.getAttribute('data-kind'));
    for (const kind of [
      'occupancy',
      'tick',
      'tick-start',
      'tick-end',
      'padding',
      'batch',
      'backlog',
      'marker-reap',
      'marker-cancel',
      'marker-expired',
      'marker-fault',
      'marker-violation',
      'marker-lifecycle',
      'cap-idle-timeout',
    ]) {
      expect(legend, kind).toContain(kind);
    }
  });

  it('shows a violation in red with the oracle message and highlights the sequence it names', () => {
    const texts = Array.from(doc.querySelectorAll('text.violation-text')).map((t) => t.textContent ?? '');
    expect(texts).toHaveLength(1);
    expect(texts[0]).toContain('affinity at 5 ms: request 3:1 ran in I1/s1 but its sequence holds I1/s0');
    expect(count(doc, 'line.violation-guide')).toBe(1);
    const violated = Array.from(doc.querySelectorAll('rect.occ.violated'));
    expect(violated).toHaveLength(1);
    expect(violated[0]!.querySelector('title')?.textContent).toContain('sequence 3');
    // The offending tick ran on a slot its sequence never held: drawn in the violation colour.
    const foreign = Array.from(doc.querySelectorAll('line.req-tick')).find((t) => t.querySelector('title')?.textContent?.includes('did not hold'));
    expect(foreign?.getAttribute('stroke')).toBe('#d1242f');
  });

  it('picks axis units for the span', () => {
    expect(doc.querySelector('text.axis-unit')?.textContent).toBe('virtual time (ms)');
    expect(unitForSpan(800).name).toBe('µs');
    expect(unitForSpan(13_000).name).toBe('ms');
    expect(unitForSpan(20_000_000).name).toBe('s');
    const micro = parseSvg(renderTimelineSvg(fixture.events, { fromUs: 0, toUs: 800 }));
    expect(micro.querySelector('text.axis-unit')?.textContent).toBe('virtual time (µs)');
    expect(count(micro, 'g.axis g.tick')).toBeGreaterThan(3);
  });
});

describe('timeline options', () => {
  it('cuts to a time window', () => {
    const cut = parseSvg(renderTimelineSvg(fixture.events, { layout, fromUs: 4_000, toUs: 13_000 }));
    expect(count(cut, 'rect.occ')).toBe(2);
    expect(markerKinds(cut)).not.toContain('expired');
    expect(cut.querySelector('text.subheading')?.textContent).toContain('4 ms → 13 ms');
  });

  it('filters instances and slots', () => {
    const one = parseSvg(renderTimelineSvg(fixture.events, { layout, instances: [1] }));
    expect(count(one, 'g.slot-row')).toBe(2);
    expect(count(one, 'rect.occ')).toBe(2);
    expect(count(one, 'rect.batch')).toBe(3);
    const slot0 = parseSvg(renderTimelineSvg(fixture.events, { layout, slots: [0] }));
    expect(Array.from(slot0.querySelectorAll('g.slot-row')).map((r) => r.getAttribute('data-slot'))).toEqual(['0', '0']);
    expect(count(slot0, 'rect.occ')).toBe(3);
  });

  it('sets the width and the theme', () => {
    const narrow = parseSvg(renderTimelineSvg(fixture.events, { width: 800, theme: 'dark' }));
    const root = narrow.documentElement;
    expect(root.getAttribute('width')).toBe('800');
    expect(root.getAttribute('viewBox')).toMatch(/^0 0 800 \d+$/);
    expect(narrow.querySelector('rect.background')?.getAttribute('fill')).toBe('#0d1117');
    expect(doc.querySelector('rect.background')?.getAttribute('fill')).toBe('#ffffff');
  });

  it('learns slots from the events; with a layout, draws no never-occupied slot and says how many it hid', () => {
    const events = fixture.events.filter((e) => !('instance' in e) || e.instance !== 1);
    expect(count(parseSvg(renderTimelineSvg(events)), 'g.slot-row')).toBe(2);
    const doc = parseSvg(renderTimelineSvg(events, { layout }));
    expect(count(doc, 'g.slot-row')).toBe(2);
    expect(Array.from(doc.querySelectorAll('text.note')).map((t) => t.textContent)).toContain(
      'note: 2 slots that no sequence ever occupied are not drawn (2 drawn).',
    );
  });
});

describe('escaping', () => {
  const evil = directFixture(MALICIOUS_IDS);
  const text = renderTimelineSvg(evil.events, { title: '<script>alert("title")</script>' });

  it('keeps malicious ids as inert text in well-formed XML', () => {
    const evilDoc = parseSvg(text);
    expectInert(evilDoc);
    expect(text).not.toMatch(/<script|<img|<svg onload|<!--/i);
    expect(text).not.toContain('&nbsp;');
    const titles = Array.from(evilDoc.querySelectorAll('title')).map((t) => t.textContent ?? '');
    expect(titles.some((t) => t.includes('sequence "<script>alert(1)</script>"'))).toBe(true);
    expect(titles.some((t) => t.includes('"\\"><img src=x onerror=alert(2)>"'))).toBe(true);
    expect(titles.some((t) => t.includes('a&amp;b\u00a0c\\u0001d'))).toBe(true);
    expect(evilDoc.querySelector('text.heading')?.textContent).toBe('<script>alert("title")</script>');
  });
});

describe('large traces', () => {
  it('thins out past the budgets and says so', () => {
    const rendered = renderTimeline(buildTimeline(fixture.events, layout), { budgets: { ticks: 2, batches: 2, padding: 2, waits: 1, markers: 2 } });
    const thin = parseSvg(rendered.svg);
    expect(count(thin, '.req-tick')).toBe(0);
    expect(count(thin, 'rect.batch')).toBe(0);
    expect(count(thin, 'rect.batch-bin')).toBeGreaterThan(0);
    expect(count(thin, 'line.backlog-wait')).toBe(0);
    expect(count(thin, 'rect.occ')).toBe(5);
    expect(count(thin, 'g.marker-violation')).toBe(2);
    expect(rendered.notes.length).toBeGreaterThanOrEqual(4);
    expect(count(thin, 'text.note')).toBe(rendered.notes.length);
  });

  it('draws 10,000 requests under 5 MB, every occupancy still a bar', () => {
    const events = synthesizeTrace({ requests: 10_000 });
    const timeline = buildTimeline(events);
    const rendered = renderTimeline(timeline);
    expect(Buffer.byteLength(rendered.svg)).toBeLessThan(5 * 1024 * 1024);
    const big = parseSvg(rendered.svg);
    expect(count(big, 'rect.occ')).toBe(timeline.occupancies.length);
    expect(timeline.occupancies.length).toBe(2500);
    expect(count(big, '.req-tick')).toBe(0);
    expect(rendered.notes.join('\n')).toContain('10000 executed requests');
  });
});

describe('determinism', () => {
  it('gives the same bytes for the same events', () => {
    const copy = JSON.parse(JSON.stringify(fixture.events)) as typeof fixture.events;
    expect(renderTimelineSvg(copy, { layout })).toBe(svg);
    expect(renderTimelineSvg(fixture.events, { layout, theme: 'dark', width: 900 })).toBe(renderTimelineSvg(copy, { layout, theme: 'dark', width: 900 }));
  });
});

describe('a long idle tail (a stalled or budget-exhausted run) is left out of the default window', () => {
  const events = fixture.events.filter((e) => e.type !== 'summary');
  const activityEndUs = Math.max(...events.map((e) => e.t));
  const runEndUs = activityEndUs * 50;
  const stalled = [
    ...events,
    { t: runEndUs - 10, type: 'fault', kind: 'timer_jitter', timer: 'reaper', jitter_us: 10 },
    { t: runEndUs, type: 'violation', oracle: 'liveness', message: 'run stalled', events: [0] },
    { t: runEndUs, type: 'summary', requests: 1, responses: 1, violations: 1, events: events.length + 2, hash: 'x' },
  ] as typeof fixture.events;

  it('ends the picture shortly after the last activity and says where the run really ended', () => {
    const rendered = renderTimeline(buildTimeline(stalled, layout), { layout });
    const d = parseSvg(rendered.svg);
    const view = selectView(buildTimeline(stalled, layout), {});
    expect(view.activityEndUs).toBe(activityEndUs);
    expect(view.endUs).toBeGreaterThan(activityEndUs);
    expect(view.endUs).toBeLessThanOrEqual(activityEndUs + Math.ceil((activityEndUs - view.startUs) / 10));
    expect(view.idleTailEndUs).toBe(runEndUs);
    expect(rendered.notes).toHaveLength(1);
    expect(rendered.notes[0]).toMatch(
      /^Nothing but the idle reaper's checks happened after .*; the run ended at .*\. --to \d+us \(seqsim viz, report\) draws all of it\.$/,
    );
    expect(rendered.notes[0]).toContain(`--to ${runEndUs}us`);
    expect(count(d, 'text.note')).toBe(1);
  });

  it('an explicit --to, or a tail no longer than three times the activity, draws everything', () => {
    expect(renderTimeline(buildTimeline(stalled, layout), { layout, toUs: runEndUs }).notes).toEqual([]);
    const shortTail = stalled.map((e) => (e.t > activityEndUs ? { ...e, t: activityEndUs * 3 } : e));
    expect(renderTimeline(buildTimeline(shortTail, layout), { layout }).notes).toEqual([]);
  });
});
