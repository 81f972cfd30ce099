import { showsActivity, type CorridValue, type ReleaseReason, type TraceEvent } from '../src/core/events.ts';
import type { ScenarioId } from '../src/core/ids.ts';
import { cleanText, sequenceKey, sequenceLabel } from './escape.ts';

/**
 * The timeline model every view draws from: what held which slot when, what executed where, how
 * deep the backlog was, and what went wrong. A pure function of the trace events (the lines after
 * the header; events[i] is trace line i+1, which is how violations name them).
 */

export interface SlotRef {
  readonly instance: number;
  readonly slot: number;
}

/** How many slots the model has (from the trace header's scenario): never-occupied ones are counted as hidden. */
export interface SlotLayout {
  readonly instanceCount: number;
  readonly slotsPerInstance: number;
}

export interface SequenceRef {
  readonly sequence: ScenarioId;
  /** Identity (uint64 5 and string "5" differ). */
  readonly key: string;
  /** Display text, already cleaned of characters XML cannot carry (still needs escaping). */
  readonly label: string;
}

export interface Occupancy extends SequenceRef, SlotRef {
  readonly index: number;
  readonly fromUs: number;
  toUs: number;
  /** Still held when the trace ends. */
  open: boolean;
  reason: ReleaseReason | undefined;
  reapUs: number | undefined;
  /** Taken from the backlog (rather than at enqueue). */
  fromBacklog: boolean;
  /** 0 normally; n when n other occupancies already held this slot — two sequences on one slot. */
  readonly overlap: number;
  /** Trace event indices of the assign and the release. */
  readonly assignEvent: number;
  releaseEvent: number | undefined;
  /** Indices into Timeline.executed of the requests that ran in this occupancy. */
  readonly executed: number[];
}

export interface ExecutedRow extends SequenceRef, SlotRef {
  readonly request: string;
  readonly batch: number;
  readonly atUs: number;
  doneUs: number;
  readonly start: boolean;
  readonly end: boolean;
  readonly corrid: CorridValue;
  /** The occupancy of its sequence on this slot it ran in; undefined: ran outside any. */
  readonly occupancy: number | undefined;
  /** Its sequence never held this slot before it ran (an affinity break the picture must show). */
  readonly foreign: boolean;
  readonly eventIndex: number;
}

export interface PaddingRow extends SlotRef {
  readonly batch: number;
  readonly atUs: number;
  doneUs: number;
}

export interface BatchBand {
  readonly instance: number;
  readonly batch: number;
  readonly atUs: number;
  doneUs: number;
  /** Real (READY) rows, and all rows including padding. */
  readonly size: number;
  readonly rows: number;
  ok: boolean | undefined;
  readonly eventIndex: number;
}

export interface BacklogWait extends SequenceRef {
  readonly fromUs: number;
  toUs: number;
  outcome: 'assigned' | 'expired' | 'cancel' | 'waiting';
}

export interface CountPoint {
  readonly atUs: number;
  readonly value: number;
}

export type MarkerKind = 'reap' | 'cancel' | 'expired' | 'destroyed' | 'fault' | 'violation' | 'lifecycle' | 'reject' | 'warning' | 'failed-batch';

export type Lane =
  | { readonly kind: 'slot'; readonly instance: number; readonly slot: number }
  | { readonly kind: 'batches'; readonly instance: number }
  | { readonly kind: 'backlog' }
  | { readonly kind: 'events' };

export interface Marker {
  readonly kind: MarkerKind;
  readonly atUs: number;
  readonly lane: Lane;
  /** One line for the hover title. */
  readonly detail: string;
  readonly eventIndex: number;
  readonly sequenceKey: string | undefined;
}

export interface ViolationMark {
  readonly oracle: string;
  readonly message: string;
  readonly atUs: number;
  /** The first offending event's time (atUs is the last's). */
  readonly firstUs: number;
  /** Offending events as indices into the events array. */
  readonly eventIndices: readonly number[];
  readonly sequenceKeys: readonly string[];
  readonly eventIndex: number;
}

