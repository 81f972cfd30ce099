import type { TraceEvent } from '../../src/core/events.ts';
import type { ModelConfig } from '../../src/config/types.ts';
import { generationKey, sequenceKey, type Ledger } from './ledger.ts';
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
export function checkReaperTiming(events: readonly TraceEvent[], ledger: Ledger, model: ModelConfig | ModelOf, timerSlackUs = 0): Violation[] {
  const modelOf: ModelOf = typeof model === 'function' ? model : () => model;
  const sink = new ViolationSink('reaper-timing');
  // Injected timer jitter makes reaps late on purpose: nothing to check against Triton then.
  if (events.some((e) => e.type === 'fault' && e.kind === 'timer_jitter')) return [];
  const lastArrivalUs = new Map<string, number>();
  const promotedAtUs = new Map<string, number>();
  let pending: { key: string; previous: number | undefined } | undefined;
  events.forEach((event, index) => {
    switch (event.type) {
      case 'arrive': {
        const sent = ledger.sent.get(event.request);
        if (sent === undefined) return;
        const key = generationKey(sent.sequenceKey, event.generation);
        pending = { key, previous: lastArrivalUs.get(key) };
        lastArrivalUs.set(key, event.t);
        return;
      }
      case 'reject':
        // A rejected request never touches the idle clock.
        if (pending !== undefined) {
          if (pending.previous === undefined) lastArrivalUs.delete(pending.key);
          else lastArrivalUs.set(pending.key, pending.previous);
        }
        pending = undefined;
        return;
      case 'assign': {
        const key = generationKey(sequenceKey(event.sequence), event.generation);
        if (event.first_request !== undefined) promotedAtUs.set(key, event.t);
        else promotedAtUs.delete(key);
        return;
      }
      case 'reap': {
        const key = generationKey(sequenceKey(event.sequence), event.generation);
        const arrivedUs = lastArrivalUs.get(key);
        if (arrivedUs === undefined) return;
        const deadlineUs = arrivedUs + modelOf(event.generation).maxSequenceIdleUs;
        const promotedUs = promotedAtUs.get(key);
        const trapped = promotedUs !== undefined && promotedUs >= deadlineUs;
        // On a real clock (timerSlackUs > 0) a timer fires late but never early.
        const onTime = trapped
          ? event.t >= promotedUs && event.t <= promotedUs + TRITON_BACKLOG_RECHECK_US + timerSlackUs
          : event.t >= deadlineUs && event.t <= deadlineUs + timerSlackUs;
        if (!onTime) {
          sink.add(
            trapped
              ? `sequence ${event.sequence} reaped at ${event.t} µs; it left the backlog idle ` +
                  `at ${promotedUs} µs, so Triton reaps it within ${TRITON_BACKLOG_RECHECK_US} µs`
              : `sequence ${event.sequence} reaped at ${event.t} µs; its last request arrived at ${arrivedUs} µs, so Triton reaps it at ${deadlineUs} µs`,
            [index],
          );
        }
        return;
      }
      default:
        return;
    }
  });
  return sink.done();
}
