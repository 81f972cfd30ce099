import type { TraceEvent } from '../src/core/events.ts';
import type { TraceHeader } from '../traces/writer.ts';
import { buildTimeline, type Marker, type RequestInfo, type SlotLayout, type Timeline } from './timeline.ts';

/**
 * Chrome trace-event JSON (chrome://tracing, Perfetto): one process per instance with a thread
 * per slot (executions as complete events) and a batches thread; sequence occupancies and
 * requests as async events (overlapping slices on one thread would not display); each request
 * also as a slice on a "requests" lane with flow arrows arrival → execution → response; counters
 * for backlog depth and busy slots; faults, violations and other markers as instant events.
 * Timestamps are the trace's µs. Past `maxBytes` the output is split by time into several files,
 * each loadable alone (an async pair, or a request's slices and flow, never straddle two files).
 */

export interface ChromeEvent {
  readonly name: string;
  readonly cat?: string;
  readonly ph: 'X' | 'b' | 'e' | 'i' | 'C' | 'M' | 's' | 't' | 'f';
  readonly ts: number;
  readonly dur?: number;
  readonly pid: number;
  readonly tid: number;
  readonly id?: number;
  readonly s?: 'g' | 'p' | 't';
  readonly bp?: 'e';
  readonly args?: Readonly<Record<string, unknown>>;
}

export interface ChromeExportOptions {
  /** Largest file to write (default 95 MB: Perfetto's UI fails on much larger JSON). */
  readonly maxBytes?: number;
  readonly header?: TraceHeader;
  readonly layout?: SlotLayout;
}

export interface ChromeExport {
  /** One JSON document per file; more than one when the trace had to be split. */
  readonly parts: readonly string[];
  readonly eventCount: number;
  readonly notes: readonly string[];
}

export const DEFAULT_MAX_BYTES = 95_000_000;
export const SCHEDULER_PID = 1;
export const REQUESTS_PID = 2;
const INSTANCE_PID_BASE = 10;

export function instancePid(instance: number): number {
  return INSTANCE_PID_BASE + instance;
}

/** Events that must land in the same file. */
type Unit = readonly ChromeEvent[];

class ChromeBuilder {
  readonly metadata: ChromeEvent[] = [];
  readonly units: Unit[] = [];
  private nextId = 1;

  constructor(private readonly timeline: Timeline) {}

  id(): number {
    return this.nextId++;
  }

  meta(name: 'process_name' | 'thread_name' | 'process_sort_index' | 'thread_sort_index', pid: number, tid: number, value: string | number): void {
    this.metadata.push({ name, ph: 'M', ts: 0, pid, tid, args: typeof value === 'string' ? { name: value } : { sort_index: value } });
  }

  tracks(lanes: number): void {
    this.meta('process_name', SCHEDULER_PID, 0, 'seqsim scheduler');
    this.meta('process_sort_index', SCHEDULER_PID, 0, 0);
    this.meta('thread_name', SCHEDULER_PID, 1, 'events');
    this.meta('process_name', REQUESTS_PID, 0, 'requests');
    this.meta('process_sort_index', REQUESTS_PID, 0, 1);
    for (let lane = 0; lane < lanes; lane++) this.meta('thread_name', REQUESTS_PID, lane + 1, `lane ${lane}`);
    for (const instance of [...new Set(this.timeline.slots.map((s) => s.instance))]) {
      const pid = instancePid(instance);
      this.meta('process_name', pid, 0, `instance ${instance}`);
      this.meta('process_sort_index', pid, 0, 2 + instance);
      this.meta('thread_name', pid, 0, 'batches');
      this.meta('thread_sort_index', pid, 0, 0);
      for (const slot of this.timeline.slots.filter((s) => s.instance === instance)) {
        this.meta('thread_name', pid, slot.slot + 1, `slot ${slot.slot}`);
        this.meta('thread_sort_index', pid, slot.slot + 1, slot.slot + 1);
      }
    }
  }