export interface RequestInfo extends SequenceRef {
  readonly request: string;
  readonly step: number;
  readonly value: number | undefined;
  readonly start: boolean;
  readonly end: boolean;
  readonly sentUs: number;
  arriveUs: number | undefined;
  cancelUs: number | undefined;
  rejected: { readonly code: string; readonly message: string } | undefined;
  /** Index into Timeline.executed. */
  executed: number | undefined;
  response: { readonly atUs: number; readonly output: unknown; readonly error: { readonly code: string; readonly message: string } | undefined } | undefined;
}

/** When a model-management event created or destroyed an instance (absent ends: the whole run). */
export interface InstanceLifetime {
  readonly instance: number;
  /** undefined: it existed from the start. */
  readonly addedUs: number | undefined;
  /** undefined: it lived to the end. */
  readonly destroyedUs: number | undefined;
}

export interface Timeline {
  readonly startUs: number;
  readonly endUs: number;
  /**
   * The last event that shows activity (violations, the summary and late-timer faults excluded):
   * a stalled or budget-exhausted run's tail after it is only the reaper polling.
   */
  readonly activityEndUs: number;
  /** The distinct times at which the run showed activity, ascending (for framing violations). */
  readonly activityUs: readonly number[];
  /** Every slot some event touched, instance-major: a 1,024-slot config draws only the slots it used. */
  readonly slots: readonly SlotRef[];
  /** Slots of the layout that no event touched, left out of `slots` (0 without a layout). */
  readonly hiddenSlots: number;
  readonly occupancies: readonly Occupancy[];
  readonly executed: readonly ExecutedRow[];
  readonly padding: readonly PaddingRow[];
  readonly batches: readonly BatchBand[];
  readonly waits: readonly BacklogWait[];
  /** Backlog depth after each change. */
  readonly backlogDepth: readonly CountPoint[];
  /** Slots held after each change. */
  readonly busySlots: readonly CountPoint[];
  readonly markers: readonly Marker[];
  readonly violations: readonly ViolationMark[];
  readonly requests: ReadonlyMap<string, RequestInfo>;
  /** Sequence keys in order of first appearance. */
  readonly sequences: readonly SequenceRef[];
  /** Instances that a lifecycle event added or destroyed during the run. */
  readonly lifetimes: readonly InstanceLifetime[];
}

export function slotId(instance: number, slot: number): string {
  return `${instance}:${slot}`;
}

function numberField(event: TraceEvent, name: string): number | undefined {
  const value = (event as unknown as Record<string, unknown>)[name];
  return typeof value === 'number' ? value : undefined;
}

function stringField(event: TraceEvent, name: string): string | undefined {
  const value = (event as unknown as Record<string, unknown>)[name];
  return typeof value === 'string' ? value : undefined;
}

function isScenarioId(value: unknown): value is ScenarioId {
  return (
    typeof value === 'number' ||
    typeof value === 'string' ||
    (typeof value === 'object' && value !== null && typeof (value as { u64?: unknown }).u64 === 'string')
  );
}

/** The extra fields of a fault or lifecycle event, for its hover title. */
function fieldsText(event: TraceEvent, skip: readonly string[]): string {
  const parts: string[] = [];
  for (const [name, value] of Object.entries(event)) {
    if (name === 't' || name === 'type' || skip.includes(name)) continue;
    parts.push(`${name}=${typeof value === 'string' ? value : JSON.stringify(value)}`);
  }
  return cleanText(parts.join(' '));
}

/** Objects are built field by field, not by spreading a SequenceRef: spreads made 10k-request traces 4× slower. */
class TimelineBuilder {
  private readonly slotIds = new Set<string>();
  private readonly slotList: SlotRef[] = [];
  readonly occupancies: Occupancy[] = [];
  private readonly openBySlot = new Map<string, Occupancy[]>();
  private readonly bySlot = new Map<string, Occupancy[]>();
  readonly executed: ExecutedRow[] = [];
  readonly padding: PaddingRow[] = [];
  readonly batches: BatchBand[] = [];
  private readonly openBatches = new Map<string, { band: BatchBand; rows: number[]; pads: number[] }>();
  readonly waits: BacklogWait[] = [];
  private readonly waitingByKey = new Map<string, BacklogWait[]>();
  readonly backlogDepth: CountPoint[] = [];
  readonly busySlots: CountPoint[] = [];
  private depth = 0;
  private busy = 0;
  readonly markers: Marker[] = [];
  readonly violations: ViolationMark[] = [];
  readonly requests = new Map<string, RequestInfo>();
  readonly sequences: SequenceRef[] = [];
  private readonly sequenceByKey = new Map<string, SequenceRef>();
  private readonly lifetimeByInstance = new Map<number, { addedUs: number | undefined; destroyedUs: number | undefined }>();

