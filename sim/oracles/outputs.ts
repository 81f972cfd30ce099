import type { TraceEvent, TraceRow } from '../../src/core/events.ts';
import type { ModelConfig } from '../../src/config/types.ts';
import { accumulate } from '../../src/model/reference.ts';
import { accumulatorOf } from '../executor.ts';
import { CLIENT_TIMEOUT_PREFIX } from '../clients.ts';
import { slotName, type Ledger } from './ledger.ts';
import { ViolationSink, type Violation } from './types.ts';

type Expected = { kind: 'output'; value: number; index: number } | { kind: 'failed'; index: number } | { kind: 'unknown'; index: number };

/**
 * Outputs equal the reference accumulator's for what actually executed (design §3 oracle 6). The
 * slot states are replayed from the execute rows: START restarts from the initial value, padding
 * changes nothing, so a new occupant that sees its predecessor's state shows as a wrong sum.
 */
export function checkOutputs(events: readonly TraceEvent[], ledger: Ledger, model: ModelConfig): Violation[] {
  const sink = new ViolationSink('outputs');
  const accumulator = accumulatorOf(model);
  const state = new Map<string, number | 'poisoned'>();
  const expected = new Map<string, Expected>();
  const pendingRows = new Map<number, { instance: number; rows: readonly TraceRow[]; index: number }>();
  const cancelledSequences = new Set<string>();
  /** Oldest attaches state at dispatch: a dispatched START resets its slot even if it never runs. */
  const oldest = model.strategy.kind === 'oldest';
  const expiredSequences = new Set<string>();


  events.forEach((event, index) => {
    switch (event.type) {
      case 'dispatch': {
        const sent = ledger.sent.get(event.request);
        if (sent?.start) state.set(slotName(event.instance, event.slot), accumulator.initialValue);
        return;
      }
      case 'execute':
        pendingRows.set(event.batch, { instance: event.instance, rows: event.rows, index });
        return;
      case 'complete': {
        const batch = pendingRows.get(event.batch);
        if (batch === undefined) return;
        pendingRows.delete(event.batch);
        for (const row of batch.rows) {
          if (row.request === null) continue;
          if (!event.ok) {
            // What a failed execute left in the slot's state is unknown until the next START.
            expected.set(row.request, { kind: 'failed', index: batch.index });
            state.set(slotName(batch.instance, row.slot), 'poisoned');
            continue;
          }
          expected.set(row.request, replayRow(batch.instance, row, batch.index));
        }
        return;
      }
      case 'cancel': {
        const sent = ledger.sent.get(event.request);
        if (sent !== undefined) cancelledSequences.add(sent.sequenceKey);

        return;
      }
      case 'release':
        if (event.reason === 'expired') expiredSequences.add(JSON.stringify(event.sequence));
        return;
      case 'response':
        checkResponse(event, index);
        return;
      default:
        return;
    }
  });

  function replayRow(instance: number, row: TraceRow, index: number): Expected {
    const slot = slotName(instance, row.slot);
    const sent = ledger.sent.get(row.request!);
    if (sent === undefined) return { kind: 'unknown', index };
    const previous = state.get(slot);
    // Direct resets on START when the row is placed; Oldest did so at dispatch (above), so a
    // sequence whose START was cancelled inside the dynamic batcher continues from that reset.
    const resets = row.start && !oldest;
    if (!resets && previous === 'poisoned') return { kind: 'unknown', index };
    if (!resets && previous === undefined) {
      sink.add(`request ${row.request} continued on the state of ${slot}, which no START initialised (Triton would read uninitialised memory)`, [index]);
      state.set(slot, 'poisoned');
      return { kind: 'unknown', index };
    }
    const base = resets ? accumulator.initialValue : (previous as number);
    const step = accumulate(accumulator, { ready: row.ready, start: row.start, end: row.end, input: sent.value, corrid: row.corrid }, base);
    if (step.kind !== 'output') return { kind: 'unknown', index };
    state.set(slot, step.state);
    return { kind: 'output', value: step.output, index };
  }

  function checkResponse(event: Extract<TraceEvent, { type: 'response' }>, index: number): void {
    const sent = ledger.sent.get(event.request);
    if (sent === undefined) return;
    const want = expected.get(event.request);
    if ('output' in event) {
      if (want === undefined) sink.add(`request ${event.request} got output ${event.output} but never executed`, [index]);
      else if (want.kind === 'failed') sink.add(`request ${event.request} got output ${event.output} from a failed batch`, [want.index, index]);
      else if (want.kind === 'output' && !Object.is(want.value, event.output)) {
        sink.add(`request ${event.request} got ${event.output}, the reference accumulator gives ${want.value}`, [want.index, index]);
      }
      return;
    }
    const code = event.error.code;
    if (code === 'UNAVAILABLE' && event.error.message.startsWith(CLIENT_TIMEOUT_PREFIX)) {
      // seqsim's client gave up (only clients under a fault plan time out): a dropped or delayed
      // message, a stalled batch, or simply a long wait in the backlog. Under a fault plan a
      // request lost inside the server therefore shows as a timeout: check losses without faults.
      return;
    }
    if (want !== undefined && want.kind !== 'failed') {
      sink.add(`request ${event.request} executed successfully but the client got ${event.error.code}`, [want.index, index]);
      return;
    }
    const explained =
      want?.kind === 'failed' ||
      events.some((e) => e.type === 'reject' && e.request === event.request) ||
      (code === 'CANCELLED' && cancelledSequences.has(sent.sequenceKey)) ||
      (code === 'UNAVAILABLE' && expiredSequences.has(sent.sequenceKey));
    if (!explained) sink.add(`request ${event.request} got ${code} "${event.error.message}" with no cause (not rejected, cancelled, expired or failed)`, [index]);
  }

  return sink.done();
}
