/*
 * The differential (`seqsim drive --compare-sim`): what a real server answered, sequence by
 * sequence and step by step, against what seqsim's simulator predicts for the same scenario and
 * config — outputs, error codes and messages — and the executions per batch size from the
 * server's statistics against the simulated batches. Outcomes that depend on real timing are left
 * out and counted by reason, as `seqsim compare` does (sim/compare/outcomes.ts).
 */
import type { TraceEvent } from '../../src/core/events.ts';
import type { Scenario } from '../../src/scenario/types.ts';
import { EXCLUSION_REASONS, sequenceOutcomes } from '../../sim/compare/outcomes.ts';
import { requestPrefixes } from '../../sim/pipeline/request-ids.ts';

/**
 * Why a sequence is not compared: `seqsim compare`'s reasons (idle-timeout, expired, cancel, fault,
 * reject, lifecycle, id-conflict), plus `same-instant` (two STARTs reached a full model at one
 * instant: which one gets the slot is the order of arrival, real timing) and `no-answer` (the
 * client got no answer from the real server: timed out, aborted, the connection failed).
 */
export const DIFFERENTIAL_REASONS = [...EXCLUSION_REASONS, 'same-instant', 'no-answer'] as const;
export type DifferentialReason = (typeof DIFFERENTIAL_REASONS)[number];

/** One step as a client saw it: an output, an error (code and message), or nothing. */
export type SeenOutcome =
  | { readonly kind: 'output'; readonly output: number }
  | { readonly kind: 'error'; readonly code: string; readonly message: string }
  | { readonly kind: 'none' };

export interface StepDifference {
  readonly sequence: string;
  readonly step: number;
  readonly real: string;
  readonly simulated: string;
}

/** Executions per batch size ("4" → 2): from the statistics endpoint, or counted in the simulated trace. */
export type BatchCounts = Readonly<Record<string, number>>;

export interface BatchComparison {
  /** false: left out (`why` says why), or the server has no statistics endpoint. */
  readonly compared: boolean;
  readonly equal: boolean;
  readonly why?: string;
  readonly real: BatchCounts | null;
  readonly simulated: BatchCounts;
  /** Requests the model executed (padding excluded): Triton's inference count, and the simulated rows. */
  readonly realInferences: number | null;
  readonly simulatedInferences: number;
}

export interface SimDifferential {
  readonly sequences: number;
  readonly compared: number;
  readonly equal: number;
  /** Sequences left out, by their first reason (DIFFERENTIAL_REASONS order). */
  readonly excluded: Readonly<Partial<Record<DifferentialReason, number>>>;
  readonly differences: readonly StepDifference[];
  readonly batches: BatchComparison;
}

export interface DifferentialInput {
  readonly scenario: Scenario;
  /** The client-side trace of the drive run (send, response, error, cancel, fault lines). */
  readonly real: readonly TraceEvent[];
  /** The simulated run's trace. */
  readonly simulated: readonly TraceEvent[];
  /** What the run added to the server's statistics (null: no endpoint). */
  readonly realStatistics: { readonly inferenceCount: number; readonly batchExecutions: BatchCounts } | null;
  /** A gap this close to the idle timeout (or a backlog wait this close to a request timeout) is left to timing. */
  readonly marginUs: number;
}

const MISSING_START = 'must specify the START flag';

/**
 * `compare`'s reasons the differential decides itself: a rejected request (missing START, id 0)
 * is Triton's deterministic answer, compared like an output; a sequence the reaper ended after its
 * last request had nothing left to lose, so only a reap before a later step leaves it to timing.
 */
const DECIDED_HERE: ReadonlySet<string> = new Set(['reject', 'idle-timeout']);