  /** `events` may be sparse (a streamed trace keeps only the events violations name). */
  constructor(private readonly events: readonly (TraceEvent | undefined)[]) {}

  private lifetime(instance: number, action: 'instance-added' | 'instance-destroyed', atUs: number): void {
    const entry = this.lifetimeByInstance.get(instance) ?? { addedUs: undefined, destroyedUs: undefined };
    if (action === 'instance-added') entry.addedUs = atUs;
    else entry.destroyedUs = atUs;
    this.lifetimeByInstance.set(instance, entry);
  }

  lifetimes(): InstanceLifetime[] {
    return [...this.lifetimeByInstance]
      .map(([instance, life]) => ({ instance, addedUs: life.addedUs, destroyedUs: life.destroyedUs }))
      .sort((a, b) => a.instance - b.instance);
  }

  /**
   * The slots some event touched; an instance that a lifecycle event added or destroyed but whose
   * slots nobody used keeps its slot 0, so the picture still shows when it existed.
   */
  slots(): SlotRef[] {
    const all = [...this.slotList];
    const used = new Set(all.map((s) => s.instance));
    for (const instance of this.lifetimeByInstance.keys()) if (!used.has(instance)) all.push({ instance, slot: 0 });
    return all.sort((a, b) => a.instance - b.instance || a.slot - b.slot);
  }

  /** How many of the layout's slots get no row (no event touched them), out of `drawn`. */
  hiddenSlots(layout: SlotLayout | undefined, drawn: readonly SlotRef[]): number {
    if (layout === undefined) return 0;
    const inLayout = drawn.filter((s) => s.instance < layout.instanceCount && s.slot < layout.slotsPerInstance).length;
    return Math.max(0, layout.instanceCount * layout.slotsPerInstance - inLayout);
  }

  ref(sequence: ScenarioId): SequenceRef {
    const key = sequenceKey(sequence);
    let ref = this.sequenceByKey.get(key);
    if (ref === undefined) {
      ref = { sequence, key, label: sequenceLabel(sequence) };
      this.sequenceByKey.set(key, ref);
      this.sequences.push(ref);
    }
    return ref;
  }

  private noteSlot(instance: number, slot: number): string {
    const id = slotId(instance, slot);
    if (!this.slotIds.has(id)) {
      this.slotIds.add(id);
      this.slotList.push({ instance, slot });
    }
    return id;
  }

  private marker(kind: MarkerKind, event: TraceEvent, index: number, lane: Lane, detail: string, sequenceKey?: string): void {
    this.markers.push({ kind, atUs: event.t, lane, detail, eventIndex: index, sequenceKey });
  }

  /** The latest occupancy of `key` on the slot that began at or before `atUs`. */
  private occupancyOf(id: string, key: string, atUs: number): Occupancy | undefined {
    const list = this.bySlot.get(id) ?? [];
    for (let i = list.length - 1; i >= 0; i--) {
      const occupancy = list[i]!;
      if (occupancy.key === key && occupancy.fromUs <= atUs) return occupancy;
    }
    return undefined;
  }

  /** Where a sequence is at `atUs`: its slot if it holds one, the backlog if it waits, else the events lane. */
  laneOfSequence(key: string, atUs: number): Lane {
    for (let i = this.occupancies.length - 1; i >= 0; i--) {
      const occupancy = this.occupancies[i]!;
      if (occupancy.key === key && occupancy.fromUs <= atUs && (occupancy.open || occupancy.toUs >= atUs)) {
        return { kind: 'slot', instance: occupancy.instance, slot: occupancy.slot };
      }
    }
    if ((this.waitingByKey.get(key) ?? []).length > 0) return { kind: 'backlog' };
    return { kind: 'events' };
  }

