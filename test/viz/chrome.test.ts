import { describe, expect, it } from 'vitest';
import { exportChromeTrace, instancePid, REQUESTS_PID, SCHEDULER_PID, type ChromeEvent } from '../../viz/chrome.ts';
import { synthesizeTrace } from '../../viz/synthetic.ts';
import { directFixture, MALICIOUS_IDS } from './fixture.ts';

const PHASES = new Set(['X', 'b', 'e', 'i', 'C', 'M', 's', 't', 'f']);

function parse(part: string): { traceEvents: ChromeEvent[]; displayTimeUnit: string; otherData: Record<string, unknown> } {
  return JSON.parse(part) as { traceEvents: ChromeEvent[]; displayTimeUnit: string; otherData: Record<string, unknown> };
}

/** Checks one file against the trace-event format; returns its events. */
function validate(part: string): ChromeEvent[] {
  const doc = parse(part);
  expect(Array.isArray(doc.traceEvents)).toBe(true);
  const events = doc.traceEvents;
  const lastTs = new Map<string, number>();
  const open = new Map<string, number>();
  const flows = new Map<number, string[]>();
  for (const event of events) {
    expect(typeof event.name).toBe('string');
    expect(PHASES.has(event.ph), event.ph).toBe(true);
    expect(Number.isInteger(event.pid) && Number.isInteger(event.tid)).toBe(true);
    expect(Number.isFinite(event.ts) && event.ts >= 0).toBe(true);
    if (event.ph === 'M') {
      expect(event.args).toBeDefined();
      continue;
    }
    if (event.ph === 'X') expect(event.dur! >= 0).toBe(true);
    if (event.ph === 'i') expect(['g', 'p', 't']).toContain(event.s);
    if (event.ph === 'C') expect(Object.values(event.args ?? {}).every((v) => typeof v === 'number')).toBe(true);
    // Timestamps never go back on a track (thread, async id, or counter).
    const track =
      event.ph === 'b' || event.ph === 'e'
        ? `async ${event.cat} ${event.id}`
        : event.ph === 'C'
          ? `counter ${event.pid} ${event.name}`
          : `thread ${event.pid}/${event.tid}`;
    expect(event.ts, track).toBeGreaterThanOrEqual(lastTs.get(track) ?? 0);
    lastTs.set(track, event.ts);
    if (event.ph === 'b' || event.ph === 'e') {
      expect(event.cat).toBeDefined();
      expect(event.id).toBeDefined();
      const key = `${event.cat} ${event.id}`;
      const depth = (open.get(key) ?? 0) + (event.ph === 'b' ? 1 : -1);
      expect(depth, `async ${key} ends before it begins`).toBeGreaterThanOrEqual(0);
      open.set(key, depth);
    }
    if (event.ph === 's' || event.ph === 't' || event.ph === 'f') {
      expect(event.id).toBeDefined();
      flows.set(event.id!, [...(flows.get(event.id!) ?? []), event.ph]);
    }
  }
  for (const [key, depth] of open) expect(depth, `async ${key} never ends`).toBe(0);
  for (const [id, phases] of flows) {
    expect(phases[0], `flow ${id}`).toBe('s');
    expect(phases.filter((p) => p === 's')).toHaveLength(1);
    expect(phases.filter((p) => p === 'f').length).toBeLessThanOrEqual(1);
    if (phases.includes('f')) expect(phases[phases.length - 1]).toBe('f');
  }
  return events;
}

