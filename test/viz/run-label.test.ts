import { describe, expect, it } from 'vitest';
import { timelineOfTrace } from '../../viz/run-svg.ts';
import { renderReport } from '../../viz/report.ts';
import { runLabel } from '../../viz/trace-input.ts';
import type { TraceHeader } from '../../traces/writer.ts';
import { directFixture } from './fixture.ts';
import { parseHtml, parseSvg } from './dom.ts';

const fixture = directFixture();
const live: TraceHeader = { ...fixture.header, clock: 'real', options: { execution_provider: 'cpu', requested_provider: 'auto' } };
const served: TraceHeader = { ...fixture.header, seed: 0, clock: 'real', options: { execution_provider: 'cpu', front_end: 'kserve-v2-http' } };

describe('pictures name the run and its clock from the trace header', () => {
  it('a simulated run by its seed, a live run by seed and provider, a served one by its front end (its seed is a placeholder)', () => {
    expect(runLabel(fixture.header)).toBe(`seed ${fixture.header.seed}`);
    expect(runLabel(live)).toBe(`live, seed ${fixture.header.seed} on cpu`);
    expect(runLabel(served)).toBe('served over HTTP on cpu');
  });

  it('the axis says real time for real-clock traces, virtual time for simulated ones', () => {
    const axis = (header: TraceHeader): string | null | undefined =>
      parseSvg(timelineOfTrace(header, fixture.events).svg).querySelector('text.axis-unit')?.textContent;
    expect(axis(fixture.header)).toMatch(/^virtual time/);
    expect(axis(live)).toMatch(/^real time/);
    const title = parseSvg(timelineOfTrace(served, fixture.events).svg).querySelector('text.heading')?.textContent;
    expect(title).toMatch(/ · served over HTTP on cpu$/);
    expect(title).not.toContain('seed 0');
  });

  it('the report of a served trace is not titled "seed 0"', () => {
    const doc = parseHtml(renderReport(fixture.events, { header: served }));
    expect(doc.querySelector('h1')?.textContent).toMatch(/\(served over HTTP on cpu\)$/);
    expect(doc.querySelector('svg text.axis-unit')?.textContent).toMatch(/^real time/);
    expect(doc.body.textContent).not.toContain('seed 0');
  });
});