  private setDepth(atUs: number, delta: number): void {
    this.depth += delta;
    this.backlogDepth.push({ atUs, value: this.depth });
  }

  private setBusy(atUs: number, delta: number): void {
    this.busy += delta;
    this.busySlots.push({ atUs, value: this.busy });
  }

  add(event: TraceEvent, index: number): void {
    switch (event.type) {
      case 'send': {
        const ref = this.ref(event.sequence);
        this.requests.set(event.request, {
          sequence: ref.sequence,
          key: ref.key,
          label: ref.label,
          request: event.request,
          step: event.step,
          value: typeof event.value === 'number' ? event.value : undefined,
          start: event.start,
          end: event.end,
          sentUs: event.t,
          arriveUs: undefined,
          cancelUs: undefined,
          rejected: undefined,
          executed: undefined,
          response: undefined,
        });
        return;
      }
      case 'arrive': {
        const request = this.requests.get(event.request);
        if (request !== undefined) request.arriveUs = event.t;
        return;
      }
      case 'reject': {
        const request = this.requests.get(event.request);
        if (request !== undefined) request.rejected = { code: event.code, message: event.message };
        this.marker('reject', event, index, { kind: 'events' }, cleanText(`request ${event.request} rejected: ${event.code} ${event.message}`), request?.key);
        return;
      }
      case 'cancel': {
        const request = this.requests.get(event.request);
        if (request !== undefined) request.cancelUs = event.t;
        const lane: Lane = request === undefined ? { kind: 'events' } : this.laneOfSequence(request.key, event.t);
        this.marker('cancel', event, index, lane, cleanText(`client cancelled request ${event.request}`), request?.key);
        return;
      }
      case 'warning': {
        const ref = this.ref(event.sequence);
        this.marker('warning', event, index, this.laneOfSequence(ref.key, event.t), cleanText(`warning (sequence ${ref.label}): ${event.message}`), ref.key);
        return;
      }
      case 'backlog': {
        const ref = this.ref(event.sequence);
        const wait: BacklogWait = { sequence: ref.sequence, key: ref.key, label: ref.label, fromUs: event.t, toUs: event.t, outcome: 'waiting' };
        this.waits.push(wait);
        const queue = this.waitingByKey.get(ref.key) ?? [];
        queue.push(wait);
        this.waitingByKey.set(ref.key, queue);
        this.setDepth(event.t, +1);
        return;
      }
      case 'assign':
        this.assign(event, index);
        return;
      case 'reap': {
        const ref = this.ref(event.sequence);
        const id = this.noteSlot(event.instance, event.slot);
        const occupancy = this.occupancyOf(id, ref.key, event.t);
        if (occupancy !== undefined) occupancy.reapUs = event.t;
        this.marker(
          'reap',
          event,
          index,
          { kind: 'slot', instance: event.instance, slot: event.slot },
          `idle reaper force-ended sequence ${ref.label} on instance ${event.instance} slot ${event.slot}`,
          ref.key,
        );
        return;
      }
      case 'release':
        this.release(event, index);
        return;
      case 'execute':
        this.execute(event, index);
        return;
      case 'complete': {
        const key = `${event.instance}:${event.batch}`;
        const open = this.openBatches.get(key);
        if (open === undefined) return;
        this.openBatches.delete(key);
        open.band.doneUs = event.t;
        open.band.ok = event.ok !== false;
        for (const row of open.rows) this.executed[row]!.doneUs = event.t;
        for (const pad of open.pads) this.padding[pad]!.doneUs = event.t;
        if (event.ok === false)
          this.marker('failed-batch', event, index, { kind: 'batches', instance: event.instance }, `batch ${event.batch} on instance ${event.instance} failed`);
        return;
      }
      case 'response': {
        const request = this.requests.get(event.request);
        if (request === undefined) return;
        const error =
          'error' in event && event.error !== undefined ? { code: String(event.error.code), message: cleanText(String(event.error.message)) } : undefined;
        request.response = { atUs: event.t, output: 'output' in event ? event.output : undefined, error };
        return;
      }
      case 'fault':
        this.fault(event, index);
        return;
      case 'lifecycle': {
        const instance = numberField(event, 'instance');
        if (instance !== undefined && (event.action === 'instance-added' || event.action === 'instance-destroyed'))
          this.lifetime(instance, event.action, event.t);
        const lane: Lane = instance === undefined ? { kind: 'events' } : { kind: 'batches', instance };
        this.marker(
          'lifecycle',
          event,
          index,
          lane,
          `lifecycle ${cleanText(event.action)} (generation ${event.generation})${instance === undefined ? '' : ` instance ${instance}`}`,
        );
        return;
      }
      case 'violation':
        this.violation(event, index);
        return;
      default:
        return;
    }
  }

