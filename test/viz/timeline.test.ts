import { describe, expect, it } from 'vitest';
import { buildTimeline } from '../../viz/timeline.ts';
import { selectView } from '../../viz/view.ts';
import { referenceOutputs } from '../../sim/oracles/outputs.ts';
import { modelOf } from '../../viz/trace-input.ts';
import { formatUs, parseTimeUs } from '../../viz/units.ts';
import { cleanText, escapeMarkup, jsonForScript, sequenceKey, sequenceLabel } from '../../viz/escape.ts';
import { synthesizeTrace } from '../../viz/synthetic.ts';
import type { TraceEvent } from '../../src/core/events.ts';
import { directFixture } from './fixture.ts';

describe('timeline model', () => {
  const fixture = directFixture();
  const timeline = buildTimeline(fixture.events, { instanceCount: 2, slotsPerInstance: 2 });

  it('follows occupancies from assign to release', () => {
    expect(timeline.occupancies.map((o) => [o.label, o.instance, o.slot, o.fromUs, o.toUs, o.reason ?? 'open', o.fromBacklog])).toEqual([
      ['1', 0, 0, 0, 2000, 'end', false],
      ['2', 0, 1, 5, 12000, 'idle-timeout', false],
      ['3', 1, 0, 10, 13000, 'open', false],
      ['4', 1, 1, 20, 2150, 'cancel', false],
      ['5', 0, 0, 2000, 3000, 'end', true],
    ]);
    expect(timeline.occupancies[1]!.reapUs).toBe(12000);
    expect(timeline.busySlots.map((p) => p.value)).toEqual([1, 2, 3, 4, 3, 4, 3, 2, 1]);
  });

  it('places executed requests, padding and batches', () => {
    expect(timeline.executed.map((e) => `${e.request}@${e.atUs}-${e.doneUs}`)).toEqual([
      '1:0@0-1000',
      '3:0@10-1010',
      '2:0@1000-2000',
      '4:0@1010-2010',
      '1:1@2000-3000',
      '5:0@3000-4000',
      '3:1@5000-6000',
    ]);
    expect(timeline.executed.find((e) => e.request === '3:1')?.foreign).toBe(true);
    expect(timeline.executed.filter((e) => e.foreign)).toHaveLength(1);
    expect(timeline.padding.map((p) => `${p.instance}/${p.slot}@${p.atUs}`)).toEqual(['0/0@1000', '1/0@1010', '0/1@2000', '1/0@5000']);
    expect(timeline.batches.map((b) => `${b.batch}:${b.size}/${b.rows}`)).toEqual(['0:1/1', '1:1/1', '2:1/2', '3:1/2', '4:1/2', '5:1/1', '6:1/2']);
  });

  it('tracks the backlog: depth over time and which sequences waited', () => {
    expect(timeline.backlogDepth.map((p) => `${p.atUs}:${p.value}`)).toEqual(['30:1', '40:2', '1540:1', '2000:0']);
    expect(timeline.waits.map((w) => `${w.label} ${w.fromUs}-${w.toUs} ${w.outcome}`)).toEqual(['5 30-2000 assigned', '6 40-1540 expired']);
  });

  it('collects markers and the violation with the sequences it names', () => {
    expect(timeline.markers.map((m) => `${m.kind}@${m.atUs} ${m.lane.kind}`)).toEqual([
      'expired@1540 backlog',
      'cancel@2150 slot',
      'cancel@2150 slot',
      'fault@3500 events',
      'reject@7000 events',
      'reap@12000 slot',
      'lifecycle@13000 events',
      'violation@10 slot',
      'violation@5000 slot',
    ]);
    expect(timeline.violations).toHaveLength(1);
    expect(timeline.violations[0]).toMatchObject({ oracle: 'affinity', atUs: 5000, sequenceKeys: ['u:3'] });
  });

  it('keeps only the slots events touched, orders rows instance-major and counts the layout slots it hid', () => {
    const wide = buildTimeline(fixture.events, { instanceCount: 3, slotsPerInstance: 3 });
    expect(wide.slots).toHaveLength(4);
    expect(wide.slots[2]).toEqual({ instance: 1, slot: 0 });
    expect(wide.hiddenSlots).toBe(5);
    expect(buildTimeline(fixture.events).hiddenSlots).toBe(0);
  });

  it('shows two sequences on one slot as overlapping occupancies', () => {
    const events: TraceEvent[] = [
      { t: 0, type: 'assign', sequence: 1, instance: 0, slot: 0 },
      { t: 5, type: 'assign', sequence: 2, instance: 0, slot: 0 },
      { t: 9, type: 'release', sequence: 1, instance: 0, slot: 0, reason: 'end' },
      { t: 12, type: 'release', sequence: 2, instance: 0, slot: 0, reason: 'end' },
    ];
    expect(buildTimeline(events).occupancies.map((o) => [o.label, o.overlap, o.toUs])).toEqual([
      ['1', 0, 9],
      ['2', 1, 12],
    ]);
  });

  it('cuts a view to a window, with the backlog depth at the window start', () => {
    const view = selectView(timeline, { fromUs: 1000, toUs: 1800 });
    expect(view.backlogDepth[0]).toEqual({ atUs: 1000, value: 2 });
    expect(view.occupancies.map((o) => o.label)).toEqual(['1', '2', '3', '4']);
  });

  it('computes reference outputs for what executed', () => {
    const reference = referenceOutputs(fixture.events, modelOf(fixture.header)!);
    expect(reference.get('1:1')).toBe(65);
    expect(reference.get('5:0')).toBe(16);
    // 3:1 ran on I1/s1, whose state is 4:0's: 8 + 256.
    expect(reference.get('3:1')).toBe(264);
  });

  it('builds 10,000 requests quickly', () => {
    const events = synthesizeTrace({ requests: 10_000 });
    const large = buildTimeline(events);
    expect(large.executed).toHaveLength(10_000);
    expect(large.occupancies.every((o) => o.executed.length === 4)).toBe(true);
    expect(Math.max(...large.backlogDepth.map((p) => p.value))).toBeGreaterThan(100);
  });
});

