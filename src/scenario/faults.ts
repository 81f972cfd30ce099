import type { JsonReader } from '../config/json-reader.ts';
import type { ScenarioId } from '../core/ids.ts';

/**
 * The fault plan of a scenario (its `faults` block). Every kind has a rate (per message, per step
 * or per batch) drawn from the run's `faults` stream, and can also be scheduled explicitly
 * ("drop the response of sequence 7 step 2"), so a shrunk reproducer is a plain scenario.
 */
export const FAULT_KINDS = [
  'request_drop',
  'response_drop',
  'transport_delay',
  'disconnect',
  'executor_failure',
  'executor_stall',
  'timer_jitter',
  'misuse',
  'cancel',
  'burst',
] as const;

export type FaultKind = (typeof FAULT_KINDS)[number];

/** Protocol misuse a client can commit (the `misuse` fault rewrites the request it sends). */
export type MisuseKind = 'missing_start' | 'start_on_active' | 'id_zero' | 'id_retyped';
export const MISUSE_KINDS: readonly MisuseKind[] = ['missing_start', 'start_on_active', 'id_zero', 'id_retyped'];

export type ScheduledFault =
  | { readonly kind: 'request_drop' | 'response_drop' | 'disconnect' | 'transport_delay'; readonly sequence: ScenarioId; readonly step: number }
  | { readonly kind: 'misuse'; readonly sequence: ScenarioId; readonly step: number; readonly misuse: MisuseKind }
  | { readonly kind: 'executor_failure' | 'executor_stall'; readonly batch: number }
  /** The `occurrence`-th arming (0-based) of the timer labelled `timer` fires `jitterUs` late. */
  | { readonly kind: 'timer_jitter'; readonly timer: string; readonly occurrence: number; readonly jitterUs: number }
  /** The client cancels this step's request `afterUs` after sending it. */
  | { readonly kind: 'cancel'; readonly sequence: ScenarioId; readonly step: number; readonly afterUs: number }
  /** These sequences send their first request together at `atUs` (slot exhaustion, backlog). */
  | { readonly kind: 'burst'; readonly atUs: number; readonly sequences: readonly ScenarioId[] };

export interface FaultPlan {
  /** Probability that a request is lost on its way to the server. */
  readonly requestDrop: number;
  /** Probability that a response is lost on its way to the client. */
  readonly responseDrop: number;
  /** Extra one-way delay: probability per message and the maximum extra µs (uniform 1..max). */
  readonly transportDelay: { readonly rate: number; readonly maxUs: number };
  /** Probability per step that the client disconnects before sending it (no END ever comes). */
  readonly disconnect: number;
  /** Probability per batch that the execute call fails (every row gets INTERNAL). */
  readonly executorFailure: number;
  /** Probability per batch of a stall of `us` extra µs. */
  readonly executorStall: { readonly rate: number; readonly us: number };
  /** Probability that a batcher or reaper timer fires late, by 1..max_us. */
  readonly timerJitter: { readonly rate: number; readonly maxUs: number };
  /** Probability per request that the client misuses the protocol (see MisuseKind). */
  readonly misuse: number;
  /** Probability per request that the client cancels it, 0..max_us after sending. */
  readonly cancel: { readonly rate: number; readonly maxUs: number };
  /** Probability per sequence that it joins the run's burst: all joiners START at the same µs. */
  readonly burst: number;
  /** A client that gets no response within this long gives up (or retries). */
  readonly clientTimeoutUs: number;
  /** How often a timed-out request is sent again (a retried stateful request can apply twice). */
  readonly retries: number;
  readonly scheduled: readonly ScheduledFault[];
}

export const DEFAULT_CLIENT_TIMEOUT_US = 100_000;

const FIELDS = [...FAULT_KINDS, 'client_timeout_us', 'retries', 'scheduled'] as const;