  private assign(event: Extract<TraceEvent, { type: 'assign' }>, index: number): void {
    const ref = this.ref(event.sequence);
    const id = this.noteSlot(event.instance, event.slot);
    const queue = this.waitingByKey.get(ref.key) ?? [];
    const wait = queue.shift();
    if (wait !== undefined) {
      wait.toUs = event.t;
      wait.outcome = 'assigned';
      this.setDepth(event.t, -1);
    }
    const open = this.openBySlot.get(id) ?? [];
    const occupancy: Occupancy = {
      sequence: ref.sequence,
      key: ref.key,
      label: ref.label,
      index: this.occupancies.length,
      instance: event.instance,
      slot: event.slot,
      fromUs: event.t,
      toUs: event.t,
      open: true,
      reason: undefined,
      reapUs: undefined,
      fromBacklog: wait !== undefined,
      overlap: open.length,
      assignEvent: index,
      releaseEvent: undefined,
      executed: [],
    };
    this.occupancies.push(occupancy);
    open.push(occupancy);
    this.openBySlot.set(id, open);
    const all = this.bySlot.get(id) ?? [];
    all.push(occupancy);
    this.bySlot.set(id, all);
    this.setBusy(event.t, +1);
  }

  private release(event: Extract<TraceEvent, { type: 'release' }>, index: number): void {
    const ref = this.ref(event.sequence);
    if (event.instance === null || event.slot === null) {
      const queue = this.waitingByKey.get(ref.key) ?? [];
      const wait = queue.shift();
      if (wait !== undefined) {
        wait.toUs = event.t;
        wait.outcome = event.reason === 'cancel' ? 'cancel' : 'expired';
        this.setDepth(event.t, -1);
      }
      const kind: MarkerKind = event.reason === 'cancel' ? 'cancel' : event.reason === 'destroyed' ? 'destroyed' : 'expired';
      this.marker(kind, event, index, { kind: 'backlog' }, `sequence ${ref.label} left the backlog without a slot: ${event.reason}`, ref.key);
      return;
    }
    const id = this.noteSlot(event.instance, event.slot);
    const open = this.openBySlot.get(id) ?? [];
    const at = open.findIndex((o) => o.key === ref.key);
    const occupancy = at >= 0 ? open.splice(at, 1)[0] : undefined;
    if (occupancy !== undefined) {
      occupancy.toUs = event.t;
      occupancy.open = false;
      occupancy.reason = event.reason;
      occupancy.releaseEvent = index;
      this.setBusy(event.t, -1);
    }
    const lane: Lane = { kind: 'slot', instance: event.instance, slot: event.slot };
    if (event.reason === 'cancel') this.marker('cancel', event, index, lane, `sequence ${ref.label} released by cancellation`, ref.key);
    else if (event.reason === 'destroyed') this.marker('destroyed', event, index, lane, `sequence ${ref.label} lost its slot: model destroyed`, ref.key);
  }

