import type { EventSink, TraceEventBody } from '../../src/core/events.ts';
import type { ScenarioId } from '../../src/core/ids.ts';
import type { FaultKind, FaultPlan, MisuseKind } from '../../src/scenario/faults.ts';
import type { Scenario, ScenarioSequence } from '../../src/scenario/types.ts';
import { RandomStreams } from '../../sim/kernel/random.ts';
import { FaultInjector } from '../../sim/faults.ts';
import { burstAt } from '../../sim/simulate.ts';
import { requestPrefixes } from '../../sim/pipeline/request-ids.ts';

/** One step as drive plays it: client-side times already multiplied by --time-scale. */
export interface PlannedStep {
  readonly value: number;
  readonly start: boolean;
  readonly end: boolean;
  /** sync: after the previous answer; stream: after the previous send (step 0: after the sequence's start). */
  readonly gapUs: number;
  /** Triton's backlog `timeout` (µs of the server's clock: not scaled); 0: none. */
  readonly timeoutUs: number;
  /** The scenario's own cancel of this step (`cancel_after_us`). */
  readonly cancelAfterUs: number | undefined;
}

export interface PlannedSequence {
  /** Position in the scenario (fault decisions are keyed by it); stress sequences count on. */
  readonly index: number;
  readonly id: ScenarioId;
  /** Request ids are "<prefix>:<step>" ("#n" after the id for its later sequences, as the simulator names them). */
  readonly prefix: string;
  readonly mode: 'sync' | 'stream';
  /** When its first step may go (µs since the run started); stress lanes start a sequence when the previous one is done. */
  readonly startUs: number;
  readonly steps: readonly PlannedStep[];
}

/** A fault event the plan decided, written when the fault fires. */
export type PlannedFault = TraceEventBody;

/** What the fault plan decided for one attempt of one step (drawn before the run, so a seed always decides the same). */
export interface AttemptFaults {
  readonly disconnect?: PlannedFault;
  readonly misuse?: { readonly kind: MisuseKind; readonly event: PlannedFault };
  readonly requestDrop?: PlannedFault;
  readonly upDelay?: { readonly us: number; readonly event: PlannedFault };
  readonly cancel?: { readonly afterUs: number; readonly event: PlannedFault };
  readonly responseDrop?: PlannedFault;
  readonly downDelay?: { readonly us: number; readonly event: PlannedFault };
}

/** Fault kinds a client can commit or emulate; the others happen inside the server. */
export const CLIENT_FAULT_KINDS: readonly FaultKind[] = ['request_drop', 'response_drop', 'transport_delay', 'disconnect', 'misuse', 'cancel', 'burst'];

export interface ClientFaults {
  readonly plan: FaultPlan;
  readonly clientTimeoutUs: number;
  readonly retries: number;
  /** Burst fault events (written at the start of the run). */
  readonly bursts: readonly PlannedFault[];
  faultsFor(sequence: number, step: number, attempt: number): AttemptFaults;
}

export interface ScenarioPlan {
  readonly sequences: readonly PlannedSequence[];
  readonly faults: ClientFaults | undefined;
  /** What drive leaves out of the scenario (server-side faults, lifecycle), each a sentence. */
  readonly notes: readonly string[];
}

/**
 * The scenario as drive plays it: times scaled, bursts applied, and every client-side fault of its
 * plan decided up front from the seed's `faults` stream in scenario order (sequence by sequence,
 * step by step, attempt by attempt), so the same seed injects the same faults on every run whatever
 * the server's timing. (The simulator draws in event order, so a seed's faults differ from `run`'s.)
 */
export function planScenario(scenario: Scenario, seed: number, timeScale: number): ScenarioPlan {
  const scale = (us: number): number => Math.round(us * timeScale);
  const notes: string[] = [];
  const prefixes = requestPrefixes(scenario);
  let sequences: readonly ScenarioSequence[] = scenario.sequences;
  let faults: ClientFaults | undefined;
  if (scenario.faults !== undefined) {
    const drawn = drawClientFaults(scenario.faults, sequences, prefixes, seed, scale);
    faults = drawn;
    sequences = sequences.map((sequence, index) => burstAt(sequence, drawn.burstStartUs.get(index)));
    const serverSide = serverSideKinds(scenario.faults);
    if (serverSide.length > 0) notes.push(`the fault plan's ${serverSide.join(', ')} happen inside the server: out of a client's reach, not injected`);
  }
  if (scenario.lifecycle.length > 0) {
    const actions = [...new Set(scenario.lifecycle.map((event) => event.kind))].join(', ');
    notes.push(`the scenario's lifecycle block (${actions}) manages the server: out of a client's reach, not played`);
  }
  return {
    sequences: sequences.map((sequence, index) => ({
      index,
      id: sequence.id,
      prefix: prefixes[index]!,
      mode: sequence.mode,
      startUs: scale(sequence.startUs),
      steps: sequence.steps.map((step) => ({
        value: step.value,
        start: step.start,
        end: step.end,
        gapUs: scale(step.gapUs),
        timeoutUs: step.timeoutUs,
        cancelAfterUs: step.cancelAfterUs === undefined ? undefined : scale(step.cancelAfterUs),
      })),
    })),
    faults,
    notes,
  };
}

