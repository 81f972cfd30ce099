import type { LifecycleEvent, Scenario, StopEvent } from '../src/scenario/types.ts';
import type { Clock, Timers } from '../src/core/ports.ts';
import type { TraceRecorder } from './recorder.ts';
import type { ModelServer } from './model-server.ts';
import { DrainRouter } from './drain.ts';

/** Triton's shutdown polls the in-flight count once a second (spec §11). */
export const EXIT_POLL_US = 1_000_000;

/** Whether every lifecycle action has run and taken effect (live runs may then end early). */
export interface LifecycleProgress {
  /** Every action ran and finished: loads swapped, drains released, stops exited. */
  settled(): boolean;
}

/**
 * Schedules the scenario's lifecycle block. Actions run one at a time, as Triton serialises
 * concurrent load/unload of one model (core PR #236): one that comes due while a reload builds
 * or a drain waits starts once that one took effect.
 */
export function scheduleLifecycle(scenario: Scenario, loop: Clock & Timers, recorder: TraceRecorder, server: ModelServer): LifecycleProgress {
  const waiting: LifecycleEvent[] = [];
  let busy = false;
  let started = 0;
  const stops = { exiting: 0 };
  const next = (): void => {
    const event = waiting.shift();
    if (event === undefined) {
      busy = false;
      return;
    }
    busy = true;
    run(event, next);
  };
  const run = (event: LifecycleEvent, done: () => void): void => {
    if (event.kind === 'stop') {
      stop(event, loop, recorder, server, stops);
      done();
    } else if (event.kind === 'unload') {
      server.unload();
      done();
    } else if (event.policy === 'drain' && server.ready !== undefined) {
      server.drain = new DrainRouter(server, loop, event, server.ready, done);
    } else {
      server.load(event, done);
    }
  };
  for (const event of scenario.lifecycle) {
    loop.schedule(event.atUs, { label: `lifecycle:${event.kind}` }, () => {
      started++;
      waiting.push(event);
      if (!busy) next();
    });
  }
  return { settled: () => started === scenario.lifecycle.length && !busy && waiting.length === 0 && stops.exiting === 0 };
}

/**
 * Server stop (spec §11): new STARTs are refused from `at_us`; Triton then waits, polling each
 * second, until no sequence holds a slot without its END enqueued, or the exit timeout passes.
 * seqsim records that moment as `lifecycle` "exit" (with `forced` when the timeout hit) but keeps
 * simulating, so every request stays accounted for by the oracles (a real server would close its
 * connections there); the run then ends with every model object destroyed (destroyAtExit).
 */
function stop(event: StopEvent, loop: Clock & Timers, recorder: TraceRecorder, server: ModelServer, stops: { exiting: number }): void {
  server.stopSchedulers();
  stops.exiting++;
  const generation = server.ready?.number ?? server.latestGeneration;
  recorder.emit({ type: 'lifecycle', action: 'stop', generation });
  const deadlineUs = loop.nowUs() + event.exitTimeoutUs;
  const poll = (): void => {
    const inflight = server.inflightSequenceCount();
    if (inflight === 0 || loop.nowUs() >= deadlineUs) {
      recorder.emit({ type: 'lifecycle', action: 'exit', generation, forced: inflight > 0, inflight });
      server.exited = true;
      stops.exiting--;
      return;
    }
    loop.schedule(Math.min(loop.nowUs() + EXIT_POLL_US, deadlineUs), { label: 'lifecycle:exit-poll', about: deadlineUs }, poll);
  };
  poll();
}
