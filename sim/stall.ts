import type { Scenario } from '../src/scenario/types.ts';
import { BACKLOG_IDLE_RECHECK_US } from '../src/batcher/reaper.ts';
import type { StallWatch } from './kernel/event-queue.ts';
import type { TraceRecorder } from './recorder.ts';

/** Slack on top of the longest deadline, so rounding and re-check periods never matter. */
const STALL_SLACK_US = 1_000_000;

/**
 * How long a world may make no progress, with only the idle reaper pending, before nothing can
 * happen any more: every deadline the reaper acts on — an idle timeout (of any model object the
 * lifecycle loads), a backlogged request's timeout — starts at an arrival (a trace event), and
 * its check may come one backlog re-check period, plus any timer jitter, late. Twice the longest
 * such wait, plus a second, is past all of them.
 */
export function stallHorizonUs(scenario: Scenario): number {
  let idleUs = scenario.model.maxSequenceIdleUs;
  for (const event of scenario.lifecycle) {
    if (event.kind === 'load' && !('invalid' in event.config)) idleUs = Math.max(idleUs, event.config.config.maxSequenceIdleUs);
  }
  let timeoutUs = 0;
  for (const sequence of scenario.sequences) for (const step of sequence.steps) timeoutUs = Math.max(timeoutUs, step.timeoutUs);
  let jitterUs = scenario.faults?.timerJitter.maxUs ?? 0;
  for (const fault of scenario.faults?.scheduled ?? []) if (fault.kind === 'timer_jitter') jitterUs = Math.max(jitterUs, fault.jitterUs);
  return 2 * (idleUs + timeoutUs + BACKLOG_IDLE_RECHECK_US + jitterUs) + STALL_SLACK_US;
}

/**
 * A stall watch over a recorded run: progress is the last trace event other than a late timer
 * (a `timer_jitter` fault only delays the polling); the reaper only polls.
 */
export function stallWatch(scenario: Scenario, recorder: TraceRecorder): StallWatch {
  return {
    horizonUs: stallHorizonUs(scenario),
    lastProgressUs: () => recorder.lastActivityUs,
    isHousekeeping: (label) => label === 'reaper',
  };
}
