import type { Scenario } from '../src/scenario/types.ts';
import type { SequenceBatchScheduler } from '../src/batcher/index.ts';
import type { Clock, Timers } from '../src/core/ports.ts';
import type { TraceRecorder } from './recorder.ts';

/** Triton's shutdown polls the in-flight count once a second (spec §11). */
export const EXIT_POLL_US = 1_000_000;

/**
 * Server stop (spec §11): new STARTs are refused from `at_us`; Triton then waits, polling each
 * second, until no sequence holds a slot without its END enqueued, or the exit timeout passes.
 * seqsim records that moment as `lifecycle` "exit" (with `forced` when the timeout hit) but keeps
 * simulating, so every request stays accounted for by the oracles; a real server would close
 * its connections there.
 */
export function scheduleLifecycle(
  scenario: Scenario,
  loop: Clock & Timers,
  recorder: TraceRecorder,
  scheduler: SequenceBatchScheduler,
): void {
  for (const event of scenario.lifecycle) {
    loop.schedule(event.atUs, { label: 'lifecycle:stop' }, () => {
      scheduler.stop();
      recorder.emit({ type: 'lifecycle', action: 'stop', generation: 1 });
      const deadlineUs = loop.nowUs() + event.exitTimeoutUs;
      const poll = (): void => {
        const inflight = scheduler.inflightSequenceCount();
        if (inflight === 0 || loop.nowUs() >= deadlineUs) {
          recorder.emit({ type: 'lifecycle', action: 'exit', generation: 1, forced: inflight > 0, inflight });
          return;
        }
        loop.schedule(Math.min(loop.nowUs() + EXIT_POLL_US, deadlineUs), { label: 'lifecycle:exit-poll', about: deadlineUs }, poll);
      };
      poll();
    });
  }
}
