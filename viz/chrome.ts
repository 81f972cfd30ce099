import type { TraceEvent } from '../src/core/events.ts';
import type { TraceHeader } from '../traces/writer.ts';
import { buildTimeline, slotId, type ExecutedRow, type Marker, type Occupancy, type RequestInfo, type SlotLayout, type Timeline } from './timeline.ts';

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

/** Where an export writes: one document per part, handed over in pieces (a part can exceed one string). */
export type ChromePartWriter = (part: number, parts: number) => { write(text: string): void; close(): void };

/** One kind of unit (requests, batches, …): how many, each one's start time, and the unit itself. */
interface UnitStream {
  readonly count: number;
  start(index: number): number;
  unit(index: number): Unit;
}

/** Indices 0…n-1 ordered by `key`, ties by index (a stable sort without moving objects). */
function orderBy(count: number, key: (index: number) => number): Uint32Array {
  const order = new Uint32Array(count);
  for (let i = 0; i < count; i++) order[i] = i;
  let sorted = true;
  for (let i = 1; i < count && sorted; i++) if (key(i) < key(i - 1)) sorted = false;
  if (!sorted) order.sort((a, b) => key(a) - key(b) || a - b);
  return order;
}

/**
 * Chrome events of a timeline, made one unit at a time. Ids are fixed up front (requests in send
 * order take theirs first, then occupancies), so a unit is the same whenever it is made.
 */
class ChromeBuilder {
  readonly metadata: ChromeEvent[] = [];
  /** Requests in send order, each with its lane, its async id and (when it has one) its flow id. */
  private readonly requests: RequestInfo[];
  private readonly laneOf: Uint32Array;
  private readonly idOf: Uint32Array;
  private readonly flowOf: Uint32Array;
  private readonly occupancyIdBase: number;
  readonly lanes: number;

  constructor(private readonly timeline: Timeline) {
    const all = [...timeline.requests.values()];
    const order = orderBy(all.length, (i) => all[i]!.sentUs);
    this.requests = Array.from(order, (i) => all[i]!);
    this.laneOf = new Uint32Array(this.requests.length);
    this.idOf = new Uint32Array(this.requests.length);
    this.flowOf = new Uint32Array(this.requests.length);
    // Lanes never overlap: a request takes the first lane free before it was sent.
    const laneEnds: number[] = [];
    let nextId = 1;
    this.requests.forEach((request, k) => {
      const endUs = this.endOf(request);
      let lane = laneEnds.findIndex((end) => end < request.sentUs);
      if (lane < 0) {
        lane = laneEnds.length;
        laneEnds.push(endUs);
      } else {
        laneEnds[lane] = endUs;
      }
      this.laneOf[k] = lane + 1;
      this.idOf[k] = nextId++;
      if (this.hasFlow(request, endUs)) this.flowOf[k] = nextId++;
    });
    this.lanes = laneEnds.length;
    this.occupancyIdBase = nextId;
  }

  private endOf(request: RequestInfo): number {
    return request.response?.atUs ?? this.timeline.endUs;
  }

  private executedOf(request: RequestInfo): ExecutedRow | undefined {
    return request.executed === undefined ? undefined : this.timeline.executed[request.executed];
  }

  private hasFlow(request: RequestInfo, endUs: number): boolean {
    const executed = this.executedOf(request);
    const arriveUs = request.arriveUs;
    return arriveUs !== undefined && executed !== undefined && arriveUs <= executed.atUs && executed.atUs <= endUs;
  }

  meta(name: 'process_name' | 'thread_name' | 'process_sort_index' | 'thread_sort_index', pid: number, tid: number, value: string | number): void {
    this.metadata.push({ name, ph: 'M', ts: 0, pid, tid, args: typeof value === 'string' ? { name: value } : { sort_index: value } });
  }

