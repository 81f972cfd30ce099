import type { TraceEvent } from '../../src/core/events.ts';
import { Ledger, executedBatch, type SentRequest } from './ledger.ts';
import { checkRouting, RoutingOracle } from './routing.ts';
import { checkControlSignals, ControlSignalsOracle } from './control-signals.ts';
import { checkResponses, ResponsesOracle } from './responses.ts';
import { checkOutputs, OutputsOracle } from './outputs.ts';
import { checkBatchShape, BatchShapeOracle } from './batch-shape.ts';
import { checkReaperTiming, ReaperTimingOracle } from './reaper-timing.ts';
import { LifecycleOracle, type LifecycleReport } from './lifecycle.ts';
import type { ModelOf } from './outputs.ts';
import type { RunEnd } from './types.ts';
import { ViolationSink, type OracleContext, type Violation } from './types.ts';
import type { ModelConfig } from '../../src/config/types.ts';
import { assert } from '../../src/core/assert.ts';

export type { OracleContext, OracleName, Violation } from './types.ts';
export type { LifecycleReport, InterruptedSequence } from './lifecycle.ts';
export { checkRouting, checkControlSignals, checkResponses, checkOutputs, checkBatchShape, checkReaperTiming };

/** Runs every oracle of design §3 over a run's events, in a fixed order. */
export function checkTrace(events: readonly TraceEvent[], context: OracleContext): Violation[] {
  return analyzeTrace(events, context).violations;
}

/** The oracles' verdict, plus the lifecycle report when the scenario manages the model. */
export interface TraceVerdict {
  readonly violations: Violation[];
  readonly lifecycle: LifecycleReport | undefined;
}

/** Every oracle over a whole trace: TraceChecker fed each event, then finished. */
export function analyzeTrace(events: readonly TraceEvent[], context: OracleContext): TraceVerdict {
  const checker = new TraceChecker(context);
  for (const event of events) checker.observe(event);
  return checker.finish(context.runEnded);
}

/** The batch-level oracles of one model object: they see that object's batches only. */
interface BatchOracles {
  readonly controlSignals: ControlSignalsOracle;
  readonly batchShape: BatchShapeOracle;
}

/**
 * Every oracle as one online checker: fed each event as the run emits it (index = trace line - 1),
 * it keeps only the books the oracles need, never the events, so a run can stream its trace to
 * disk and still be checked in one pass. `finish` reports in a fixed order: routing, control
 * signals, slot accounting, responses, outputs, batch shape, liveness, reaper timing, lifecycle.
 */
export class TraceChecker {
  private readonly ledger = new Ledger([], undefined, false);
  private readonly routing: RoutingOracle;
  /** Per model object (generation; undefined when the scenario does not manage the model), made at its first batch. */
  private readonly batches = new Map<number | undefined, BatchOracles>();
  private readonly responses: ResponsesOracle;
  private readonly outputs: OutputsOracle | undefined;
  private readonly reaper: ReaperTimingOracle;
  private readonly lifecycle: LifecycleOracle | undefined;
  private count = 0;
  private finished = false;

  constructor(private readonly context: Omit<OracleContext, 'runEnded'>) {
    const generations = context.generationModels;
    const modelOf: ModelConfig | ModelOf = generations === undefined ? context.model : (generation) => generations[(generation ?? 1) - 1] ?? context.model;
    const totalSlots = generations === undefined ? context.model.instanceCount * context.model.slotsPerInstance : undefined;
    const sent = this.ledger.sent;
    this.routing = new RoutingOracle(this.ledger, totalSlots);
    this.responses = new ResponsesOracle(sent);
    this.outputs = context.referenceOutputs === false ? undefined : new OutputsOracle(sent, modelOf);
    this.reaper = new ReaperTimingOracle(sent, modelOf, context.realClock?.timerSlackUs ?? 0);
    this.lifecycle = generations === undefined ? undefined : new LifecycleOracle(this.ledger, { strict: context.strictLifecycle === true });
  }

  /** Events seen so far. */
  get events(): number {
    return this.count;
  }

