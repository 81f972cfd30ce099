import type { ScenarioId } from '../../src/core/ids.ts';
import type { TraceEvent } from '../../src/core/events.ts';
import type { Scenario } from '../../src/scenario/types.ts';
import { CLIENT_TIMEOUT_PREFIX } from '../clients.ts';
import type { RunResult } from '../simulate.ts';
import { requestPrefixes } from '../pipeline/request-ids.ts';

/**
 * Why a sequence's responses may legitimately differ between configurations: each depends on
 * timing (when a slot frees, when a batch runs), not only on what the client sent.
 */
export const EXCLUSION_REASONS = ['idle-timeout', 'expired', 'cancel', 'fault', 'reject', 'lifecycle', 'id-conflict'] as const;
export type ExclusionReason = (typeof EXCLUSION_REASONS)[number];

/** What the client got for one step: the compared value. Error messages are not compared, codes are. */
export type StepOutcome = { readonly kind: 'output'; readonly output: unknown } | { readonly kind: 'error'; readonly code: string } | { readonly kind: 'none' };

export interface SequenceOutcome {
  /** Index of the sequence in the scenario's `sequences`: ids may be reused, indices are not. */
  readonly index: number;
  readonly id: ScenarioId;
  /** One per scenario step; `none` when no response reached the client. */
  readonly steps: readonly StepOutcome[];
  /** Trace line of each step's response (events index + 1), or -1. */
  readonly responseLines: readonly number[];
  /** Every reason found; empty = comparable. */
  readonly reasons: ReadonlySet<ExclusionReason>;
}

/** Scenario entry of each request id: "<prefix>:<step>" with an optional retry suffix "~r<n>". */
class RequestIndex {
  private readonly byPrefix = new Map<string, number>();
  private readonly byId = new Map<string, number[]>();

  constructor(scenario: Scenario) {
    for (const [index, prefix] of requestPrefixes(scenario).entries()) this.byPrefix.set(prefix, index);
    scenario.sequences.forEach((sequence, index) => {
      const key = idKey(sequence.id);
      this.byId.set(key, [...(this.byId.get(key) ?? []), index]);
    });
  }

  /** Parsed request ids: one id appears on many lines (send, arrive, execute, response). */
  private readonly parsed = new Map<string, { readonly entry: number | undefined; readonly step: number }>();

  private parse(request: string): { readonly entry: number | undefined; readonly step: number } {
    let parsed = this.parsed.get(request);
    if (parsed === undefined) {
      const attempt = request.replace(/~r\d+$/, '');
      const colon = attempt.lastIndexOf(':');
      parsed = { entry: colon < 0 ? undefined : this.byPrefix.get(attempt.slice(0, colon)), step: Number(attempt.slice(colon + 1)) };
      this.parsed.set(request, parsed);
    }
    return parsed;
  }

  entry(request: string): number | undefined {
    return this.parse(request).entry;
  }

  step(request: string): number {
    return this.parse(request).step;
  }

  /** Every entry written with this id (a fallback where the trace names only the id). */
  entriesOf(id: ScenarioId): readonly number[] {
    return this.byId.get(idKey(id)) ?? [];
  }
}

/** One index per scenario: every seed and configuration of a comparison reads the same request ids. */
const indexes = new WeakMap<Scenario, RequestIndex>();

function requestIndexOf(scenario: Scenario): RequestIndex {
  let index = indexes.get(scenario);
  if (index === undefined) {
    index = new RequestIndex(scenario);
    indexes.set(scenario, index);
  }
  return index;
}

/** Number 5 and string "5" are different sequences: key by the JSON spelling, as the trace writes it. */
function idKey(id: ScenarioId): string {
  return JSON.stringify(id);
}

/**
 * Per scenario sequence: the response stream and the reasons it is not comparable, read from one
 * run's trace events. Slot-level events (reap, release) name only the id, so the scenario entries
 * touching each slot are tracked from `assign` (through `first_request` or the request that just
 * arrived), `dispatch` and `execute` rows.
 */