  private execute(event: Extract<TraceEvent, { type: 'execute' }>, index: number): void {
    const rows: number[] = [];
    const pads: number[] = [];
    let size = 0;
    for (const row of event.rows) {
      const id = this.noteSlot(event.instance, row.slot);
      if (row.request === null || !isScenarioId(row.sequence)) {
        pads.push(this.padding.length);
        this.padding.push({ instance: event.instance, slot: row.slot, batch: event.batch, atUs: event.t, doneUs: event.t });
        continue;
      }
      size++;
      const ref = this.ref(row.sequence);
      const occupancy = this.occupancyOf(id, ref.key, event.t);
      const executedIndex = this.executed.length;
      this.executed.push({
        sequence: ref.sequence,
        key: ref.key,
        label: ref.label,
        request: row.request,
        instance: event.instance,
        slot: row.slot,
        batch: event.batch,
        atUs: event.t,
        doneUs: event.t,
        start: row.start,
        end: row.end,
        corrid: row.corrid,
        occupancy: occupancy?.index,
        foreign: occupancy === undefined,
        eventIndex: index,
      });
      occupancy?.executed.push(executedIndex);
      const request = this.requests.get(row.request);
      if (request !== undefined && request.executed === undefined) request.executed = executedIndex;
      rows.push(executedIndex);
    }
    const band: BatchBand = {
      instance: event.instance,
      batch: event.batch,
      atUs: event.t,
      doneUs: event.t,
      size,
      rows: event.rows.length,
      ok: undefined,
      eventIndex: index,
    };
    this.batches.push(band);
    this.openBatches.set(`${event.instance}:${event.batch}`, { band, rows, pads });
  }

  private fault(event: Extract<TraceEvent, { type: 'fault' }>, index: number): void {
    const instance = numberField(event, 'instance');
    const slot = numberField(event, 'slot');
    const request = this.requests.get(stringField(event, 'request') ?? '');
    const sequence = (event as unknown as Record<string, unknown>)['sequence'];
    const key = request?.key ?? (isScenarioId(sequence) ? this.ref(sequence).key : undefined);
    let lane: Lane = { kind: 'events' };
    if (instance !== undefined && slot !== undefined) lane = { kind: 'slot', instance, slot };
    else if (key !== undefined) lane = this.laneOfSequence(key, event.t);
    else if (instance !== undefined) lane = { kind: 'batches', instance };
    this.marker('fault', event, index, lane, `fault ${cleanText(event.kind)}${fieldsText(event, ['kind']) ? `: ${fieldsText(event, ['kind'])}` : ''}`, key);
  }