export function parseFaults(reader: JsonReader, readId: (reader: JsonReader) => ScenarioId): FaultPlan {
  reader.object();
  reader.onlyKeys(FIELDS);
  const rate = (key: string): number => reader.optional(key, readRate, 0);
  const transportDelay = reader.optional('transport_delay', (r) => rateWith(r, 'max_us', 1000), { rate: 0, value: 1000 });
  const executorStall = reader.optional('executor_stall', (r) => rateWith(r, 'us', 50_000), { rate: 0, value: 50_000 });
  const timerJitter = reader.optional('timer_jitter', (r) => rateWith(r, 'max_us', 1000), { rate: 0, value: 1000 });
  const cancel = reader.optional('cancel', (r) => rateWith(r, 'max_us', 1000), { rate: 0, value: 1000 });
  return {
    requestDrop: rate('request_drop'),
    responseDrop: rate('response_drop'),
    transportDelay: { rate: transportDelay.rate, maxUs: transportDelay.value },
    disconnect: rate('disconnect'),
    executorFailure: rate('executor_failure'),
    executorStall: { rate: executorStall.rate, us: executorStall.value },
    timerJitter: { rate: timerJitter.rate, maxUs: timerJitter.value },
    misuse: rate('misuse'),
    cancel: { rate: cancel.rate, maxUs: cancel.value },
    burst: rate('burst'),
    clientTimeoutUs: reader.optional('client_timeout_us', (r) => positive(r), DEFAULT_CLIENT_TIMEOUT_US),
    retries: reader.optional('retries', (r) => r.nonNegativeInt(10), 0),
    scheduled: reader.optionalArray('scheduled').map((r) => readScheduled(r, readId)),
  };
}

/** The normalised `faults` block: every field explicit, as it goes into the trace header. */
export function normalizeFaults(plan: FaultPlan): Record<string, unknown> {
  return {
    request_drop: plan.requestDrop,
    response_drop: plan.responseDrop,
    transport_delay: { rate: plan.transportDelay.rate, max_us: plan.transportDelay.maxUs },
    disconnect: plan.disconnect,
    executor_failure: plan.executorFailure,
    executor_stall: { rate: plan.executorStall.rate, us: plan.executorStall.us },
    timer_jitter: { rate: plan.timerJitter.rate, max_us: plan.timerJitter.maxUs },
    misuse: plan.misuse,
    // Kinds added after v1's first release are written only when on, so older traces keep their hashes.
    ...(plan.cancel.rate > 0 ? { cancel: { rate: plan.cancel.rate, max_us: plan.cancel.maxUs } } : {}),
    ...(plan.burst > 0 ? { burst: plan.burst } : {}),
    client_timeout_us: plan.clientTimeoutUs,
    retries: plan.retries,
    scheduled: plan.scheduled.map(normalizeScheduled),
  };
}

/** A scheduled fault in its JSON spelling (snake_case, as the scenario writes it). */
function normalizeScheduled(fault: ScheduledFault): Record<string, unknown> {
  switch (fault.kind) {
    case 'timer_jitter':
      return { kind: fault.kind, timer: fault.timer, occurrence: fault.occurrence, jitter_us: fault.jitterUs };
    case 'cancel':
      return { kind: fault.kind, sequence: fault.sequence, step: fault.step, after_us: fault.afterUs };
    case 'burst':
      return { kind: fault.kind, at_us: fault.atUs, sequences: [...fault.sequences] };
    default:
      return { ...fault };
  }
}

/** Which kinds can fire in this plan (rate > 0 or scheduled): fault accountability checks them. */
export function enabledFaultKinds(plan: FaultPlan): FaultKind[] {
  const byRate: Record<FaultKind, number> = {
    request_drop: plan.requestDrop,
    response_drop: plan.responseDrop,
    transport_delay: plan.transportDelay.rate,
    disconnect: plan.disconnect,
    executor_failure: plan.executorFailure,
    executor_stall: plan.executorStall.rate,
    timer_jitter: plan.timerJitter.rate,
    misuse: plan.misuse,
    cancel: plan.cancel.rate,
    burst: plan.burst,
  };
  return FAULT_KINDS.filter((kind) => byRate[kind] > 0 || plan.scheduled.some((f) => f.kind === kind));
}

/**
 * A scheduled fault must name a sequence the scenario has, and a step that sequence has: one aimed
 * elsewhere would never fire, and the run would pass without the fault its author meant to inject.
 * (A burst naming an id twice needs two sequences with that id.) `reader` is the `faults` block.
 */