  /**
   * Names only the tracks that carry events: the timeline's slots are the ones some event touched,
   * so a 2,048-slot config with a few busy slots names a few tracks, not 2,048 empty ones.
   */
  tracks(): void {
    const { markers, batches, occupancies, executed, padding } = this.timeline;
    const busy = new Set(
      [...occupancies, ...executed, ...padding, ...markers.flatMap((m) => (m.lane.kind === 'slot' ? [m.lane] : []))].map((s) => slotId(s.instance, s.slot)),
    );
    const slots = this.timeline.slots.filter((s) => busy.has(slotId(s.instance, s.slot)));
    this.meta('process_name', SCHEDULER_PID, 0, 'seqsim scheduler');
    this.meta('process_sort_index', SCHEDULER_PID, 0, 0);
    if (markers.some((m) => m.lane.kind !== 'slot' && m.lane.kind !== 'batches')) this.meta('thread_name', SCHEDULER_PID, 1, 'events');
    this.meta('process_name', REQUESTS_PID, 0, 'requests');
    this.meta('process_sort_index', REQUESTS_PID, 0, 1);
    for (let lane = 0; lane < this.lanes; lane++) this.meta('thread_name', REQUESTS_PID, lane + 1, `lane ${lane}`);
    const batchesOf = new Set([...batches.map((b) => b.instance), ...markers.flatMap((m) => (m.lane.kind === 'batches' ? [m.lane.instance] : []))]);
    for (const instance of [...new Set([...slots.map((s) => s.instance), ...batchesOf])].sort((a, b) => a - b)) {
      const pid = instancePid(instance);
      this.meta('process_name', pid, 0, `instance ${instance}`);
      this.meta('process_sort_index', pid, 0, 2 + instance);
      if (batchesOf.has(instance)) {
        this.meta('thread_name', pid, 0, 'batches');
        this.meta('thread_sort_index', pid, 0, 0);
      }
      for (const slot of slots.filter((s) => s.instance === instance)) {
        this.meta('thread_name', pid, slot.slot + 1, `slot ${slot.slot}`);
        this.meta('thread_sort_index', pid, slot.slot + 1, slot.slot + 1);
      }
    }
  }

  /** The unit streams, in the order their units are ranked at equal start times. */
  streams(): UnitStream[] {
    const timeline = this.timeline;
    const list = <T>(items: readonly T[], start: (item: T) => number, unit: (item: T, index: number) => Unit): UnitStream => ({
      count: items.length,
      start: (i) => start(items[i]!),
      unit: (i) => unit(items[i]!, i),
    });
    return [
      list(
        this.requests,
        (r) => r.sentUs,
        (request, k) => this.requestUnit(request, k),
      ),
      list(
        timeline.batches,
        (b) => b.atUs,
        (band) => [
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
        ],
      ),
      list(
        timeline.padding,
        (p) => p.atUs,
        (pad) => [
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
        ],
      ),
      list(
        timeline.occupancies,
        (o) => Math.min(o.fromUs, o.toUs),
        (occupancy, index) => this.occupancyUnit(occupancy, this.occupancyIdBase + index),
      ),
      list(
        timeline.backlogDepth,
        (p) => p.atUs,
        (point) => [{ name: 'backlog depth', ph: 'C', ts: point.atUs, pid: SCHEDULER_PID, tid: 0, args: { depth: point.value } }],
      ),
      list(
        timeline.busySlots,
        (p) => p.atUs,
        (point) => [{ name: 'busy slots', ph: 'C', ts: point.atUs, pid: SCHEDULER_PID, tid: 0, args: { busy: point.value } }],
      ),
      list(
        timeline.markers,
        (m) => m.atUs,
        (marker) => [this.instant(marker)],
      ),
    ];
  }

  private occupancyUnit(occupancy: Occupancy, id: number): Unit {
    const pid = instancePid(occupancy.instance);
    const name = `seq ${occupancy.label}`;
    return [
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
    ];
  }