function serverSideKinds(plan: FaultPlan): string[] {
  const kinds: string[] = [];
  if (plan.executorFailure > 0 || plan.scheduled.some((f) => f.kind === 'executor_failure')) kinds.push('executor failures');
  if (plan.executorStall.rate > 0 || plan.scheduled.some((f) => f.kind === 'executor_stall')) kinds.push('executor stalls');
  if (plan.timerJitter.rate > 0 || plan.scheduled.some((f) => f.kind === 'timer_jitter')) kinds.push('timer jitter');
  return kinds;
}

/** Captures the fault events the injector emits while deciding. */
class CapturingSink implements EventSink {
  readonly enabled = true;
  captured: TraceEventBody[] = [];
  emit(event: TraceEventBody): void {
    this.captured.push(event);
  }
  take(): TraceEventBody | undefined {
    const event = this.captured.shift();
    this.captured = [];
    return event;
  }
}

function drawClientFaults(
  plan: FaultPlan,
  sequences: readonly ScenarioSequence[],
  prefixes: readonly string[],
  seed: number,
  scale: (us: number) => number,
): ClientFaults & { readonly burstStartUs: ReadonlyMap<number, number> } {
  const sink = new CapturingSink();
  const injector = new FaultInjector(plan, new RandomStreams(seed).stream('faults'), sink);
  const starts = injector.burstStarts(sequences);
  const bursts = sink.captured.map((event) => ({ ...event, at_us: scale(Number((event as Record<string, unknown>)['at_us'])) }) as TraceEventBody);
  sink.captured = [];
  const table = new Map<string, AttemptFaults>();
  sequences.forEach((sequence, index) => {
    sequence.steps.forEach((step, stepIndex) => {
      for (let attempt = 0; attempt <= plan.retries; attempt++) {
        const firstId = `${prefixes[index]}:${stepIndex}`;
        const target = { request: attempt === 0 ? firstId : `${firstId}~r${attempt}`, sequence: sequence.id, step: stepIndex };
        const decided: {
          -readonly [K in keyof AttemptFaults]: AttemptFaults[K];
        } = {};
        if (attempt === 0 && injector.disconnectBefore(target)) decided.disconnect = sink.take();
        const misuse = attempt === 0 ? injector.misuse(target, stepIndex === 0) : undefined;
        if (misuse !== undefined) decided.misuse = { kind: misuse, event: sink.take()! };
        if (injector.dropRequest(target)) decided.requestDrop = sink.take();
        else {
          const us = injector.extraDelayUs(target);
          if (us > 0) decided.upDelay = { us: scale(us), event: scaledDelay(sink.take()!, scale) };
        }
        const afterUs = step.cancelAfterUs === undefined && injector.cancelsRequests ? injector.cancelAfterUs(target) : undefined;
        if (afterUs !== undefined) decided.cancel = { afterUs: scale(afterUs), event: sink.take()! };
        if (injector.dropResponse(target)) decided.responseDrop = sink.take();
        else {
          const us = injector.extraDelayUs(target);
          if (us > 0) decided.downDelay = { us: scale(us), event: scaledDelay(sink.take()!, scale) };
        }
        table.set(`${index}:${stepIndex}:${attempt}`, decided);
      }
    });
  });
  return {
    plan,
    clientTimeoutUs: scale(plan.clientTimeoutUs),
    retries: plan.retries,
    bursts,
    // Unscaled: planScenario scales every start time once.
    burstStartUs: starts,
    faultsFor: (sequence, step, attempt) => table.get(`${sequence}:${step}:${attempt}`) ?? {},
  };
}

function scaledDelay(event: TraceEventBody, scale: (us: number) => number): TraceEventBody {
  const delayUs = (event as { delay_us?: number }).delay_us;
  return delayUs === undefined ? event : ({ ...event, delay_us: scale(delayUs) } as TraceEventBody);
}