/** Compares one drive run with the simulation of the same scenario. */
export function compareWithSim(input: DifferentialInput): SimDifferential {
  const { scenario } = input;
  const reasons = scenario.sequences.map(() => new Set<DifferentialReason>());
  for (const run of [input.real, input.simulated]) {
    for (const outcome of sequenceOutcomes(scenario, { events: run }))
      for (const reason of outcome.reasons) if (!DECIDED_HERE.has(reason)) reasons[outcome.index]!.add(reason);
  }
  const simSteps = seenOutcomes(scenario, input.simulated);
  const realSteps = seenOutcomes(scenario, input.real);
  const timing = simulatedTiming(scenario, input.simulated);
  markReapedBeforeLastStep(scenario, input.simulated, timing, reasons);
  for (const run of [input.real, input.simulated]) markOverlappingIds(scenario, run, reasons);
  markNoAnswer(scenario, input.real, reasons);
  markSameInstant(timing, reasons);
  markNearEdges(scenario, timing, realSteps, simSteps, input.marginUs, reasons);

  const excluded: Partial<Record<DifferentialReason, number>> = {};
  const differences: StepDifference[] = [];
  let compared = 0;
  let equal = 0;
  scenario.sequences.forEach((sequence, index) => {
    const first = DIFFERENTIAL_REASONS.find((reason) => reasons[index]!.has(reason));
    if (first !== undefined) {
      excluded[first] = (excluded[first] ?? 0) + 1;
      return;
    }
    compared++;
    const label = timing.prefixes[index]!;
    let same = true;
    sequence.steps.forEach((_, step) => {
      const real = realSteps[index]![step]!;
      const simulated = simSteps[index]![step]!;
      if (describe(real) === describe(simulated)) return;
      same = false;
      differences.push({ sequence: label, step, real: describe(real), simulated: describe(simulated) });
    });
    if (same) equal++;
  });
  return {
    sequences: scenario.sequences.length,
    compared,
    equal,
    excluded,
    differences,
    batches: compareBatches(scenario, input, timing),
  };
}

/** "output 7", "error INVALID_ARG: <message>", "no answer". */
export function describe(outcome: SeenOutcome): string {
  if (outcome.kind === 'output') return `output ${outcome.output}`;
  if (outcome.kind === 'error') return `error ${outcome.code}: ${outcome.message}`;
  return 'no answer';
}

/** The client's label of a request (`[request id: …] `) is not Triton's message. */
function withoutRequestLabel(message: string): string {
  return message.replace(/^\[request id: [^\]]*\] /, '');
}

interface SimulatedTiming {
  readonly prefixes: readonly string[];
  /** Per sequence, per step: when the request reached the server (undefined: never). */
  readonly arrivalUs: readonly (number | undefined)[][];
  /** Per sequence: whether its START waited in the backlog. */
  readonly backlogged: readonly boolean[];
  /** Per sequence, per step: how long the request waited in the backlog (0: never there). */
  readonly backlogWaitUs: readonly number[][];
  /** When the first batch ran, and whether a request reached the server after it. */
  readonly firstExecuteUs: number | undefined;
  readonly arrivedAfterFirstBatch: boolean;
}

function entryOf(prefixes: ReadonlyMap<string, number>, request: string): { entry: number | undefined; step: number } {
  const attempt = request.replace(/~r\d+$/, '');
  const colon = attempt.lastIndexOf(':');
  return { entry: colon < 0 ? undefined : prefixes.get(attempt.slice(0, colon)), step: Number(attempt.slice(colon + 1)) };
}

function prefixMap(scenario: Scenario): { prefixes: string[]; byPrefix: Map<string, number> } {
  // Request ids are "<prefix>:<step>", named alike by the simulator and drive.
  const prefixes = requestPrefixes(scenario);
  return { prefixes, byPrefix: new Map(prefixes.map((prefix, index) => [prefix, index])) };
}

function seenOutcomes(scenario: Scenario, events: readonly TraceEvent[]): SeenOutcome[][] {
  const steps: SeenOutcome[][] = scenario.sequences.map((sequence) => sequence.steps.map((): SeenOutcome => ({ kind: 'none' })));
  const { byPrefix } = prefixMap(scenario);
  for (const event of events) {
    if (event.type !== 'response') continue;
    const { entry, step } = entryOf(byPrefix, event.request);
    const row = entry === undefined ? undefined : steps[entry];
    if (row === undefined || step >= row.length) continue;
    row[step] =
      'error' in event
        ? { kind: 'error', code: event.error.code, message: withoutRequestLabel(event.error.message) }
        : { kind: 'output', output: event.output };
  }
  return steps;
}