export function sequenceOutcomes(scenario: Scenario, run: Pick<RunResult, 'events'>): SequenceOutcome[] {
  const index = requestIndexOf(scenario);
  const steps: StepOutcome[][] = scenario.sequences.map((s) => s.steps.map((): StepOutcome => ({ kind: 'none' })));
  const lines: number[][] = scenario.sequences.map((s) => s.steps.map(() => -1));
  const reasons: Set<ExclusionReason>[] = scenario.sequences.map(() => new Set<ExclusionReason>());
  const mark = (entries: Iterable<number | undefined>, reason: ExclusionReason): void => {
    for (const entry of entries) if (entry !== undefined) reasons[entry]?.add(reason);
  };
  markJoiners(scenario, index, mark);
  const faultedBatches = new Set<number>();
  for (const event of run.events) if (event.type === 'fault' && typeof event['batch'] === 'number') faultedBatches.add(event['batch']);

  const slotEntries = new Map<string, Set<number>>();
  let lastArrived: number | undefined;
  run.events.forEach((event, i) => {
    switch (event.type) {
      case 'arrive':
        lastArrived = index.entry(event.request);
        break;
      case 'assign': {
        const holder = event.first_request !== undefined ? index.entry(event.first_request) : lastArrived;
        slotEntries.set(slotKey(event.instance, event.slot), new Set(holder === undefined ? [] : [holder]));
        break;
      }
      case 'dispatch':
        addToSlot(slotEntries, event.instance, event.slot, index.entry(event.request));
        break;
      case 'execute':
        for (const row of event.rows) {
          if (row.request === null) continue;
          const entry = index.entry(row.request);
          addToSlot(slotEntries, event.instance, row.slot, entry);
          if (faultedBatches.has(event.batch)) mark([entry], 'fault');
        }
        break;
      case 'reap':
        mark(slotEntries.get(slotKey(event.instance, event.slot)) ?? [], 'idle-timeout');
        break;
      case 'release': {
        const key = event.instance === null || event.slot === null ? undefined : slotKey(event.instance, event.slot);
        const touched =
          key !== undefined
            ? (slotEntries.get(key) ?? [])
            : event.first_request !== undefined
              ? [index.entry(event.first_request)]
              : index.entriesOf(event.sequence);
        const reason = releaseReason(event.reason);
        if (reason !== undefined) mark(touched, reason);
        if (key !== undefined) slotEntries.delete(key);
        break;
      }
      case 'reject':
        mark([index.entry(event.request)], 'reject');
        break;
      case 'cancel':
        mark([index.entry(event.request)], 'cancel');
        break;
      case 'warning':
        // START on an active id: the sequences sharing the id interleave in one slot by timing.
        mark(index.entriesOf(event.sequence), 'id-conflict');
        break;
      case 'fault':
        if (typeof event['request'] === 'string') mark([index.entry(event['request'])], 'fault');
        // timer_jitter names a timer (batch:I0, reaper), not a sequence: what it delays shows up as the reasons above.
        break;
      case 'lifecycle':
        if (typeof event['request'] === 'string') mark([index.entry(event['request'])], 'lifecycle');
        break;
      case 'response':
        recordResponse(event, i, index, steps, lines, mark);
        break;
      default:
        break;
    }
  });
  markSharersOfDisturbed(scenario, index, run, reasons, mark);
  return scenario.sequences.map((sequence, i) => ({ index: i, id: sequence.id, steps: steps[i]!, responseLines: lines[i]!, reasons: reasons[i]! }));
}

/**
 * A sequence whose own run was disturbed (reaped, expired, cancelled, faulted, rejected, cut by the
 * lifecycle) may lose its slot while its client still sends: a later non-START request then joins
 * whichever sequence of the same id holds the id at that moment, or gets the missing-START error
 * (explore --metamorphic seed 63031: a reaped sequence's next step landed in the slot of a newer one
 * with its id under one config only). So when it was active (first send to last response) while
 * another sequence of its id was, both are id-conflict; one long done before the other starts is not.
 */
function markSharersOfDisturbed(
  scenario: Scenario,
  index: RequestIndex,
  run: Pick<RunResult, 'events'>,
  reasons: readonly Set<ExclusionReason>[],
  mark: (entries: Iterable<number | undefined>, reason: ExclusionReason) => void,
): void {
  const shared = scenario.sequences.some((sequence, entry) => reasons[entry]!.size > 0 && index.entriesOf(sequence.id).length > 1);
  if (!shared) return;
  const windows = activeWindows(scenario, index, run);
  scenario.sequences.forEach((sequence, entry) => {
    if (reasons[entry]!.size === 0) return;
    const own = windows[entry]!;
    for (const other of index.entriesOf(sequence.id)) {
      const theirs = windows[other]!;
      if (other !== entry && own.first <= theirs.last && theirs.first <= own.last) mark([entry, other], 'id-conflict');
    }
  });
}