  /** A request: an async slice, plus a slice on its lane (lanes never overlap) carrying the flow. */
  private requestUnit(request: RequestInfo, k: number): ChromeEvent[] {
    const tid = this.laneOf[k]!;
    const endUs = this.endOf(request);
    const args = {
      request: request.request,
      sequence: request.sequence,
      step: request.step,
      value: request.value ?? null,
      start: request.start,
      end: request.end,
      ...this.outcome(request),
    };
    const asyncId = this.idOf[k]!;
    const name = `seq ${request.label}`;
    const unit: ChromeEvent[] = [
      { name, cat: 'request', ph: 'b', ts: request.sentUs, pid: REQUESTS_PID, tid, id: asyncId, args },
      { name, cat: 'request', ph: 'e', ts: endUs, pid: REQUESTS_PID, tid, id: asyncId },
      { name: request.request, cat: 'request', ph: 'X', ts: request.sentUs, dur: endUs - request.sentUs, pid: REQUESTS_PID, tid, args },
    ];
    const executed = this.executedOf(request);
    const arriveUs = request.arriveUs;
    if (arriveUs !== undefined && executed !== undefined && this.hasFlow(request, endUs)) {
      unit.push({ name: 'queued', cat: 'request', ph: 'X', ts: arriveUs, dur: executed.atUs - arriveUs, pid: REQUESTS_PID, tid });
      if (executed.doneUs <= endUs)
        unit.push({ name: 'executing', cat: 'request', ph: 'X', ts: executed.atUs, dur: executed.doneUs - executed.atUs, pid: REQUESTS_PID, tid });
      const flow = this.flowOf[k]!;
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

/**
 * Every unit once, ranked by start time, then by stream, then by position (the order the files
 * are filled in). A k-way merge of the streams, each ordered by start: nothing is copied.
 */
function* unitsInOrder(streams: readonly UnitStream[]): Generator<Unit> {
  const orders = streams.map((stream) => orderBy(stream.count, (i) => stream.start(i)));
  const next = streams.map(() => 0);
  for (;;) {
    let best = -1;
    let bestStart = 0;
    for (let s = 0; s < streams.length; s++) {
      if (next[s]! >= streams[s]!.count) continue;
      const start = streams[s]!.start(orders[s]![next[s]!]!);
      if (best < 0 || start < bestStart) {
        best = s;
        bestStart = start;
      }
    }
    if (best < 0) return;
    yield streams[best]!.unit(orders[best]![next[best]!++]!);
  }
}

function unitBytes(unit: Unit): number {
  let bytes = 0;
  for (const event of unit) bytes += JSON.stringify(event).length + 2;
  return bytes;
}

function otherData(part: number, parts: number, header: TraceHeader | undefined, warning: string | undefined): string {
  const other = {
    tool: 'seqsim',
    part: part + 1,
    parts,
    ...(header === undefined ? {} : { seed: header.seed, scenario: header.scenario['name'] ?? null }),
    ...(warning === undefined ? {} : { warning }),
  };
  return JSON.stringify(other);
}

/** Events of one file, by time (stable: at equal ts a parent slice stays before its children and before the flow bound to it). */
function byTime(units: readonly Unit[]): ChromeEvent[] {
  const events = units.flat();
  const order = orderBy(events.length, (i) => events[i]!.ts);
  return Array.from(order, (i) => events[i]!);
}

/**
 * Writes the Chrome trace of a timeline through `open`, one part at a time: memory holds the
 * timeline and one part's events, never the whole export. Parts split by time past `maxBytes`.
 */
export function writeChromeTrace(
  timeline: Timeline,
  options: ChromeExportOptions & { readonly warning?: string },
  open: ChromePartWriter,
): { parts: number; eventCount: number; notes: string[] } {
  const builder = new ChromeBuilder(timeline);
  builder.tracks();
  const streams = builder.streams();
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  const metadataBytes = builder.metadata.reduce((sum, e) => sum + JSON.stringify(e).length + 2, 0) + 512;
  // First pass: where each file ends (units per file), so every file can say how many there are.
  const sizes: number[] = [0];
  let bytes = metadataBytes;
  let unitEvents = 0;
  for (const unit of unitsInOrder(streams)) {
    const size = unitBytes(unit);
    unitEvents += unit.length;
    if (bytes + size > maxBytes && sizes[sizes.length - 1]! > 0) {
      sizes.push(0);
      bytes = metadataBytes;
    }
    sizes[sizes.length - 1]!++;
    bytes += size;
  }
  // Second pass: the same units again, each file written as it fills.
  const units = unitsInOrder(streams);
  sizes.forEach((count, part) => {
    const group: Unit[] = [];
    for (let i = 0; i < count; i++) group.push(units.next().value as Unit);
    const out = open(part, sizes.length);
    out.write(`{"displayTimeUnit":"ms","otherData":${otherData(part, sizes.length, options.header, options.warning)},"traceEvents":[\n`);
    let first = true;
    for (const event of [...builder.metadata, ...byTime(group)]) {
      out.write(first ? JSON.stringify(event) : `,\n${JSON.stringify(event)}`);
      first = false;
    }
    out.write('\n]}\n');
    out.close();
  });
  const eventCount = builder.metadata.length * sizes.length + unitEvents;
  const notes =
    sizes.length > 1
      ? [
          `the Chrome trace would exceed ${Number((maxBytes / 1e6).toFixed(2))} MB, so it is split by time into ${sizes.length} files (load each ` +
            `alone in Perfetto)`,
        ]
      : [];
  return { parts: sizes.length, eventCount, notes };
}

export function exportChromeTrace(events: readonly TraceEvent[], options: ChromeExportOptions = {}): ChromeExport {
  const parts: string[][] = [];
  const written = writeChromeTrace(buildTimeline(events, options.layout), options, (part) => {
    const chunks: string[] = [];
    parts[part] = chunks;
    return { write: (text) => chunks.push(text), close: () => {} };
  });
  return { parts: parts.map((chunks) => chunks.join('')), eventCount: written.eventCount, notes: written.notes };
}