function simulatedTiming(scenario: Scenario, events: readonly TraceEvent[]): SimulatedTiming {
  const { prefixes, byPrefix } = prefixMap(scenario);
  const arrivalUs = scenario.sequences.map((sequence) => sequence.steps.map((): number | undefined => undefined));
  const backlogWaitUs = scenario.sequences.map((sequence) => sequence.steps.map(() => 0));
  const backlogged = scenario.sequences.map(() => false);
  const waitingSince = new Map<string, { readonly entry: number; readonly steps: { step: number; atUs: number }[] }>();
  let lastArrived: { entry: number; step: number } | undefined;
  let firstExecuteUs: number | undefined;
  let arrivedAfterFirstBatch = false;
  for (const event of events) {
    if (event.type === 'arrive') {
      const { entry, step } = entryOf(byPrefix, event.request);
      if (entry === undefined) continue;
      arrivalUs[entry]![step] = event.t;
      lastArrived = { entry, step };
      if (firstExecuteUs !== undefined) arrivedAfterFirstBatch = true;
      const waiting = waitingSince.get(JSON.stringify(scenario.sequences[entry]!.id));
      if (waiting?.entry === entry) waiting.steps.push({ step, atUs: event.t });
    } else if (event.type === 'backlog' && lastArrived !== undefined) {
      backlogged[lastArrived.entry] = true;
      waitingSince.set(JSON.stringify(event.sequence), { entry: lastArrived.entry, steps: [{ step: lastArrived.step, atUs: event.t }] });
    } else if (event.type === 'assign' || (event.type === 'release' && event.reason === 'expired')) {
      const waiting = waitingSince.get(JSON.stringify(event.sequence));
      if (waiting === undefined) continue;
      waitingSince.delete(JSON.stringify(event.sequence));
      for (const { step, atUs } of waiting.steps) backlogWaitUs[waiting.entry]![step] = event.t - atUs;
    } else if (event.type === 'execute' && firstExecuteUs === undefined) firstExecuteUs = event.t;
  }
  return { prefixes, arrivalUs, backlogged, backlogWaitUs, firstExecuteUs, arrivedAfterFirstBatch };
}

/** The simulated reaper ended a sequence that still had requests to send: whether the real one did too is timing. */
function markReapedBeforeLastStep(scenario: Scenario, events: readonly TraceEvent[], timing: SimulatedTiming, reasons: Set<DifferentialReason>[]): void {
  for (const event of events) {
    if (event.type !== 'reap') continue;
    const key = JSON.stringify(event.sequence);
    scenario.sequences.forEach((sequence, entry) => {
      if (JSON.stringify(sequence.id) !== key) return;
      const arrivals = timing.arrivalUs[entry]!;
      const started = arrivals[0] !== undefined && arrivals[0] <= event.t;
      if (started && arrivals.some((atUs) => atUs === undefined || atUs > event.t)) reasons[entry]!.add('idle-timeout');
    });
  }
}

/**
 * Two sequences of one id in flight at once (the later one's first request sent before the
 * earlier one's last answer, in either run): their requests interleave in one slot in the order
 * they arrive, which is real timing (Triton's stress test does this on purpose).
 */
function markOverlappingIds(scenario: Scenario, events: readonly TraceEvent[], reasons: Set<DifferentialReason>[]): void {
  const { byPrefix } = prefixMap(scenario);
  const firstSendUs = scenario.sequences.map((): number | undefined => undefined);
  const lastAnswerUs = scenario.sequences.map((): number | undefined => undefined);
  for (const event of events) {
    if (event.type !== 'send' && event.type !== 'response' && event.type !== 'error') continue;
    const { entry } = entryOf(byPrefix, event.request);
    if (entry === undefined) continue;
    if (event.type === 'send') firstSendUs[entry] ??= event.t;
    else lastAnswerUs[entry] = event.t;
  }
  const byId = new Map<string, number[]>();
  scenario.sequences.forEach((sequence, entry) => {
    const key = JSON.stringify(sequence.id);
    byId.set(key, [...(byId.get(key) ?? []), entry]);
  });
  for (const entries of byId.values()) {
    for (let i = 1; i < entries.length; i++) {
      const earlier = entries[i - 1]!;
      const later = entries[i]!;
      const start = firstSendUs[later];
      const end = lastAnswerUs[earlier];
      if (start !== undefined && (end === undefined || start <= end)) {
        reasons[earlier]!.add('id-conflict');
        reasons[later]!.add('id-conflict');
      }
    }
  }
}

/** A step the real client got no answer for: what the server did with it is unknown. */
function markNoAnswer(scenario: Scenario, events: readonly TraceEvent[], reasons: Set<DifferentialReason>[]): void {
  const { byPrefix } = prefixMap(scenario);
  for (const event of events) {
    if (event.type !== 'error') continue;
    const { entry } = entryOf(byPrefix, event.request);
    if (entry !== undefined) reasons[entry]!.add('no-answer');
  }
}