/** Per entry: the event index of its first send and of its last response (end of run if one is missing). */
function activeWindows(scenario: Scenario, index: RequestIndex, run: Pick<RunResult, 'events'>): { first: number; last: number }[] {
  const windows = scenario.sequences.map(() => ({ first: Number.POSITIVE_INFINITY, last: -1 }));
  const unanswered = scenario.sequences.map(() => new Set<string>());
  run.events.forEach((event, i) => {
    if (event.type !== 'send' && event.type !== 'response') return;
    const entry = index.entry(event.request);
    if (entry === undefined) return;
    const window = windows[entry]!;
    if (event.type === 'send') {
      window.first = Math.min(window.first, i);
      unanswered[entry]!.add(event.request);
    } else {
      window.last = Math.max(window.last, i);
      unanswered[entry]!.delete(event.request);
    }
  });
  windows.forEach((window, entry) => {
    if (unanswered[entry]!.size > 0) window.last = Number.POSITIVE_INFINITY;
  });
  return windows;
}

/**
 * A sequence whose first step has no START can only run by joining another sequence of its id
 * (or get the missing-START error): which one, if any, depends on timing, so both are id-conflict.
 */
function markJoiners(scenario: Scenario, index: RequestIndex, mark: (entries: Iterable<number | undefined>, reason: ExclusionReason) => void): void {
  scenario.sequences.forEach((sequence, _entry) => {
    if (sequence.steps[0]?.start !== false) return;
    const sharing = index.entriesOf(sequence.id);
    if (sharing.length > 1) mark(sharing, 'id-conflict');
  });
}

function recordResponse(
  event: Extract<TraceEvent, { type: 'response' }>,
  eventIndex: number,
  index: RequestIndex,
  steps: StepOutcome[][],
  lines: number[][],
  mark: (entries: Iterable<number | undefined>, reason: ExclusionReason) => void,
): void {
  const entry = index.entry(event.request);
  if (entry === undefined) return;
  const step = index.step(event.request);
  if ('error' in event) {
    if (event.error.code === 'CANCELLED') mark([entry], 'cancel');
    // Client timeouts exist only under a fault plan: the client gave up on a slow response.
    if (event.error.message.startsWith(CLIENT_TIMEOUT_PREFIX)) mark([entry], 'fault');
  }
  const stream = steps[entry];
  if (stream === undefined || step >= stream.length) return;
  // The last response of a step is the one the client kept (earlier ones were timed-out attempts).
  stream[step] = 'error' in event ? { kind: 'error', code: event.error.code } : { kind: 'output', output: event.output };
  lines[entry]![step] = eventIndex + 1;
}

function releaseReason(reason: string): ExclusionReason | undefined {
  if (reason === 'idle-timeout' || reason === 'expired' || reason === 'cancel') return reason;
  if (reason === 'destroyed') return 'lifecycle';
  return undefined;
}

function slotKey(instance: number, slot: number): string {
  return `${instance}/${slot}`;
}

function addToSlot(slots: Map<string, Set<number>>, instance: number, slot: number, entry: number | undefined): void {
  if (entry !== undefined) slots.get(slotKey(instance, slot))?.add(entry);
}

/**
 * Two outcomes are the same response: same output value (deep), or same error code, or both none.
 * With a tolerance, two numeric outputs also agree when |a − b| ≤ tolerance × max(1, |a|, |b|)
 * (a user's float model batched differently may round differently).
 */
export function sameOutcome(a: StepOutcome, b: StepOutcome, tolerance = 0): boolean {
  if (a.kind !== b.kind) return false;
  if (a.kind === 'error' && b.kind === 'error') return a.code === b.code;
  if (a.kind !== 'output' || b.kind !== 'output') return true;
  if (typeof a.output === 'number' && typeof b.output === 'number') {
    // === also makes 0 and -0 one value, as the JSON spelling does; NaN equals NaN there too.
    if (a.output === b.output || (Number.isNaN(a.output) && Number.isNaN(b.output))) return true;
    return tolerance > 0 && Math.abs(a.output - b.output) <= tolerance * Math.max(1, Math.abs(a.output), Math.abs(b.output));
  }
  return describeOutcome(a) === describeOutcome(b);
}

/** "output 7", "error INVALID_ARG", "no response". */
export function describeOutcome(outcome: StepOutcome): string {
  if (outcome.kind === 'output') return `output ${JSON.stringify(outcome.output)}`;
  if (outcome.kind === 'error') return `error ${outcome.code}`;
  return 'no response';
}
