import { describe, expect, it } from 'vitest';
import { parseScenario } from '../../src/scenario/load.ts';
import { simulate } from '../../sim/simulate.ts';
import { renderTimeline } from '../../viz/svg.ts';
import { buildTimeline } from '../../viz/timeline.ts';
import { exportChromeTrace, type ChromeEvent } from '../../viz/chrome.ts';
import { count, parseSvg } from './dom.ts';

/** 1,024 Oldest candidates × 2 instances = 2,048 slots, of which a small run touches a handful. */
function largeRun() {
  const scenario = parseScenario(
    {
      name: 'wide-oldest',
      model: {
        name: 'm',
        max_batch_size: 8,
        instance_group: [{ count: 2, kind: 'KIND_CPU' }],
        sequence_batching: { oldest: { max_candidate_sequences: 1024, preferred_batch_size: [4] } },
      },
      sequences: [1, 2, 3, 4, 5, 6].map((id) => ({ id, mode: 'stream', steps: [{ value: 1, start: true }, { value: 2 }, { value: 4, end: true }] })),
    },
    '<test>',
    '.',
  );
  const run = simulate(scenario, { seed: 1 });
  const layout = { instanceCount: scenario.model.instanceCount, slotsPerInstance: scenario.model.slotsPerInstance };
  return { run, layout };
}

describe('pictures of a config with 2,048 slots', () => {
  const { run, layout } = largeRun();
  const timeline = buildTimeline(run.events, layout);
  const used = new Set(run.events.flatMap((e) => (e.type === 'assign' ? [`${e.instance}:${e.slot}`] : []))).size;

  it('the SVG draws only the slots the run touched, stays small, and says how many it hid', () => {
    expect(layout).toEqual({ instanceCount: 2, slotsPerInstance: 1024 });
    expect(used).toBeGreaterThan(1);
    expect(timeline.slots).toHaveLength(used);
    expect(timeline.hiddenSlots).toBe(2048 - used);
    const rendered = renderTimeline(timeline, { layout });
    const doc = parseSvg(rendered.svg);
    expect(count(doc, 'g.slot-row')).toBe(used);
    // Before: 2,048 rows made a 51,462-px-tall picture; a few rows and the chrome fit in 1,000 px.
    expect(Number(doc.documentElement.getAttribute('height'))).toBeLessThan(1000);
    const note = `${2048 - used} slots that no sequence ever occupied are not drawn (${used} drawn).`;
    expect(rendered.notes).toContain(note);
    expect(Array.from(doc.querySelectorAll('text.note')).map((t) => t.textContent)).toContain(`note: ${note}`);
  });

  it('the Chrome export names only tracks that carry events', () => {
    const exported = exportChromeTrace(run.events, { layout });
    const events = exported.parts.flatMap((part) => (JSON.parse(part) as { traceEvents: ChromeEvent[] }).traceEvents);
    const metadata = events.filter((e) => e.ph === 'M');
    const used = new Set(events.filter((e) => e.ph !== 'M').map((e) => `${e.pid}/${e.tid}`));
    const named = metadata.filter((e) => e.name === 'thread_name').map((e) => `${e.pid}/${e.tid}`);
    for (const track of named) expect(used.has(track), `track ${track} is named but carries no event`).toBe(true);
    // Before: 98 % of the file was per-slot metadata for 2,048 empty tracks.
    expect(metadata.length).toBeLessThan(events.length / 2);
  });
});