/** Backlogged STARTs that arrived at the same instant as another START: the real order of arrival decides. */
function markSameInstant(timing: SimulatedTiming, reasons: Set<DifferentialReason>[]): void {
  const byInstant = new Map<number, number[]>();
  timing.arrivalUs.forEach((steps, entry) => {
    const atUs = steps[0];
    if (atUs !== undefined) byInstant.set(atUs, [...(byInstant.get(atUs) ?? []), entry]);
  });
  for (const entries of byInstant.values()) {
    if (entries.length > 1 && entries.some((entry) => timing.backlogged[entry])) for (const entry of entries) reasons[entry]!.add('same-instant');
  }
}

/**
 * Outcomes at the edge of a timeout: a gap between two requests of a sequence within the margin of
 * the idle timeout (the reaper may or may not have ended it first; on the real server the idle
 * clock also runs while the sequence waits in the backlog), or a backlog wait within the margin of
 * the request's `timeout`. A real START-flag error after a gap of at least idle − margin is the
 * reaper too.
 */
function markNearEdges(
  scenario: Scenario,
  timing: SimulatedTiming,
  real: readonly SeenOutcome[][],
  simulated: readonly SeenOutcome[][],
  marginUs: number,
  reasons: Set<DifferentialReason>[],
): void {
  const idleUs = scenario.model.maxSequenceIdleUs;
  scenario.sequences.forEach((sequence, entry) => {
    const arrivals = timing.arrivalUs[entry]!;
    sequence.steps.forEach((step, index) => {
      const waitedUs = timing.backlogWaitUs[entry]![index]!;
      if (step.timeoutUs > 0 && waitedUs > 0 && Math.abs(waitedUs - step.timeoutUs) <= marginUs) reasons[entry]!.add('expired');
      const seen = real[entry]![index]!;
      if (seen.kind === 'error' && seen.code === 'UNAVAILABLE' && simulated[entry]![index]!.kind !== 'error' && timing.backlogged[entry])
        reasons[entry]!.add('expired');
      if (index === 0 || idleUs <= 0) return;
      const previous = arrivals[index - 1];
      const current = arrivals[index];
      if (previous === undefined || current === undefined) return;
      const gapUs = current - previous;
      if (Math.abs(gapUs - idleUs) <= marginUs) reasons[entry]!.add('idle-timeout');
      if (seen.kind === 'error' && seen.message.includes(MISSING_START) && gapUs >= idleUs - marginUs) reasons[entry]!.add('idle-timeout');
    });
  });
}

function simulatedBatches(events: readonly TraceEvent[]): { counts: Record<string, number>; inferences: number } {
  const counts: Record<string, number> = {};
  let inferences = 0;
  for (const event of events) {
    if (event.type !== 'execute') continue;
    const size = String(event.rows.length);
    counts[size] = (counts[size] ?? 0) + 1;
    inferences += event.rows.filter((row) => row.request !== null).length;
  }
  return { counts, inferences };
}

/**
 * Batch sizes are compared only where the batcher alone decides them: with the scenario's test
 * hook holding the batcher until every request of the run had reached it (in the simulation, no
 * request arrived after the first batch). Otherwise which requests share a batch is real timing.
 * Requests executed (padding excluded) are compared whenever no sequence was left out.
 */
function compareBatches(scenario: Scenario, input: DifferentialInput, timing: SimulatedTiming): BatchComparison {
  const simulated = simulatedBatches(input.simulated);
  const stats = input.realStatistics;
  const base = {
    real: stats?.batchExecutions ?? null,
    simulated: simulated.counts,
    realInferences: stats?.inferenceCount ?? null,
    simulatedInferences: simulated.inferences,
  };
  if (stats === null) return { ...base, compared: false, equal: false, why: 'the server has no statistics endpoint' };
  if ((scenario.testHooks?.delaySchedulerRequests ?? 0) === 0)
    return { ...base, compared: false, equal: false, why: 'which requests share a batch is real timing (no test hook holds the batcher)' };
  if (timing.arrivedAfterFirstBatch)
    return { ...base, compared: false, equal: false, why: 'requests reached the server after the test hook released the batcher' };
  const equal = sameCounts(stats.batchExecutions, simulated.counts) && stats.inferenceCount === simulated.inferences;
  return { ...base, compared: true, equal };
}

function sameCounts(a: BatchCounts, b: BatchCounts): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const key of keys) if ((a[key] ?? 0) !== (b[key] ?? 0)) return false;
  return true;
}