  private violation(event: Extract<TraceEvent, { type: 'violation' }>, index: number): void {
    const eventIndices = event.events.map((line) => line - 1).filter((i) => i >= 0 && i < this.events.length && this.events[i] !== undefined);
    const keys = new Set<string>();
    for (const i of eventIndices) {
      const offending = this.events[i]!;
      const sequence = (offending as unknown as Record<string, unknown>)['sequence'];
      if (isScenarioId(sequence)) keys.add(this.ref(sequence).key);
      const request = this.requests.get(stringField(offending, 'request') ?? '');
      if (request !== undefined) keys.add(request.key);
    }
    // The message names the requests it is about ("request 7:1 got …"); executes name whole batches.
    for (const word of event.message.split(/[\s,;()"]+/)) {
      const request = this.requests.get(word.replace(/[.:]$/, ''));
      if (request !== undefined) keys.add(request.key);
    }
    // The last offending event is where the run went wrong (the earlier ones are its context).
    const times = eventIndices.map((i) => this.events[i]!.t);
    const atUs = times.length > 0 ? Math.max(...times) : event.t;
    const mark: ViolationMark = {
      oracle: cleanText(event.oracle),
      message: cleanText(event.message),
      atUs,
      firstUs: times.length > 0 ? Math.min(...times) : event.t,
      eventIndices,
      sequenceKeys: [...keys],
      eventIndex: index,
    };
    this.violations.push(mark);
    const detail = `violation (${mark.oracle}): ${mark.message}`;
    const placed = eventIndices.length > 0 ? eventIndices : [];
    for (const i of placed) {
      const offending = this.events[i]!;
      this.markers.push({ kind: 'violation', atUs: offending.t, lane: this.laneOfEvent(offending, keys), detail, eventIndex: index, sequenceKey: undefined });
    }
    if (placed.length === 0)
      this.markers.push({ kind: 'violation', atUs: event.t, lane: { kind: 'events' }, detail, eventIndex: index, sequenceKey: undefined });
  }

  private laneOfEvent(event: TraceEvent, keys: ReadonlySet<string>): Lane {
    const instance = numberField(event, 'instance');
    const slot = numberField(event, 'slot');
    if (instance !== undefined && slot !== undefined) return { kind: 'slot', instance, slot };
    if (event.type === 'execute') {
      const row = event.rows.find((r) => isScenarioId(r.sequence) && keys.has(sequenceKey(r.sequence)));
      return row === undefined ? { kind: 'batches', instance: event.instance } : { kind: 'slot', instance: event.instance, slot: row.slot };
    }
    const sequence = (event as unknown as Record<string, unknown>)['sequence'];
    const request = this.requests.get(stringField(event, 'request') ?? '');
    const key = request?.key ?? (isScenarioId(sequence) ? sequenceKey(sequence) : undefined);
    if (key !== undefined) return this.laneOfSequence(key, event.t);
    return instance === undefined ? { kind: 'events' } : { kind: 'batches', instance };
  }

  finish(endUs: number): void {
    for (const occupancy of this.occupancies) if (occupancy.open) occupancy.toUs = endUs;
    for (const wait of this.waits) if (wait.outcome === 'waiting') wait.toUs = endUs;
    for (const { band, rows, pads } of this.openBatches.values()) {
      band.doneUs = endUs;
      for (const row of rows) this.executed[row]!.doneUs = endUs;
      for (const pad of pads) this.padding[pad]!.doneUs = endUs;
    }
  }
}

/** Builds the timeline model from trace events (header excluded, summary allowed). */
export function buildTimeline(events: readonly TraceEvent[], layout?: SlotLayout): Timeline {
  return buildTimelineFrom((visit) => events.forEach(visit), events, layout);
}

/**
 * Builds the timeline from events visited in order (a trace streamed from its file): `kept` holds
 * at least the events that violations name, at their indices (it may be sparse).
 */
export function buildTimelineFrom(
  each: (visit: (event: TraceEvent, index: number) => void) => void,
  kept: readonly (TraceEvent | undefined)[],
  layout?: SlotLayout,
): Timeline {
  const builder = new TimelineBuilder(kept);
  let startUs = Number.POSITIVE_INFINITY;
  let endUs = Number.NEGATIVE_INFINITY;
  let activityEndUs = Number.NEGATIVE_INFINITY;
  const activityUs: number[] = [];
  each((event, index) => {
    startUs = Math.min(startUs, event.t);
    endUs = Math.max(endUs, event.t);
    if (showsActivity(event)) {
      activityEndUs = Math.max(activityEndUs, event.t);
      if (activityUs[activityUs.length - 1] !== event.t) activityUs.push(event.t);
    }
    builder.add(event, index);
  });
  if (!Number.isFinite(startUs)) {
    startUs = 0;
    endUs = 0;
  }
  if (!Number.isFinite(activityEndUs)) activityEndUs = endUs;
  builder.finish(endUs);
  const slots = builder.slots();
  return {
    startUs,
    endUs,
    activityEndUs,
    // Trace times never decrease, so this is sorted already; a hand-made trace might not be.
    activityUs: isAscending(activityUs) ? activityUs : [...new Set(activityUs)].sort((a, b) => a - b),
    slots,
    hiddenSlots: builder.hiddenSlots(layout, slots),
    occupancies: builder.occupancies,
    executed: builder.executed,
    padding: builder.padding,
    batches: builder.batches,
    waits: builder.waits,
    backlogDepth: builder.backlogDepth,
    busySlots: builder.busySlots,
    markers: builder.markers,
    violations: builder.violations,
    requests: builder.requests,
    sequences: builder.sequences,
    lifetimes: builder.lifetimes(),
  };
}

function isAscending(values: readonly number[]): boolean {
  for (let i = 1; i < values.length; i++) if (values[i]! <= values[i - 1]!) return false;
  return true;
}
