import type { TraceEvent } from '../../src/core/events.ts';
import { Ledger } from './ledger.ts';
import { checkRouting } from './routing.ts';
import { checkControlSignals } from './control-signals.ts';
import { checkResponses } from './responses.ts';
import { checkOutputs } from './outputs.ts';
import { checkBatchShape } from './batch-shape.ts';
import { checkReaperTiming } from './reaper-timing.ts';
import { ViolationSink, type OracleContext, type Violation } from './types.ts';

export type { OracleContext, OracleName, Violation } from './types.ts';
export { checkRouting, checkControlSignals, checkResponses, checkOutputs, checkBatchShape, checkReaperTiming };

/** Runs every oracle of design §3 over a run's events, in a fixed order. */
export function checkTrace(events: readonly TraceEvent[], context: OracleContext): Violation[] {
  const ledger = new Ledger(events);
  const quiescent = context.runEnded === 'quiescent';
  const totalSlots = context.model.instanceCount * context.model.slotsPerInstance;
  const routing = checkRouting(events, ledger, totalSlots);
  const accounting = new ViolationSink('slot-accounting');
  if (quiescent && routing.heldAtEnd.length > 0) {
    accounting.add(`${routing.heldAtEnd.length} slot(s) still held after the run went quiescent (slot leak)`, [events.length - 1]);
  }
  const liveness = new ViolationSink('liveness');
  if (context.runEnded === 'budget-exhausted') {
    const answered = new Set(events.flatMap((e) => (e.type === 'response' ? [e.request] : [])));
    const missing = [...ledger.sent.values()].filter((s) => !answered.has(s.request));
    const budget = context.realClock !== undefined ? `its real-time limit of ${context.realClock.durationMs} ms` : `its event budget of ${context.maxEvents} events`;
    liveness.add(
      `run did not finish within ${budget}; ${missing.length} request(s) unanswered` +
        (missing.length > 0 ? `: ${missing.slice(0, 10).map((s) => s.request).join(', ')}${missing.length > 10 ? ', …' : ''}` : ''),
      missing.slice(0, 10).map((s) => s.index),
    );
  } else if (quiescent) {
    for (const waiting of routing.backlogAtEnd) {
      liveness.add(`sequence ${waiting.sequenceKey} waited in the backlog and never got a slot nor an answer`, [waiting.index]);
    }
  }
  return [
    ...routing.violations,
    ...checkControlSignals(ledger, context.model),
    ...accounting.done(),
    ...checkResponses(events, ledger, quiescent),
    ...(context.referenceOutputs === false ? [] : checkOutputs(events, ledger, context.model)),
    ...checkBatchShape(ledger, context.model),
    ...liveness.done(),
    ...checkReaperTiming(events, ledger, context.model, context.realClock?.timerSlackUs ?? 0),
  ];
}
