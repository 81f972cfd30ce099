import type { TraceEvent, TraceEventBody, TraceRow } from '../../src/core/events.ts';
import type { ScenarioId } from '../../src/core/ids.ts';
import { scenarioIdText } from '../../src/core/ids.ts';
import { makeHeader, serializeTrace, traceText, type TraceHeader } from '../../traces/writer.ts';

/**
 * A hand-built Direct run: 2 instances × 2 slots (max_batch_size 2), executor latency 1 ms.
 * It has every mark the pictures draw: a backlog (one wait assigned, one expired), padding rows,
 * a reap with an idle-timeout release, a cancellation, an injected fault, a lifecycle event, a
 * rejected request, a sequence still holding its slot at the end, and an affinity violation
 * (sequence C's second request runs on I1/s1, a slot it never held).
 */
export interface FixtureIds {
  readonly a: ScenarioId;
  readonly b: ScenarioId;
  readonly c: ScenarioId;
  readonly d: ScenarioId;
  readonly e: ScenarioId;
  readonly f: ScenarioId;
}

export const DEFAULT_IDS: FixtureIds = { a: 1, b: 2, c: 3, d: 4, e: 5, f: 6 };

export interface Fixture {
  readonly header: TraceHeader;
  readonly events: TraceEvent[];
  readonly text: string;
  readonly ids: FixtureIds;
}

class Recorder {
  readonly events: TraceEvent[] = [];
  at(t: number, body: TraceEventBody): number {
    this.events.push({ t, ...body } as TraceEvent);
    return this.events.length; // trace line number of this event (header = line 0)
  }
}

function req(id: ScenarioId, step: number): string {
  return `${scenarioIdText(id)}:${step}`;
}

function row(slot: number, id: ScenarioId | null, step: number, flags: { start?: boolean; end?: boolean } = {}): TraceRow {
  if (id === null) return { slot, request: null, sequence: null, start: false, end: false, ready: false, corrid: 0 };
  return {
    slot,
    request: req(id, step),
    sequence: id,
    start: flags.start ?? false,
    end: flags.end ?? false,
    ready: true,
    corrid: typeof id === 'number' ? id : 0,
  };
}