  batches(): void {
    for (const band of this.timeline.batches) {
      this.units.push([
        {
          name: `batch ${band.batch}`,
          cat: 'batch',
          ph: 'X',
          ts: band.atUs,
          dur: band.doneUs - band.atUs,
          pid: instancePid(band.instance),
          tid: 0,
          args: { batch: band.batch, ready: band.size, rows: band.rows, ok: band.ok ?? null },
        },
      ]);
    }
    for (const pad of this.timeline.padding) {
      this.units.push([
        {
          name: 'padding',
          cat: 'padding',
          ph: 'X',
          ts: pad.atUs,
          dur: pad.doneUs - pad.atUs,
          pid: instancePid(pad.instance),
          tid: pad.slot + 1,
          args: { batch: pad.batch, ready: false },
        },
      ]);
    }
  }

  occupancies(): void {
    for (const occupancy of this.timeline.occupancies) {
      const id = this.id();
      const pid = instancePid(occupancy.instance);
      const name = `seq ${occupancy.label}`;
      this.units.push([
        {
          name,
          cat: 'occupancy',
          ph: 'b',
          ts: occupancy.fromUs,
          pid,
          tid: occupancy.slot + 1,
          id,
          args: { sequence: occupancy.sequence, slot: occupancy.slot, from_backlog: occupancy.fromBacklog },
        },
        { name, cat: 'occupancy', ph: 'e', ts: occupancy.toUs, pid, tid: occupancy.slot + 1, id, args: { released: occupancy.reason ?? 'never' } },
      ]);
    }
  }

  /** Requests: an async slice each, plus a slice on a lane (lanes never overlap) carrying the flow. */
  requests(): number {
    const laneEnds: number[] = [];
    const requests = [...this.timeline.requests.values()].sort((a, b) => a.sentUs - b.sentUs);
    for (const request of requests) {
      const endUs = request.response?.atUs ?? this.timeline.endUs;
      let lane = laneEnds.findIndex((end) => end < request.sentUs);
      if (lane < 0) {
        lane = laneEnds.length;
        laneEnds.push(endUs);
      } else {
        laneEnds[lane] = endUs;
      }
      this.units.push(this.requestUnit(request, lane + 1, endUs));
    }
    return laneEnds.length;
  }

  private requestUnit(request: RequestInfo, tid: number, endUs: number): ChromeEvent[] {
    const args = {
      request: request.request,
      sequence: request.sequence,
      step: request.step,
      value: request.value ?? null,
      start: request.start,
      end: request.end,
      ...this.outcome(request),
    };
    const asyncId = this.id();
    const name = `seq ${request.label}`;
    const unit: ChromeEvent[] = [
      { name, cat: 'request', ph: 'b', ts: request.sentUs, pid: REQUESTS_PID, tid, id: asyncId, args },
      { name, cat: 'request', ph: 'e', ts: endUs, pid: REQUESTS_PID, tid, id: asyncId },
      { name: request.request, cat: 'request', ph: 'X', ts: request.sentUs, dur: endUs - request.sentUs, pid: REQUESTS_PID, tid, args },
    ];
    const executed = request.executed === undefined ? undefined : this.timeline.executed[request.executed];
    const arriveUs = request.arriveUs;
    if (arriveUs !== undefined && executed !== undefined && arriveUs <= executed.atUs && executed.atUs <= endUs) {
      unit.push({ name: 'queued', cat: 'request', ph: 'X', ts: arriveUs, dur: executed.atUs - arriveUs, pid: REQUESTS_PID, tid });
      if (executed.doneUs <= endUs)
        unit.push({ name: 'executing', cat: 'request', ph: 'X', ts: executed.atUs, dur: executed.doneUs - executed.atUs, pid: REQUESTS_PID, tid });
      const flow = this.id();
      unit.push({ name: 'request', cat: 'flow', ph: 's', ts: arriveUs, pid: REQUESTS_PID, tid, id: flow });
      unit.push({ name: 'request', cat: 'flow', ph: 't', ts: executed.atUs, pid: instancePid(executed.instance), tid: executed.slot + 1, id: flow });
      if (request.response !== undefined)
        unit.push({ name: 'request', cat: 'flow', ph: 'f', bp: 'e', ts: request.response.atUs, pid: REQUESTS_PID, tid, id: flow });
    }
    if (executed !== undefined) {
      unit.push({
        name: request.request,
        cat: 'execute',
        ph: 'X',
        ts: executed.atUs,
        dur: executed.doneUs - executed.atUs,
        pid: instancePid(executed.instance),
        tid: executed.slot + 1,
        args: { ...args, batch: executed.batch, corrid: executed.corrid },
      });
    }
    return unit;
  }