describe('units and escaping helpers', () => {
  it('formats and parses times', () => {
    expect([formatUs(999), formatUs(1500), formatUs(2_000_000)]).toEqual(['999 µs', '1.5 ms', '2 s']);
    expect([
      parseTimeUs('1500'),
      parseTimeUs('250us'),
      parseTimeUs('250µs'),
      parseTimeUs('1.5ms'),
      parseTimeUs('2s'),
      parseTimeUs('soon'),
      parseTimeUs('-1'),
    ]).toEqual([1500, 250, 250, 1500, 2_000_000, undefined, undefined]);
  });

  it('escapes markup, script JSON and XML-invalid characters', () => {
    expect(escapeMarkup(`<a href="x" onclick='y'>&amp;</a>`)).toBe('&lt;a href=&quot;x&quot; onclick=&#39;y&#39;&gt;&amp;amp;&lt;/a&gt;');
    expect(cleanText('a\u0000b\u001fc\ud800d')).toBe('a\\u0000b\\u001fc\\ud800d');
    expect(cleanText('emoji 😀 ok')).toBe('emoji 😀 ok');
    expect(jsonForScript({ id: '</script><!--' })).toBe('{"id":"\\u003c/script\\u003e\\u003c!--"}');
    expect(JSON.parse(jsonForScript({ id: '</script>\u2028' }))).toEqual({ id: '</script>\u2028' });
  });

  it('tells uint64 and string ids apart', () => {
    expect(sequenceKey(5)).not.toBe(sequenceKey('5'));
    expect(sequenceKey({ u64: '5' })).toBe(sequenceKey(5));
    expect([sequenceLabel(5), sequenceLabel('5'), sequenceLabel({ u64: '18446744073709551615' })]).toEqual(['5', '"5"', '18446744073709551615']);
    expect(sequenceKey({ u64: 'not a number' })).toMatch(/^x:/);
  });
});
