import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseScenario } from '../../src/scenario/load.ts';
import { simulate, type RunResult } from '../../sim/simulate.ts';
import { ZOO } from '../../sim/zoo/variants.ts';
import { timelineOfTrace } from '../../viz/run-svg.ts';
import { renderReport } from '../../viz/report.ts';
import { buildTimeline } from '../../viz/timeline.ts';
import { selectView } from '../../viz/view.ts';
import { CONTEXT_US, frameOffendingEvents } from '../../viz/violation-frame.ts';
import { parseHtml, parseSvg } from './dom.ts';

const minimal = (bug: string): Record<string, unknown> =>
  JSON.parse(readFileSync(fileURLToPath(new URL(`../../sim/zoo/minimal/${bug}.json`, import.meta.url)), 'utf8')) as Record<string, unknown>;

function run(json: Record<string, unknown>, bug: string): RunResult {
  return simulate(parseScenario(json, `${bug}.json`, '.'), { seed: 1, batcher: `bug:${bug}` });
}

/** What the default picture of a failing run must show: every offending event, and every sequence a violation names. */
function expectViolationShown(result: RunResult): { startUs: number; endUs: number; notes: readonly string[] } {
  const timeline = buildTimeline(result.events);
  const view = selectView(timeline, {});
  const rendered = timelineOfTrace(result.header, result.events);
  const doc = parseSvg(rendered.svg);
  expect(timeline.violations.length).toBeGreaterThan(0);
  for (const violation of timeline.violations) {
    for (const index of violation.eventIndices) {
      const t = result.events[index]!.t;
      expect(t, `offending event ${index} of "${violation.message}"`).toBeGreaterThanOrEqual(view.startUs);
      expect(t, `offending event ${index} of "${violation.message}"`).toBeLessThanOrEqual(view.endUs);
    }
    for (const key of violation.sequenceKeys) {
      const label = timeline.sequences.find((s) => s.key === key)!.label;
      const bars = Array.from(doc.querySelectorAll('rect.occ.violated')).filter((r) =>
        r.querySelector('title')?.textContent?.startsWith(`sequence ${label} on `),
      );
      const waits = Array.from(doc.querySelectorAll('line.backlog-wait')).filter((l) =>
        l.querySelector('title')?.textContent?.startsWith(`sequence ${label} waited`),
      );
      expect(bars.length + waits.length, `sequence ${label}, named by "${violation.message}", is drawn`).toBeGreaterThan(0);
      // A slot held for 0 µs (released in the instant it was taken) still gets a visible bar.
      for (const bar of bars) expect(Number(bar.getAttribute('width'))).toBeGreaterThanOrEqual(4);
    }
  }
  return { startUs: view.startUs, endUs: view.endUs, notes: rendered.notes };
}

describe('the default picture shows the violation', () => {
  it.each(ZOO.map((bug) => [bug.name]))('%s (hand-minimal reproducer): offending events in the window, named sequences drawn', (bug) => {
    expectViolationShown(run(minimal(bug), bug));
  });

  // The race of end-releases-early (0–3 ms), then a sequence that keeps the run busy until 900 ms:
  // drawn whole, the race would sit in the first pixel columns.
  const longRun: Record<string, unknown> = { ...minimal('end-releases-early'), name: 'race then a late sequence' };
  longRun['sequences'] = [...(longRun['sequences'] as unknown[]), { id: 3, start_us: 900_000, steps: [{ value: 8, start: true, end: true }] }];
  const long = run(longRun, 'end-releases-early');

  it('frames the violations of a long run and says how to draw all of it', () => {
    const shown = expectViolationShown(long);
    expect(shown.startUs).toBeLessThanOrEqual(1000);
    expect(shown.endUs).toBeLessThan(10_000);
    const runEnd = long.events[long.events.length - 1]!.t;
    expect(shown.notes).toEqual([
      expect.stringMatching(
        new RegExp(`^Framed on the violation\\(s\\): .* of a run from 0 µs to .*\\. --from 0us --to ${runEnd}us \\(seqsim viz, report\\) draws all of it\\.$`),
      ),
    ]);
  });

  it('the HTML report frames the same window and shows the note', () => {
    const doc = parseHtml(renderReport(long.events, { header: long.header }));
    expect(doc.querySelector('ul.note li')?.textContent).toMatch(/^Framed on the violation\(s\)/);
    expect(doc.querySelector('svg text.subheading')?.textContent).toMatch(/ · 0 µs → [\d.]+ ms$/);
  });

  it('--from or --to draws what they say, unframed', () => {
    const timeline = buildTimeline(long.events);
    expect(selectView(timeline, { fromUs: 0 }).endUs).toBeGreaterThan(900_000);
    expect(selectView(timeline, { toUs: 950_000 })).toMatchObject({ startUs: 0, endUs: 950_000 });
    expect(selectView(timeline, { toUs: 950_000 }).framedRun).toBeUndefined();
  });
});

describe('frameOffendingEvents', () => {
  const run = { startUs: 0, endUs: 10_000_000 };

  it('reaches for the activity just before and after the offending events, a margin beyond', () => {
    expect(frameOffendingEvents([2000, 3000], [0, 1500, 2000, 3000, 3200, 900_000], run)).toEqual({ startUs: 1415, endUs: 3285 });
  });

  it('reaches no further than the span of the offending events (or CONTEXT_US) for that activity', () => {
    const frame = frameOffendingEvents([500_000], [0, 500_000, 900_000], run)!;
    expect(frame.startUs).toBeGreaterThanOrEqual(500_000 - CONTEXT_US - CONTEXT_US / 10);
    expect(frame.endUs).toBeLessThanOrEqual(500_000 + CONTEXT_US + CONTEXT_US / 10);
  });

  it('gives events of one instant room, stays inside the run, and frames nothing without offending events', () => {
    expect(frameOffendingEvents([5], [5], run)).toEqual({ startUs: 0, endUs: 10 });
    expect(frameOffendingEvents([], [1, 2], run)).toBeUndefined();
  });
});
