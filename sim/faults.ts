import { MISUSE_KINDS, type FaultKind, type FaultPlan, type MisuseKind, type ScheduledFault } from '../src/scenario/faults.ts';
import type { ScenarioId } from '../src/core/ids.ts';
import type { RandomStream } from './kernel/random.ts';
import type { EventSink } from '../src/core/events.ts';

/** Where a message-level fault would hit: a request of a sequence's step. */
export interface FaultTarget {
  readonly request: string;
  readonly sequence: ScenarioId;
  readonly step: number;
}

/**
 * Decides and records injected faults. Draws come from the run's `faults` stream and only for
 * kinds whose rate is above 0, so enabling one kind never shifts the workload or another stream.
 * Every fault that fires is a `fault` trace event and is counted (fault accountability). Each draw
 * is named ("fault:request_drop:7:2", "fault:executor_failure:b3"): with `--choose-draws` the
 * stream is a ChoosingStream and the name labels the choice point.
 */
export class FaultInjector {
  readonly fired: Partial<Record<FaultKind, number>> = {};
  /** How often each timer label has been armed (scheduled timer jitter names an occurrence). */
  private readonly timerArmings = new Map<string, number>();
  /** Whether any request can be cancelled by the plan: clients skip the check per send otherwise. */
  readonly cancelsRequests: boolean;

  constructor(
    readonly plan: FaultPlan,
    private readonly stream: RandomStream,
    private readonly recorder: EventSink,
  ) {
    this.cancelsRequests = plan.cancel.rate > 0 || plan.scheduled.some((f) => f.kind === 'cancel');
  }

  /** Message lost client → server. */
  dropRequest(target: FaultTarget): boolean {
    return this.decide('request_drop', this.plan.requestDrop, target) && this.record('request_drop', target);
  }

  /** Message lost server → client. */
  dropResponse(target: FaultTarget): boolean {
    return this.decide('response_drop', this.plan.responseDrop, target) && this.record('response_drop', target);
  }

  /** Extra one-way delay in µs (0 = none). */
  extraDelayUs(target: FaultTarget): number {
    if (!this.decide('transport_delay', this.plan.transportDelay.rate, target)) return 0;
    const delayUs = this.stream.int(1, this.plan.transportDelay.maxUs, () => `fault:transport_delay_us:${target.request}`);
    this.record('transport_delay', target, { delay_us: delayUs });
    return delayUs;
  }

  /** The client disconnects before sending this step: no further requests, no END. */
  disconnectBefore(target: FaultTarget): boolean {
    return this.decide('disconnect', this.plan.disconnect, target) && this.record('disconnect', target);
  }

  /** A batcher or reaper wake-up fires late (0 = on time). */
  timerJitterUs(label: string): number {
    const occurrence = this.timerArmings.get(label) ?? 0;
    this.timerArmings.set(label, occurrence + 1);
    const scheduled = this.plan.scheduled.find((f) => f.kind === 'timer_jitter' && f.timer === label && f.occurrence === occurrence);
    const { rate, maxUs } = this.plan.timerJitter;
    let jitterUs = scheduled !== undefined && scheduled.kind === 'timer_jitter' ? scheduled.jitterUs : 0;
    if (jitterUs === 0 && rate > 0 && this.stream.chance(rate, () => `fault:timer_jitter:${label}#${occurrence}`)) {
      jitterUs = this.stream.int(1, maxUs, () => `fault:timer_jitter_us:${label}#${occurrence}`);
    }
    if (jitterUs === 0) return 0;
    this.count('timer_jitter');
    this.recorder.emit({ type: 'fault', kind: 'timer_jitter', timer: label, jitter_us: jitterUs });
    return jitterUs;
  }

  /** Protocol misuse by the client for this request, if the plan says so. */
  misuse(target: FaultTarget, isFirstStep: boolean): MisuseKind | undefined {
    const scheduled = this.plan.scheduled.find((f) => f.kind === 'misuse' && f.step === target.step && sameId(f.sequence, target.sequence));
    let kind: MisuseKind | undefined = scheduled !== undefined && scheduled.kind === 'misuse' ? scheduled.misuse : undefined;
    if (kind === undefined && this.plan.misuse > 0 && this.stream.chance(this.plan.misuse, () => `fault:misuse:${target.request}`)) {
      const options = MISUSE_KINDS.filter((k) => (isFirstStep ? k !== 'start_on_active' : k !== 'missing_start'));
      kind = this.stream.pick(options, () => `fault:misuse_kind:${target.request}`);
    }
    if (kind !== undefined) this.record('misuse', target, { misuse: kind });
    return kind;
  }

