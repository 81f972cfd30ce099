import type { TraceEvent } from '../../src/core/events.ts';
import { Ledger } from './ledger.ts';
import { checkRouting } from './routing.ts';
import { checkControlSignals } from './control-signals.ts';
import { checkResponses } from './responses.ts';
import { checkOutputs } from './outputs.ts';
import { checkBatchShape } from './batch-shape.ts';
import { checkReaperTiming } from './reaper-timing.ts';
import { checkLifecycle, type LifecycleReport } from './lifecycle.ts';
import type { ModelOf } from './outputs.ts';
import { ViolationSink, type OracleContext, type Violation } from './types.ts';
import type { ModelConfig } from '../../src/config/types.ts';

export type { OracleContext, OracleName, Violation } from './types.ts';
export type { LifecycleReport, InterruptedSequence } from './lifecycle.ts';
export { checkRouting, checkControlSignals, checkResponses, checkOutputs, checkBatchShape, checkReaperTiming };

/** Runs every oracle of design §3 over a run's events, in a fixed order. */
export function checkTrace(events: readonly TraceEvent[], context: OracleContext): Violation[] {
  return analyzeTrace(events, context).violations;
}

/** The oracles' verdict, plus the lifecycle report when the scenario manages the model. */
export function analyzeTrace(events: readonly TraceEvent[], context: OracleContext): { violations: Violation[]; lifecycle: LifecycleReport | undefined } {
  const ledger = new Ledger(events);
  const quiescent = context.runEnded === 'quiescent';
  const generations = context.generationModels;
  const modelOf: ModelConfig | ModelOf = generations === undefined ? context.model : (generation) => generations[(generation ?? 1) - 1] ?? context.model;
  const totalSlots = generations === undefined ? context.model.instanceCount * context.model.slotsPerInstance : undefined;
  const routing = checkRouting(events, ledger, totalSlots);
  const accounting = new ViolationSink('slot-accounting');
  if (quiescent && routing.heldAtEnd.length > 0) {
    accounting.add(`${routing.heldAtEnd.length} slot(s) still held after the run went quiescent (slot leak)`, [events.length - 1]);
  }
  const liveness = new ViolationSink('liveness');
  if (context.runEnded === 'budget-exhausted' || context.runEnded === 'stalled') {
    const answered = new Set(events.flatMap((e) => (e.type === 'response' ? [e.request] : [])));
    const missing = [...ledger.sent.values()].filter((s) => !answered.has(s.request));
    const budget =
      context.realClock !== undefined ? `its real-time limit of ${context.realClock.durationMs} ms` : `its event budget of ${context.maxEvents} events`;
    const ending =
      context.runEnded === 'stalled'
        ? "run stalled: only the idle reaper's polling was left, with no progress for longer than any timeout (it would have run to its event budget)"
        : `run did not finish within ${budget}`;
    liveness.add(
      `${ending}; ${missing.length} request(s) unanswered` +
        (missing.length > 0
          ? `: ${missing
              .slice(0, 10)
              .map((s) => s.request)
              .join(', ')}${missing.length > 10 ? ', …' : ''}`
          : ''),
      missing.slice(0, 10).map((s) => s.index),
    );
  } else if (quiescent) {
    for (const waiting of routing.backlogAtEnd) {
      liveness.add(`sequence ${waiting.sequenceKey} waited in the backlog and never got a slot nor an answer`, [waiting.index]);
    }
  }
  // Batch-level oracles check each model object's batches against its own config.
  const perGeneration = (check: (ledger: Ledger, model: ModelConfig) => Violation[]): Violation[] =>
    generations === undefined ? check(ledger, context.model) : generations.flatMap((model, index) => check(new Ledger(events, index + 1), model));
  const lifecycle = generations === undefined ? undefined : checkLifecycle(events, ledger, { strict: context.strictLifecycle === true, quiescent });
  const violations = [
    ...routing.violations,
    ...perGeneration(checkControlSignals),
    ...accounting.done(),
    ...checkResponses(events, ledger, quiescent),
    ...(context.referenceOutputs === false ? [] : checkOutputs(events, ledger, modelOf)),
    ...perGeneration(checkBatchShape),
    ...liveness.done(),
    ...checkReaperTiming(events, ledger, modelOf, context.realClock?.timerSlackUs ?? 0),
    ...(lifecycle?.violations ?? []),
  ];
  return { violations, lifecycle: lifecycle?.report };
}