describe('Chrome trace export', () => {
  const fixture = directFixture();
  const exported = exportChromeTrace(fixture.events, { header: fixture.header, layout: { instanceCount: 2, slotsPerInstance: 2 } });
  const events = validate(exported.parts[0]!);

  it('is one valid trace-event document', () => {
    expect(exported.parts).toHaveLength(1);
    expect(exported.notes).toEqual([]);
    const doc = parse(exported.parts[0]!);
    expect(doc.displayTimeUnit).toBe('ms');
    expect(doc.otherData).toMatchObject({ tool: 'seqsim', seed: 7, scenario: 'viz-fixture', parts: 1 });
    expect(events.length).toBe(exported.eventCount);
  });

  it('names a track per slot, grouped by instance, plus batches, requests and scheduler', () => {
    const names = events.filter((e) => e.ph === 'M' && e.name === 'thread_name').map((e) => `${e.pid}/${e.tid} ${String(e.args?.['name'])}`);
    expect(names).toEqual(
      expect.arrayContaining([
        `${instancePid(0)}/1 slot 0`,
        `${instancePid(0)}/2 slot 1`,
        `${instancePid(1)}/1 slot 0`,
        `${instancePid(1)}/2 slot 1`,
        `${instancePid(0)}/0 batches`,
        `${SCHEDULER_PID}/1 events`,
      ]),
    );
    const processes = events.filter((e) => e.ph === 'M' && e.name === 'process_name').map((e) => e.args?.['name']);
    expect(processes).toEqual(['seqsim scheduler', 'requests', 'instance 0', 'instance 1']);
  });

  it('has executions as complete events on slot tracks, batches on the batches track', () => {
    const executions = events.filter((e) => e.ph === 'X' && e.cat === 'execute');
    expect(executions).toHaveLength(7);
    const c1 = executions.find((e) => e.name === '3:1')!;
    expect(c1).toMatchObject({ ts: 5000, dur: 1000, pid: instancePid(1), tid: 2 });
    expect(events.filter((e) => e.ph === 'X' && e.cat === 'batch')).toHaveLength(7);
    expect(events.filter((e) => e.ph === 'X' && e.cat === 'padding')).toHaveLength(4);
  });

  it('has occupancies and requests as paired async events', () => {
    expect(events.filter((e) => e.ph === 'b' && e.cat === 'occupancy')).toHaveLength(5);
    expect(events.filter((e) => e.ph === 'b' && e.cat === 'request')).toHaveLength(fixture.events.filter((e) => e.type === 'send').length);
    const occupancyOfB = events.find((e) => e.ph === 'e' && e.cat === 'occupancy' && e.ts === 12000);
    expect(occupancyOfB?.args).toEqual({ released: 'idle-timeout' });
  });

  it('links arrival → execution → response with flow events', () => {
    const flowEvents = events.filter((e) => e.cat === 'flow');
    const byId = new Map<number, ChromeEvent[]>();
    for (const e of flowEvents) byId.set(e.id!, [...(byId.get(e.id!) ?? []), e]);
    expect(byId.size).toBe(7);
    for (const chain of byId.values()) {
      expect(chain.map((e) => e.ph)).toEqual(chain.length === 3 ? ['s', 't', 'f'] : ['s', 't']);
      expect(chain[0]!.pid).toBe(REQUESTS_PID);
      expect(chain[1]!.pid).toBeGreaterThanOrEqual(instancePid(0));
    }
    // Each flow step sits inside a slice of its thread, so viewers can bind it.
    for (const step of flowEvents) {
      const enclosing = events.some((e) => e.ph === 'X' && e.pid === step.pid && e.tid === step.tid && e.ts <= step.ts && step.ts <= e.ts + e.dur!);
      expect(enclosing, `${step.ph} ${step.id}`).toBe(true);
    }
  });

  it('has counters for backlog depth and busy slots, instants for faults and violations', () => {
    const depth = events.filter((e) => e.ph === 'C' && e.name === 'backlog depth').map((e) => e.args?.['depth']);
    expect(Math.max(...(depth as number[]))).toBe(2);
    expect(depth[depth.length - 1]).toBe(0);
    const busy = events.filter((e) => e.ph === 'C' && e.name === 'busy slots').map((e) => e.args?.['busy'] as number);
    expect(Math.max(...busy)).toBe(4);
    const instants = events.filter((e) => e.ph === 'i').map((e) => e.name);
    for (const kind of ['fault', 'violation', 'reap', 'cancel', 'expired', 'lifecycle']) expect(instants).toContain(kind);
    expect(events.find((e) => e.ph === 'i' && e.name === 'violation')?.s).toBe('g');
  });

  it('is deterministic and keeps malicious ids as JSON strings', () => {
    expect(exportChromeTrace(fixture.events, { header: fixture.header, layout: { instanceCount: 2, slotsPerInstance: 2 } }).parts).toEqual(exported.parts);
    const evil = directFixture(MALICIOUS_IDS);
    const part = exportChromeTrace(evil.events).parts[0]!;
    const names = validate(part).map((e) => e.name);
    expect(names).toContain('seq "<script>alert(1)</script>"');
  });
});

describe('large Chrome traces', () => {
  it('splits by time under the size limit, each file valid on its own', () => {
    const events = synthesizeTrace({ requests: 2_000 });
    const whole = exportChromeTrace(events);
    expect(whole.parts).toHaveLength(1);
    const maxBytes = Math.ceil(Buffer.byteLength(whole.parts[0]!) / 3.5);
    const split = exportChromeTrace(events, { maxBytes });
    expect(split.parts.length).toBeGreaterThanOrEqual(4);
    expect(split.notes[0]).toMatch(/split by time into \d+ files/);
    let total = 0;
    let previousFirst = 0;
    for (const part of split.parts) {
      expect(Buffer.byteLength(part)).toBeLessThanOrEqual(maxBytes);
      const partEvents = validate(part);
      total += partEvents.filter((e) => e.ph !== 'M').length;
      // Files follow each other in time.
      const first = Math.min(...partEvents.filter((e) => e.ph !== 'M').map((e) => e.ts));
      expect(first).toBeGreaterThanOrEqual(previousFirst);
      previousFirst = first;
    }
    expect(total).toBe(parse(whole.parts[0]!).traceEvents.filter((e) => e.ph !== 'M').length);
  });

  it('keeps 10,000 requests well under 100 MB in one file', () => {
    const exported = exportChromeTrace(synthesizeTrace({ requests: 10_000 }));
    expect(exported.parts).toHaveLength(1);
    expect(Buffer.byteLength(exported.parts[0]!)).toBeLessThan(100_000_000);
  });
});