  /** The client cancels this request after this many µs (undefined = it does not). */
  cancelAfterUs(target: FaultTarget): number | undefined {
    const firstAttempt = !target.request.includes('~r');
    const scheduled = firstAttempt
      ? this.plan.scheduled.find((f) => f.kind === 'cancel' && f.step === target.step && sameId(f.sequence, target.sequence))
      : undefined;
    let afterUs = scheduled !== undefined && scheduled.kind === 'cancel' ? scheduled.afterUs : undefined;
    if (afterUs === undefined && this.plan.cancel.rate > 0 && this.stream.chance(this.plan.cancel.rate, () => `fault:cancel:${target.request}`)) {
      afterUs = this.stream.int(0, this.plan.cancel.maxUs, () => `fault:cancel_after_us:${target.request}`);
    }
    if (afterUs !== undefined) this.record('cancel', target, { after_us: afterUs });
    return afterUs;
  }

  /**
   * Bursts: which sequences (by scenario index) send their first request at a common instant.
   * Scheduled bursts name the ids; with a rate, each sequence joins one burst at the earliest
   * joiner's start. Decided once before the clients start.
   */
  burstStarts(sequences: readonly { readonly id: ScenarioId; readonly startUs: number }[]): Map<number, number> {
    const starts = new Map<number, number>();
    for (const fault of this.plan.scheduled) {
      if (fault.kind !== 'burst') continue;
      for (const id of fault.sequences) {
        const index = sequences.findIndex((sequence, i) => !starts.has(i) && sameId(sequence.id, id));
        if (index >= 0) starts.set(index, fault.atUs);
      }
    }
    if (this.plan.burst > 0) {
      const joiners = sequences.flatMap((_, index) => (!starts.has(index) && this.stream.chance(this.plan.burst, () => `fault:burst:${index}`) ? [index] : []));
      if (joiners.length >= 2) {
        const atUs = Math.min(...joiners.map((index) => sequences[index]!.startUs));
        for (const index of joiners) starts.set(index, atUs);
      }
    }
    for (const [index, atUs] of [...starts].sort((a, b) => a[0] - b[0])) {
      this.count('burst');
      this.recorder.emit({ type: 'fault', kind: 'burst', sequence: sequences[index]!.id, at_us: atUs });
    }
    return starts;
  }

  failBatch(batch: number): boolean {
    if (!this.decideBatch('executor_failure', this.plan.executorFailure, batch)) return false;
    this.count('executor_failure');
    this.recorder.emit({ type: 'fault', kind: 'executor_failure', batch });
    return true;
  }

  stallUs(batch: number): number {
    if (!this.decideBatch('executor_stall', this.plan.executorStall.rate, batch)) return 0;
    this.count('executor_stall');
    this.recorder.emit({ type: 'fault', kind: 'executor_stall', batch, stall_us: this.plan.executorStall.us });
    return this.plan.executorStall.us;
  }

  private decide(kind: FaultKind, rate: number, target: FaultTarget): boolean {
    // A scheduled fault hits the step's first attempt; a client retry gets through.
    const firstAttempt = !target.request.includes('~r');
    if (firstAttempt && this.plan.scheduled.some((f) => f.kind === kind && 'step' in f && f.step === target.step && sameId(f.sequence, target.sequence)))
      return true;
    return rate > 0 && this.stream.chance(rate, () => `fault:${kind}:${target.request}`);
  }

  private decideBatch(kind: FaultKind, rate: number, batch: number): boolean {
    if (this.plan.scheduled.some((f: ScheduledFault) => f.kind === kind && 'batch' in f && f.batch === batch)) return true;
    return rate > 0 && this.stream.chance(rate, () => `fault:${kind}:b${batch}`);
  }

  private record(kind: FaultKind, target: FaultTarget, extra: Record<string, unknown> = {}): true {
    this.count(kind);
    this.recorder.emit({ type: 'fault', kind, request: target.request, sequence: target.sequence, step: target.step, ...extra });
    return true;
  }

  private count(kind: FaultKind): void {
    this.fired[kind] = (this.fired[kind] ?? 0) + 1;
  }
}

function sameId(a: ScenarioId, b: ScenarioId): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
