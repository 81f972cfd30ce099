import type { TraceEvent } from '../../src/core/events.ts';
import type { TraceHeader } from '../../traces/writer.ts';
import type { ModelConfig } from '../../src/config/types.ts';
import { assert } from '../../src/core/assert.ts';
import type { RunOutcome } from '../kernel/event-queue.ts';

/** How a run ended: quiescent, out of event budget (or real-time limit), stalled, or stopped by a broken batcher invariant. */
export type RunEnd = RunOutcome | 'aborted';

export type OracleName =
  | 'affinity'
  | 'order'
  | 'control-signals'
  | 'slot-accounting'
  | 'response'
  | 'outputs'
  | 'batch-shape'
  | 'liveness'
  /** Spec conformance: the reaper reaps when Triton would (see reaper-timing.ts). */
  | 'reaper-timing'
  /** Model switches (lifecycle load/unload): state carried, nothing lost, interruptions reported. */
  | 'lifecycle'
  /** A batcher assertion failed during the run (reported by the simulator, not an oracle pass). */
  | 'invariant'
  /** Live mode: a request's output differs from the simulated run of the same scenario. */
  | 'live-vs-sim'
  /** Client-side (`seqsim drive`): an error, or its absence, differs from what Triton answers for what was sent. */
  | 'errors';

/** One failed check; `events` are 0-based trace line indices (line 0 is the header). */
export interface Violation {
  readonly oracle: OracleName;
  readonly message: string;
  readonly events: readonly number[];
}

/**
 * A checked run as a trace: header, events (violation events last), its serialised lines and hash,
 * and the violations. Simulated, live and served runs all produce one.
 */
export interface CheckedTrace {
  readonly header: TraceHeader;
  /** Run events followed by violation events; line i+1 of the trace is events[i]. */
  readonly events: readonly TraceEvent[];
  readonly lines: readonly string[];
  readonly hash: string;
  readonly violations: readonly Violation[];
}

export interface OracleContext {
  readonly model: ModelConfig;
  /** How the run ended: checks that need quiescence only apply to quiescent runs. */
  readonly runEnded: RunEnd;
  readonly maxEvents: number;
  /**
   * Live mode: real timers fire late, so timing checks accept up to `timerSlackUs` of lateness,
   * and a run that did not finish is reported against its real-time limit, not an event budget.
   */
  readonly realClock?: { readonly timerSlackUs: number; readonly durationMs: number };
  /** false: the model has no reference function (a user's own ONNX model): skip the outputs oracle. */
  readonly referenceOutputs?: boolean;
  /**
   * The scenario manages the model (lifecycle load/unload): the config of each model object,
   * generation g at index g-1. Oracles then keep per-generation books and the lifecycle oracle runs.
   * An online checker (TraceChecker) may be handed an array that grows as the run creates model
   * objects, as long as each generation is there before its first event.
   */
  readonly generationModels?: readonly ModelConfig[];
  /** --strict-lifecycle: every sequence a reload or unload interrupted is a violation. */
  readonly strictLifecycle?: boolean;
}

/** Collects violations of one oracle, capped so one bug does not flood the trace. */
export class ViolationSink {
  private readonly found: Violation[] = [];
  private suppressed = 0;

  constructor(
    private readonly oracle: OracleName,
    private readonly cap = 20,
  ) {}

  /** `eventIndices` index the events array; they are stored as trace line numbers (+1). */
  add(message: string, eventIndices: readonly number[]): void {
    if (this.found.length >= this.cap) {
      this.suppressed++;
      return;
    }
    this.found.push({ oracle: this.oracle, message, events: eventIndices.map((i) => i + 1) });
  }

  done(): Violation[] {
    if (this.suppressed > 0) this.found.push({ oracle: this.oracle, message: `and ${this.suppressed} more`, events: [] });
    return this.found;
  }

  /**
   * Sinks of one oracle filled side by side (online), reported as if each had been filled after
   * the one before: the first `cap` violations in that order, then how many more.
   */
  static joined(...sinks: readonly ViolationSink[]): Violation[] {
    const first = sinks[0];
    assert(first !== undefined && sinks.every((sink) => sink.oracle === first.oracle && sink.cap === first.cap), 'joined sinks belong to one oracle');
    const kept: Violation[] = [];
    let total = 0;
    for (const sink of sinks) {
      total += sink.found.length + sink.suppressed;
      for (const violation of sink.found) if (kept.length < first.cap) kept.push(violation);
    }
    if (total > kept.length) kept.push({ oracle: first.oracle, message: `and ${total - kept.length} more`, events: [] });
    return kept;
  }
}
