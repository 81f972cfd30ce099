import { describe, expect, it } from 'vitest';
import { renderReport } from '../../viz/report.ts';
import { modelOf } from '../../viz/trace-input.ts';
import { referenceOutputs } from '../../sim/oracles/outputs.ts';
import type { TraceEvent } from '../../src/core/events.ts';
import type { TraceHeader } from '../../traces/writer.ts';

/** The report's inputs as `seqsim report` passes them: header, model and the reference outputs. */
function withReference(events: readonly TraceEvent[], header: TraceHeader) {
  const model = modelOf(header);
  return { header, ...(model === undefined ? {} : { model, referenceOutputs: referenceOutputs(events, model) }) };
}
import { REPORT_SCRIPT, scriptHash } from '../../viz/report/assets.ts';
import { directFixture, MALICIOUS_IDS } from './fixture.ts';
import { count, expectInert, parseHtml, parseSvg } from './dom.ts';

/** Structural checks of the HTML report that need no browser (the Chromium test drives the page). */
describe('HTML report (structure)', () => {
  const fixture = directFixture();
  const model = modelOf(fixture.header);
  const html = renderReport(fixture.events, withReference(fixture.events, fixture.header));
  const doc = parseHtml(html);

  it('is self-contained: no external resource, a CSP that allows only its own script', () => {
    expect(model).toBeDefined();
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(html).not.toMatch(/\b(src|href)\s*=\s*"(https?:)?\/\//i);
    expect(html).not.toMatch(/<link\b/i);
    expect(count(doc, 'script[src]')).toBe(0);
    const csp = doc.querySelector('meta[http-equiv="Content-Security-Policy"]')?.getAttribute('content') ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain(`script-src ${scriptHash(REPORT_SCRIPT)}`);
    expect(doc.querySelectorAll('script:not([type])')).toHaveLength(1);
  });

  it('has the summary: configuration, seed, counts, violations', () => {
    const config = Object.fromEntries(
      Array.from(doc.querySelectorAll('#config tr')).map((tr) => [tr.querySelector('th')?.textContent, tr.querySelector('td')?.textContent]),
    );
    expect(config).toMatchObject({ scenario: 'viz-fixture', seed: '7', strategy: 'direct', max_batch_size: '2', instances: '2' });
    const counts = Object.fromEntries(
      Array.from(doc.querySelectorAll('#counts tr')).map((tr) => [tr.querySelector('th')?.textContent, tr.querySelector('td')?.textContent]),
    );
    expect(counts).toMatchObject({ 'requests sent': '10', violations: '1', 'slot occupancies': '5', 'reaps / cancels / faults': '1 / 1 / 1' });
    expect(counts['errors']).toBe('CANCELLED × 1, INVALID_ARG × 1, UNAVAILABLE × 1');
    const violation = doc.querySelector('ol.violations li');
    expect(violation?.textContent).toContain('affinity');
    expect(Array.from(violation?.querySelectorAll('button.line-link') ?? []).map((b) => b.getAttribute('data-line'))).toEqual(['10', '51']);
  });

  it('embeds the timeline SVG', () => {
    const svg = doc.querySelector('#timeline svg');
    expect(svg).not.toBeNull();
    expect(count(svg!, 'rect.occ')).toBe(5);
    expect(count(svg!, 'g.slot-row')).toBe(4);
    parseSvg(svg!.outerHTML.replace(/&nbsp;/g, '&#160;'));
  });

  it('has the event table: a row per event, a type filter with every type', () => {
    const rows = doc.querySelectorAll('#events tbody tr');
    expect(rows).toHaveLength(fixture.events.length);
    expect(rows[9]?.getAttribute('data-line')).toBe('10');
    expect(rows[9]?.getAttribute('data-type')).toBe('assign');
    const types = Array.from(doc.querySelectorAll('#type-filter option')).map((o) => o.getAttribute('value'));
    expect(types).toEqual(['', ...new Set(fixture.events.map((e) => e.type))].sort());
    expect(doc.querySelector('#filter')).not.toBeNull();
  });

  it('has a view per sequence: steps, slots, outputs against the reference', () => {
    const views = doc.querySelectorAll('details.sequence');
    expect(views).toHaveLength(7);
    // The violation's sequence comes first and open.
    expect(views[0]?.querySelector('summary')?.textContent).toContain('sequence 3');
    expect(views[0]?.hasAttribute('open')).toBe(true);
    const a = Array.from(views).find((v) => v.querySelector('summary')?.textContent?.startsWith('sequence 1 '))!;
    const steps = Array.from(a.querySelectorAll('table.steps tbody tr')).map((tr) => Array.from(tr.querySelectorAll('td')).map((td) => td.textContent));
    expect(steps).toEqual([
      ['0', '1:0', '1', 'START', '0 µs', '0 µs', '0 µs · I0/s0 · batch 0', '1 ms', '1', '1', '✓'],
      ['1', '1:1', '64', 'END', '1.1 ms', '1.1 ms', '2 ms · I0/s0 · batch 4', '3 ms', '65', '65', '✓'],
    ]);
    expect(a.querySelector('ul.holds')?.textContent).toContain('instance 0 slot 0: 0 µs → 2 ms, released: end');
    // Sequence 3's second request ran on the wrong slot's state: the reference disagrees.
    const c = views[0]!;
    expect(c.querySelector('tr.mismatch')?.textContent).toContain('3:1');
  });

  it('is deterministic', () => {
    expect(renderReport(JSON.parse(JSON.stringify(fixture.events)), withReference(fixture.events, fixture.header))).toBe(html);
  });

  it('keeps malicious ids inert everywhere', () => {
    const evil = directFixture(MALICIOUS_IDS);
    const page = renderReport(evil.events, withReference(evil.events, evil.header));
    const evilDoc = parseHtml(page);
    expectInert(evilDoc, 1);
    expect(page).not.toMatch(/<img|<script>alert|<svg onload/i);
    const labels = Array.from(evilDoc.querySelectorAll('details.sequence .seq-label')).map((s) => s.textContent);
    expect(labels).toContain('sequence "<script>alert(1)</script>"');
    expect(labels).toContain('sequence "\\"><img src=x onerror=alert(2)>"');
    expect(Array.from(evilDoc.querySelectorAll('#events td.details')).some((td) => td.textContent?.includes('</svg><svg onload=alert(4)>'))).toBe(true);
  });
});