  observe(event: TraceEvent): void {
    assert(!this.finished, 'a finished trace checker takes no more events');
    const index = this.count++;
    this.ledger.observe(event, index);
    this.routing.observe(event, index);
    if (event.type === 'execute' || event.type === 'complete') this.observeBatch(event, index);
    this.responses.observe(event, index);
    this.outputs?.observe(event, index);
    this.reaper.observe(event, index);
    this.lifecycle?.observe(event, index);
  }

  /** The verdict once the run is over (call once). */
  finish(runEnded: RunEnd): TraceVerdict {
    assert(!this.finished, 'a trace checker is finished once');
    this.finished = true;
    const context = this.context;
    const lastIndex = this.count - 1;
    const quiescent = runEnded === 'quiescent';
    const routing = this.routing.finish();
    const accounting = new ViolationSink('slot-accounting');
    if (quiescent && routing.heldAtEnd.length > 0) {
      accounting.add(`${routing.heldAtEnd.length} slot(s) still held after the run went quiescent (slot leak)`, [lastIndex]);
    }
    const liveness = new ViolationSink('liveness');
    if (runEnded === 'budget-exhausted' || runEnded === 'stalled') {
      const responses = this.responses;
      const missing: SentRequest[] = [];
      let unanswered = 0;
      const sent = this.ledger.sent;
      for (let i = 0; i < sent.size; i++) {
        const number = sent.sentAt(i);
        if (responses.answered(number)) continue;
        unanswered++;
        if (missing.length < 10) missing.push(sent.at(number)!);
      }
      const budget =
        context.realClock !== undefined ? `its real-time limit of ${context.realClock.durationMs} ms` : `its event budget of ${context.maxEvents} events`;
      const ending =
        runEnded === 'stalled'
          ? "run stalled: only the idle reaper's polling was left, with no progress for longer than any timeout (it would have run to its event budget)"
          : `run did not finish within ${budget}`;
      liveness.add(
        `${ending}; ${unanswered} request(s) unanswered` +
          (unanswered > 0 ? `: ${missing.map((s) => s.request).join(', ')}${unanswered > 10 ? ', …' : ''}` : ''),
        missing.map((s) => s.index),
      );
    } else if (quiescent) {
      for (const waiting of routing.backlogAtEnd) {
        liveness.add(`sequence ${waiting.sequenceKey} waited in the backlog and never got a slot nor an answer`, [waiting.index]);
      }
    }
    const lifecycle = this.lifecycle?.finish(quiescent);
    // Every model object reports, in generation order, whether or not it ran a batch.
    const generations = context.generationModels;
    const batches = generations === undefined ? [this.batchOracles(undefined)] : generations.map((_, index) => this.batchOracles(index + 1));
    const violations = [
      ...routing.violations,
      ...batches.flatMap((oracles) => oracles.controlSignals.done()),
      ...accounting.done(),
      ...this.responses.finish(quiescent),
      ...(this.outputs?.done() ?? []),
      ...batches.flatMap((oracles) => oracles.batchShape.done()),
      ...liveness.done(),
      ...this.reaper.done(),
      ...(lifecycle?.violations ?? []),
    ];
    return { violations, lifecycle: lifecycle?.report };
  }

  private observeBatch(event: Extract<TraceEvent, { type: 'execute' | 'complete' }>, index: number): void {
    // An unmanaged model has one object; a managed run's batches belong to their generation.
    const generations = this.context.generationModels;
    if (generations !== undefined && (event.generation === undefined || event.generation < 1 || event.generation > generations.length)) return;
    const oracles = this.batchOracles(generations === undefined ? undefined : event.generation);
    if (event.type === 'complete') oracles.batchShape.onComplete(event.batch);
    else {
      const batch = executedBatch(event, index);
      oracles.controlSignals.onBatch(batch);
      oracles.batchShape.onBatch(batch);
    }
  }

  /** Batch-level oracles check each model object's batches against its own config. */
  private batchOracles(generation: number | undefined): BatchOracles {
    let oracles = this.batches.get(generation);
    if (oracles === undefined) {
      const model = generation === undefined ? this.context.model : this.context.generationModels![generation - 1]!;
      oracles = { controlSignals: new ControlSignalsOracle(this.ledger.sent, model), batchShape: new BatchShapeOracle(model) };
      this.batches.set(generation, oracles);
    }
    return oracles;
  }
}