export function directFixture(ids: FixtureIds = DEFAULT_IDS): Fixture {
  const { a, b, c, d, e, f } = ids;
  const r = new Recorder();
  const send = (t: number, id: ScenarioId, step: number, value: number, start: boolean, end: boolean): void => {
    r.at(t, { type: 'send', request: req(id, step), sequence: id, step, start, end, value });
    r.at(t, { type: 'arrive', request: req(id, step) });
  };
  const respond = (t: number, id: ScenarioId, step: number, output: number): void => {
    r.at(t, { type: 'response', request: req(id, step), sequence: id, step, output });
  };
  send(0, a, 0, 1, true, false);
  r.at(0, { type: 'assign', sequence: a, instance: 0, slot: 0 });
  r.at(0, { type: 'execute', instance: 0, batch: 0, rows: [row(0, a, 0, { start: true })] });
  send(5, b, 0, 2, true, false);
  r.at(5, { type: 'assign', sequence: b, instance: 0, slot: 1 });
  send(10, c, 0, 4, true, false);
  const assignC = r.at(10, { type: 'assign', sequence: c, instance: 1, slot: 0 });
  r.at(10, { type: 'execute', instance: 1, batch: 1, rows: [row(0, c, 0, { start: true })] });
  send(20, d, 0, 8, true, false);
  r.at(20, { type: 'assign', sequence: d, instance: 1, slot: 1 });
  send(30, e, 0, 16, true, true);
  r.at(30, { type: 'backlog', sequence: e });
  send(40, f, 0, 32, true, false);
  r.at(40, { type: 'backlog', sequence: f });
  r.at(1000, { type: 'complete', instance: 0, batch: 0, ok: true });
  respond(1000, a, 0, 1);
  r.at(1000, { type: 'execute', instance: 0, batch: 2, rows: [row(0, null, 0), row(1, b, 0, { start: true })] });
  r.at(1010, { type: 'complete', instance: 1, batch: 1, ok: true });
  respond(1010, c, 0, 4);
  r.at(1010, { type: 'execute', instance: 1, batch: 3, rows: [row(0, null, 0), row(1, d, 0, { start: true })] });
  send(1100, a, 1, 64, false, true);
  r.at(1540, { type: 'release', sequence: f, instance: null, slot: null, reason: 'expired', first_request: req(f, 0) });
  r.at(1540, { type: 'response', request: req(f, 0), sequence: f, step: 0, error: { code: 'UNAVAILABLE', message: 'backlog timeout' } } as TraceEventBody);
  r.at(2000, { type: 'complete', instance: 0, batch: 2, ok: true });
  respond(2000, b, 0, 2);
  r.at(2000, { type: 'release', sequence: a, instance: 0, slot: 0, reason: 'end' });
  r.at(2000, { type: 'assign', sequence: e, instance: 0, slot: 0 });
  r.at(2000, { type: 'execute', instance: 0, batch: 4, rows: [row(0, a, 1, { end: true }), row(1, null, 0)] });
  r.at(2010, { type: 'complete', instance: 1, batch: 3, ok: true });
  respond(2010, d, 0, 8);
  send(2100, d, 1, 128, false, false);
  r.at(2150, { type: 'cancel', request: req(d, 1) });
  r.at(2150, { type: 'release', sequence: d, instance: 1, slot: 1, reason: 'cancel' });
  r.at(2150, { type: 'response', request: req(d, 1), sequence: d, step: 1, error: { code: 'CANCELLED', message: 'request cancelled' } } as TraceEventBody);
  r.at(3000, { type: 'complete', instance: 0, batch: 4, ok: true });
  respond(3000, a, 1, 65);
  r.at(3000, { type: 'release', sequence: e, instance: 0, slot: 0, reason: 'end' });
  r.at(3000, { type: 'execute', instance: 0, batch: 5, rows: [row(0, e, 0, { start: true, end: true })] });
  r.at(3500, { type: 'fault', kind: 'response-drop', request: req(e, 0) });
  r.at(4000, { type: 'complete', instance: 0, batch: 5, ok: true });
  send(5000, c, 1, 256, false, false);
  const badExecute = r.at(5000, { type: 'execute', instance: 1, batch: 6, rows: [row(0, null, 0), row(1, c, 1)] });
  r.at(6000, { type: 'complete', instance: 1, batch: 6, ok: true });
  respond(6000, c, 1, 260);
  send(7000, 99, 0, 1, false, false);
  r.at(7000, { type: 'reject', request: '99:0', code: 'INVALID_ARG', message: 'must specify the START flag' });
  r.at(7100, {
    type: 'response',
    request: '99:0',
    sequence: 99,
    step: 0,
    error: { code: 'INVALID_ARG', message: 'must specify the START flag' },
  } as TraceEventBody);
  r.at(12000, { type: 'reap', sequence: b, instance: 0, slot: 1 });
  r.at(12000, { type: 'release', sequence: b, instance: 0, slot: 1, reason: 'idle-timeout' });
  r.at(13000, { type: 'lifecycle', action: 'stop', generation: 1 });
  r.at(13000, {
    type: 'violation',
    oracle: 'affinity',
    message: `request ${req(c, 1)} ran in I1/s1 but its sequence holds I1/s0`,
    events: [assignC, badExecute],
  });
  const header = makeHeader(
    7,
    {
      name: 'viz-fixture',
      model: {
        name: 'acc',
        max_batch_size: 2,
        instance_group: [{ count: 2, kind: 'KIND_CPU' }],
        sequence_batching: { max_sequence_idle_microseconds: 10000, direct: {} },
      },
      executor: { latency_us: 1000 },
      sequences: [],
    },
    { max_events: 1000 },
  );
  const serialized = serializeTrace(header, r.events);
  const summary = JSON.parse(serialized.lines[serialized.lines.length - 1]!) as TraceEvent;
  return { header, events: [...r.events, summary], text: traceText(serialized), ids };
}

/** Ids an attacker might choose: each must come out as inert text. */
export const MALICIOUS_IDS: FixtureIds = {
  a: '<script>alert(1)</script>',
  b: '"><img src=x onerror=alert(2)>',
  c: "'; alert(3); //",
  d: '</svg><svg onload=alert(4)>',
  e: 'a&amp;b\u00a0c\u0001d',
  f: ']]><!-- -->',
};