  private outcome(request: RequestInfo): Record<string, unknown> {
    const response = request.response;
    if (response === undefined) return { response: null };
    return response.error === undefined ? { output: response.output ?? null } : { error: `${response.error.code}: ${response.error.message}` };
  }

  counters(): void {
    for (const point of this.timeline.backlogDepth)
      this.units.push([{ name: 'backlog depth', ph: 'C', ts: point.atUs, pid: SCHEDULER_PID, tid: 0, args: { depth: point.value } }]);
    for (const point of this.timeline.busySlots)
      this.units.push([{ name: 'busy slots', ph: 'C', ts: point.atUs, pid: SCHEDULER_PID, tid: 0, args: { busy: point.value } }]);
  }

  markers(): void {
    for (const marker of this.timeline.markers) this.units.push([this.instant(marker)]);
  }

  private instant(marker: Marker): ChromeEvent {
    const lane = marker.lane;
    const where =
      lane.kind === 'slot'
        ? { pid: instancePid(lane.instance), tid: lane.slot + 1 }
        : lane.kind === 'batches'
          ? { pid: instancePid(lane.instance), tid: 0 }
          : { pid: SCHEDULER_PID, tid: 1 };
    // Violations and lifecycle events concern the whole run: global scope draws them across every track.
    const scope = marker.kind === 'violation' || marker.kind === 'lifecycle' ? 'g' : 't';
    return { name: marker.kind, cat: 'marker', ph: 'i', s: scope, ts: marker.atUs, ...where, args: { detail: marker.detail, line: marker.eventIndex + 1 } };
  }
}

function document(events: readonly ChromeEvent[], part: number, parts: number, header: TraceHeader | undefined): string {
  const other = { tool: 'seqsim', part: part + 1, parts, ...(header === undefined ? {} : { seed: header.seed, scenario: header.scenario['name'] ?? null }) };
  return `{"displayTimeUnit":"ms","otherData":${JSON.stringify(other)},"traceEvents":[\n${events.map((e) => JSON.stringify(e)).join(',\n')}\n]}\n`;
}

function byTime(units: readonly Unit[]): ChromeEvent[] {
  const events = units.flat();
  // Stable: at equal ts a parent slice stays before its children and before the flow bound to it.
  return events
    .map((event, order) => ({ event, order }))
    .sort((a, b) => a.event.ts - b.event.ts || a.order - b.order)
    .map((x) => x.event);
}

export function exportChromeTrace(events: readonly TraceEvent[], options: ChromeExportOptions = {}): ChromeExport {
  const timeline = buildTimeline(events, options.layout);
  const builder = new ChromeBuilder(timeline);
  const lanes = builder.requests();
  builder.tracks(lanes);
  builder.batches();
  builder.occupancies();
  builder.counters();
  builder.markers();
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  const metadataBytes = builder.metadata.reduce((sum, e) => sum + JSON.stringify(e).length + 2, 0) + 512;
  const units = builder.units.map((unit, order) => ({
    unit,
    order,
    start: Math.min(...unit.map((e) => e.ts)),
    bytes: unit.reduce((sum, e) => sum + JSON.stringify(e).length + 2, 0),
  }));
  units.sort((a, b) => a.start - b.start || a.order - b.order);
  const groups: Unit[][] = [[]];
  let bytes = metadataBytes;
  for (const { unit, bytes: size } of units) {
    if (bytes + size > maxBytes && groups[groups.length - 1]!.length > 0) {
      groups.push([]);
      bytes = metadataBytes;
    }
    groups[groups.length - 1]!.push(unit);
    bytes += size;
  }
  const parts = groups.map((group, i) => document([...builder.metadata, ...byTime(group)], i, groups.length, options.header));
  const eventCount = builder.metadata.length * groups.length + units.reduce((sum, u) => sum + u.unit.length, 0);
  const notes =
    groups.length > 1
      ? [
          `the Chrome trace would exceed ${Number((maxBytes / 1e6).toFixed(2))} MB, so ` +
            `it is split by time into ${groups.length} files (load each alone in Perfetto)`,
        ]
      : [];
  return { parts, eventCount, notes };
}
