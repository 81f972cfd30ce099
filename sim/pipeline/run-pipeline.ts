/*
 * How every checked run ends — simulated (sim/simulate.ts), live (live/run-live.ts), served
 * (live/http/kserve-server.ts) — one way:
 *   1. the run stops: its loop went quiescent, ran out of budget (events or real time), stalled,
 *      or a batcher invariant broke (an InvariantError stops the run; anything else is a bug and
 *      propagates);
 *   2. the oracles check the recorded events; a broken invariant is reported first, like an oracle;
 *   3. the header records seed, normalised scenario, clock and options (header-options.ts);
 *   4. one violation event per failure is appended at the end time, and the trace is serialised
 *      with its hash (traces/writer.ts); runs that switch models add `interrupted` to the summary.
 * A runner builds its world and runs it; then it calls finishRun with what it recorded.
 */
import type { TraceEvent } from '../../src/core/events.ts';
import { InvariantError } from '../../src/core/assert.ts';
import { finishTrace, makeHeader, type TraceHeader } from '../../traces/writer.ts';
import type { RunOutcome } from '../kernel/event-queue.ts';
import { analyzeTrace, type LifecycleReport, type TraceChecker } from '../oracles/index.ts';
import type { CheckedTrace, OracleContext, RunEnd, Violation } from '../oracles/types.ts';

/** How a run stopped: the loop's own ending, or the invariant that broke (then `ended` is 'aborted'). */
export interface RunStop {
  readonly ended: RunEnd;
  readonly broken: InvariantError | undefined;
}

/** Runs a synchronous loop; a broken batcher invariant stops the run instead of crashing the caller (explorers go on). */
export function runUntilStopped(run: () => RunOutcome): RunStop {
  try {
    return { ended: run(), broken: undefined };
  } catch (error) {
    // A batcher assertion fails at the bug (Tiger Style): report it like an oracle, with the
    // trace up to that point.
    if (!(error instanceof InvariantError)) throw error;
    return { ended: 'aborted', broken: error };
  }
}

/**
 * An asynchronous loop's stop (live, served): `failure` is the error a task threw, if one did.
 * A broken invariant is reported like an oracle; any other error is a bug and is rethrown.
 */
export function stopOf(ended: RunEnd, failure: unknown): RunStop {
  if (failure === undefined) return { ended, broken: undefined };
  if (!(failure instanceof InvariantError)) throw failure;
  return { ended: 'aborted', broken: failure };
}

/** What the oracles concluded: violations, and the lifecycle report when the scenario manages the model. */
export interface OracleVerdict {
  readonly violations: readonly Violation[];
  readonly lifecycle: LifecycleReport | undefined;
}

/** What a runner recorded, handed to finishRun. */
export interface RecordedRun {
  /** The recorder's events, without violation events. */
  readonly events: readonly TraceEvent[];
  readonly stop: RunStop;
  /** When the run ended (its clock's µs): violation events are stamped with it. */
  readonly endUs: number;
  /**
   * What the oracles need besides how the run ended; undefined for a run that recorded nothing
   * (a benchmark's): no check, no invariant report, no trace.
   */
  readonly oracles: Omit<OracleContext, 'runEnded'> | undefined;
  /** The ending the oracles judge, where it differs from the loop's (a server stopped with sequences open). */
  readonly judgedEnd?: RunEnd;
  readonly header: {
    readonly seed: number;
    readonly scenario: Readonly<Record<string, unknown>>;
    /** Encoded with header-options.ts. */
    readonly options: Readonly<Record<string, unknown>>;
    readonly clock: 'virtual' | 'real';
  };
  /** false: check the oracles but skip the lines and hash (explorers' clean seeds). */
  readonly serialize?: boolean;
  /** Other oracles than the simulator's full set (a client-side run sees only what clients see). */
  readonly check?: (events: readonly TraceEvent[], context: OracleContext) => OracleVerdict;
}

/** A finished run: the checked trace, and the lifecycle report when the scenario manages the model. */
export interface FinishedRun extends CheckedTrace {
  readonly lifecycle: LifecycleReport | undefined;
}

/** Step 2 above: the oracles' verdict, a broken invariant first (a runner that streams its own trace stops here). */
export function judgeRun(run: Pick<RecordedRun, 'events' | 'stop' | 'oracles' | 'judgedEnd' | 'check'>): OracleVerdict {
  const { events, stop } = run;
  if (run.oracles === undefined) return { violations: [], lifecycle: undefined };
  const violations: Violation[] = [];
  if (stop.broken !== undefined) violations.push(invariantViolation(stop.broken, events.length));
  const check = run.check ?? analyzeTrace;
  const verdict = check(events, { ...run.oracles, runEnded: stop.broken !== undefined ? 'aborted' : (run.judgedEnd ?? stop.ended) });
  violations.push(...verdict.violations);
  return { violations, lifecycle: verdict.lifecycle };
}

/** Step 2 for a run checked online as it went (simulateToFile): the checker's verdict, a broken invariant first. */
export function judgeOnline(checker: TraceChecker, stop: RunStop): OracleVerdict {
  const violations: Violation[] = [];
  if (stop.broken !== undefined) violations.push(invariantViolation(stop.broken, checker.events));
  const verdict = checker.finish(stop.broken !== undefined ? 'aborted' : stop.ended);
  violations.push(...verdict.violations);
  return { violations, lifecycle: verdict.lifecycle };
}

/** A broken batcher invariant, reported like an oracle at the line after the last event. */
function invariantViolation(broken: InvariantError, eventCount: number): Violation {
  return { oracle: 'invariant', message: `the batcher broke an invariant: ${broken.invariant}`, events: [eventCount] };
}

/** Steps 2–4 above: checks, header, violation events, serialisation. */
export function finishRun(run: RecordedRun): FinishedRun {
  const { violations, lifecycle } = judgeRun(run);
  const header: TraceHeader = makeHeader(run.header.seed, run.header.scenario, run.header.options, run.header.clock);
  const trace = finishTrace(header, run.events, violations, run.endUs, {
    serialize: run.oracles !== undefined && run.serialize !== false,
    // `interrupted` only in runs that switch models (TRACE.md), so other traces keep their bytes.
    ...(lifecycle !== undefined ? { summaryExtra: { interrupted: lifecycle.interrupted.length } } : {}),
  });
  return { header, ...trace, violations: [...violations], lifecycle };
}
