import type { TraceEvent } from '../../src/core/events.ts';
import type { ModelConfig } from '../../src/config/types.ts';
import { generationKey, sequenceKey, type Ledger, type SentBook } from './ledger.ts';
import type { ModelOf } from './outputs.ts';
import { ViolationSink, type Violation } from './types.ts';

/**
 * Triton's reaper re-checks at most 50 ms later while an idle-expired sequence waits in the
 * backlog (spec §6: "re-check in ≤ 50 ms"; server#8449). Restated here, not imported from the
 * scheduler, so a scheduler polling at another period is caught.
 */
export const TRITON_BACKLOG_RECHECK_US = 50_000;

/**
 * Spec conformance, not safety: the idle reaper force-ends a slot-holding sequence exactly
 * max_sequence_idle_microseconds after its last request *arrived* (spec §6, seqsim's granularity),
 * or — when the sequence was still in the backlog at that deadline — at the reaper's next 50 ms
 * re-check after it got a slot (the backlog trap). A reaper that measures idle time from
 * completion, or reaps early, is a deviation from Triton that users should know about. On a real
 * clock (live mode) timers fire late, so a reap up to `timerSlackUs` late is on time.
 */
export class ReaperTimingOracle {
  private readonly sink = new ViolationSink('reaper-timing');
  private readonly modelOf: ModelOf;
  /** Injected timer jitter makes reaps late on purpose: nothing to check against Triton then. */
  private jittered = false;
  private readonly lastArrivalUs = new Map<string, number>();
  private readonly promotedAtUs = new Map<string, number>();
  /** The last arrival's sequence and the arrival time it replaced, until a reject takes it back (undefined: none to take back). */
  private pendingKey: string | undefined = undefined;
  private pendingPreviousUs: number | undefined = undefined;

  constructor(
    private readonly sent: SentBook,
    model: ModelConfig | ModelOf,
    private readonly timerSlackUs = 0,
  ) {
    this.modelOf = typeof model === 'function' ? model : () => model;
  }

  observe(event: TraceEvent, index: number): void {
    switch (event.type) {
      case 'fault':
        if (event.kind === 'timer_jitter') this.jittered = true;
        return;
      case 'arrive': {
        const number = this.sent.numberOf(event.request);
        if (number < 0) return;
        const key = generationKey(this.sent.sequenceKeyOf(number), event.generation);
        this.pendingKey = key;
        this.pendingPreviousUs = this.lastArrivalUs.get(key);
        this.lastArrivalUs.set(key, event.t);
        return;
      }
      case 'reject': {
        // A rejected request never touches the idle clock.
        const key = this.pendingKey;
        if (key !== undefined) {
          if (this.pendingPreviousUs === undefined) this.lastArrivalUs.delete(key);
          else this.lastArrivalUs.set(key, this.pendingPreviousUs);
        }
        this.pendingKey = undefined;
        return;
      }
      case 'assign': {
        const key = generationKey(sequenceKey(event.sequence), event.generation);
        if (event.first_request !== undefined) this.promotedAtUs.set(key, event.t);
        else this.promotedAtUs.delete(key);
        return;
      }
      case 'reap':
        this.onReap(event, index);
        return;
      default:
        return;
    }
  }

  done(): Violation[] {
    return this.jittered ? [] : this.sink.done();
  }

  private onReap(event: Extract<TraceEvent, { type: 'reap' }>, index: number): void {
    if (this.jittered) return;
    const key = generationKey(sequenceKey(event.sequence), event.generation);
    const arrivedUs = this.lastArrivalUs.get(key);
    if (arrivedUs === undefined) return;
    const deadlineUs = arrivedUs + this.modelOf(event.generation).maxSequenceIdleUs;
    const promotedUs = this.promotedAtUs.get(key);
    const trapped = promotedUs !== undefined && promotedUs >= deadlineUs;
    const slackUs = this.timerSlackUs;
    // On a real clock (timerSlackUs > 0) a timer fires late but never early.
    const onTime = trapped
      ? event.t >= promotedUs && event.t <= promotedUs + TRITON_BACKLOG_RECHECK_US + slackUs
      : event.t >= deadlineUs && event.t <= deadlineUs + slackUs;
    if (!onTime) {
      this.sink.add(
        trapped
          ? `sequence ${event.sequence} reaped at ${event.t} µs; it left the backlog idle ` +
              `at ${promotedUs} µs, so Triton reaps it within ${TRITON_BACKLOG_RECHECK_US} µs`
          : `sequence ${event.sequence} reaped at ${event.t} µs; its last request arrived at ${arrivedUs} µs, so Triton reaps it at ${deadlineUs} µs`,
        [index],
      );
    }
  }
}

/** ReaperTimingOracle over a whole trace. */
export function checkReaperTiming(events: readonly TraceEvent[], ledger: Ledger, model: ModelConfig | ModelOf, timerSlackUs = 0): Violation[] {
  const oracle = new ReaperTimingOracle(ledger.sent, model, timerSlackUs);
  for (let index = 0; index < events.length; index++) oracle.observe(events[index]!, index);
  return oracle.done();
}
