import { describe, expect, it } from 'vitest';
import type { TraceEvent } from '../../src/core/events.ts';
import { ClientTimelineCollector, MAX_CLIENT_LANES, renderClientTimeline } from '../../viz/client-timeline.ts';

function collect(events: TraceEvent[]): ClientTimelineCollector {
  const collector = new ClientTimelineCollector();
  for (const [index, event] of events.entries()) collector.observe(event, index + 1);
  return collector;
}

const evil = '<script>alert(1)</script>"&\u0001';

describe('the client-side timeline', () => {
  const events: TraceEvent[] = [
    { t: 0, type: 'send', request: `${evil}:0`, sequence: evil, step: 0, start: true, end: false, value: 1 },
    { t: 1000, type: 'response', request: `${evil}:0`, sequence: evil, step: 0, output: 1 },
    { t: 1500, type: 'send', request: '7:0', sequence: 7, step: 0, start: false, end: false, value: 1 },
    { t: 2000, type: 'response', request: '7:0', sequence: 7, step: 0, error: { code: 'INVALID_ARG', message: `no ${evil}` } },
    { t: 2100, type: 'fault', kind: 'misuse', request: '8:0', sequence: 8, step: 0, misuse: 'id_zero' },
    { t: 2100, type: 'send', request: '8:0', sequence: 0, step: 0, start: true, end: false, value: 1 },
    { t: 9000, type: 'error', request: '8:0', sequence: 0, step: 0, reason: 'deadline', message: 'no answer' },
  ];

  it('draws one lane per sequence, a line per request and its answer; user strings come out escaped', () => {
    const svg = renderClientTimeline(collect(events), { title: `run of ${evil}`, offendingLines: new Set(), violations: [] });
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    expect(svg).not.toContain('<script>');
    expect(svg).toContain('&lt;script&gt;alert(1)&lt;/script&gt;&quot;&amp;\\u0001');
    expect(svg.match(/<circle /g)).toHaveLength(2); // an output ● and a missing answer ○
    expect(svg).toContain('INVALID_ARG no &lt;script&gt;');
    expect(svg).toContain('no answer (deadline)');
    expect(svg).not.toContain('#d1242f');
  });

  it('what a violation names is red, and the violations are listed', () => {
    const svg = renderClientTimeline(collect(events), { title: 't', offendingLines: new Set([3, 4]), violations: ['outputs: request 7:0 <bad>'] });
    expect(svg).toContain('stroke="#d1242f"');
    expect(svg).toContain('✗ outputs: request 7:0 &lt;bad&gt;');
    // The same events draw the same picture.
    expect(renderClientTimeline(collect(events), { title: 't', offendingLines: new Set([3, 4]), violations: ['outputs: request 7:0 <bad>'] })).toBe(svg);
  });

  it('is bounded: beyond its lane budget later sequences are counted in a note', () => {
    const many: TraceEvent[] = Array.from({ length: MAX_CLIENT_LANES + 25 }, (_, i) => ({
      t: i,
      type: 'send' as const,
      request: `${i}:0`,
      sequence: i,
      step: 0,
      start: true,
      end: true,
      value: 1,
    }));
    const svg = renderClientTimeline(collect(many), { title: 't', offendingLines: new Set(), violations: [] });
    expect(svg).toContain('25 later sequence(s) not drawn');
  });
});