export function checkFaultTargets(reader: JsonReader, plan: FaultPlan, sequences: readonly { readonly id: ScenarioId; readonly steps: number }[]): void {
  const key = (id: ScenarioId): string => JSON.stringify(id);
  const stepsOf = new Map<string, number>();
  const uses = new Map<string, number>();
  for (const sequence of sequences) {
    stepsOf.set(key(sequence.id), Math.max(stepsOf.get(key(sequence.id)) ?? 0, sequence.steps));
    uses.set(key(sequence.id), (uses.get(key(sequence.id)) ?? 0) + 1);
  }
  const known = (): string => {
    const ids = [...stepsOf.keys()];
    return ids.length === 0 ? 'the scenario has no sequences' : `ids: ${ids.slice(0, 8).join(', ')}${ids.length > 8 ? ', …' : ''}`;
  };
  plan.scheduled.forEach((fault, index) => {
    const entry = reader.child('scheduled').child(index);
    if (fault.kind === 'burst') {
      const counted = new Map<string, number>();
      fault.sequences.forEach((id, at) => {
        counted.set(key(id), (counted.get(key(id)) ?? 0) + 1);
        if ((counted.get(key(id)) ?? 0) > (uses.get(key(id)) ?? 0))
          entry
            .child('sequences')
            .child(at)
            .fail(`no${uses.has(key(id)) ? ' further' : ''} sequence with id ${key(id)} to join the burst (${known()})`);
      });
      return;
    }
    if (!('sequence' in fault)) return;
    const steps = stepsOf.get(key(fault.sequence));
    if (steps === undefined)
      entry.child('sequence').fail(`no sequence has id ${key(fault.sequence)}, so this ${fault.kind} fault would never fire (${known()})`);
    else if (fault.step >= steps)
      entry
        .child('step')
        .fail(`sequence ${key(fault.sequence)} has ${steps} step(s) (0 to ${steps - 1}), so step ${fault.step} would never fire this ${fault.kind} fault`);
  });
}

function readRate(reader: JsonReader): number {
  const value = reader.number();
  if (value < 0 || value > 1) reader.fail(`a rate is a probability in [0, 1], got ${value}`);
  return value;
}

function positive(reader: JsonReader): number {
  const value = reader.nonNegativeInt(2 ** 50);
  if (value === 0) reader.fail('must be positive');
  return value;
}

function rateWith(reader: JsonReader, key: string, fallback: number): { rate: number; value: number } {
  if (typeof reader.value === 'number') return { rate: readRate(reader), value: fallback };
  reader.object();
  reader.onlyKeys(['rate', key]);
  return { rate: reader.optional('rate', readRate, 0), value: reader.optional(key, positive, fallback) };
}

function readScheduled(reader: JsonReader, readId: (reader: JsonReader) => ScenarioId): ScheduledFault {
  reader.object();
  const kind = reader.child('kind').string();
  if (kind === 'executor_failure' || kind === 'executor_stall') {
    reader.onlyKeys(['kind', 'batch']);
    return { kind, batch: reader.child('batch').nonNegativeInt() };
  }
  if (kind === 'misuse') {
    reader.onlyKeys(['kind', 'sequence', 'step', 'misuse']);
    const misuse = reader.child('misuse').string();
    if (!(MISUSE_KINDS as readonly string[]).includes(misuse)) reader.child('misuse').fail(`expected one of ${MISUSE_KINDS.join(', ')}`);
    return { kind, sequence: readId(reader.child('sequence')), step: reader.child('step').nonNegativeInt(), misuse: misuse as MisuseKind };
  }
  if (kind === 'timer_jitter') {
    reader.onlyKeys(['kind', 'timer', 'occurrence', 'jitter_us']);
    const timer = reader.child('timer').string();
    if (timer.length === 0) reader.child('timer').fail('name the timer by its task label, e.g. "reaper" or "batch:I0"');
    return {
      kind,
      timer,
      occurrence: reader.optional('occurrence', (r) => r.nonNegativeInt(), 0),
      jitterUs: positive(reader.required('jitter_us', 'how late the timer fires, in µs')),
    };
  }
  if (kind === 'cancel') {
    reader.onlyKeys(['kind', 'sequence', 'step', 'after_us']);
    return {
      kind,
      sequence: readId(reader.child('sequence')),
      step: reader.child('step').nonNegativeInt(),
      afterUs: reader.optional('after_us', (r) => r.nonNegativeInt(2 ** 50), 0),
    };
  }
  if (kind === 'burst') {
    reader.onlyKeys(['kind', 'at_us', 'sequences']);
    const sequences = reader.child('sequences').array().map(readId);
    if (sequences.length < 2) reader.child('sequences').fail('a burst needs at least two sequences');
    return { kind, atUs: reader.child('at_us').nonNegativeInt(2 ** 50), sequences };
  }
  if (kind === 'request_drop' || kind === 'response_drop' || kind === 'disconnect' || kind === 'transport_delay') {
    reader.onlyKeys(['kind', 'sequence', 'step']);
    return { kind, sequence: readId(reader.child('sequence')), step: reader.child('step').nonNegativeInt() };
  }
  return reader.child('kind').fail(`expected one of ${FAULT_KINDS.join(', ')}`);
}
