import type { TraceEvent, TraceRow } from '../../src/core/events.ts';
import type { ScenarioId } from '../../src/core/ids.ts';

/** A request as the client sent it. */
export interface SentRequest {
  readonly index: number;
  readonly request: string;
  readonly sequenceKey: string;
  readonly sequence: ScenarioId;
  readonly start: boolean;
  readonly end: boolean;
  readonly value: number;
  /** For a client's retry: the request id of the step's first attempt. */
  readonly retryOf: string | undefined;
}

export interface ExecutedBatch {
  readonly index: number;
  readonly t: number;
  readonly instance: number;
  readonly batch: number;
  readonly rows: readonly TraceRow[];
}

/** Sequence identity in the trace: uint64 5 and string "5" differ, as in Triton. */
export function sequenceKey(sequence: ScenarioId): string {
  return JSON.stringify(sequence);
}

export function slotName(instance: number, slot: number): string {
  return `I${instance}/s${slot}`;
}

/** Index of what a run's events say, shared by the oracles. */
export class Ledger {
  readonly sent = new Map<string, SentRequest>();
  readonly executes: ExecutedBatch[] = [];
  readonly completeOk = new Map<number, { index: number; ok: boolean }>();

  constructor(readonly events: readonly TraceEvent[]) {
    events.forEach((event, index) => {
      if (event.type === 'send') {
        this.sent.set(event.request, {
          index,
          request: event.request,
          sequenceKey: sequenceKey(event.sequence),
          sequence: event.sequence,
          start: event.start,
          end: event.end,
          value: event.value,
          retryOf: event.retry_of,
        });
      } else if (event.type === 'execute') {
        this.executes.push({ index, t: event.t, instance: event.instance, batch: event.batch, rows: event.rows });
      } else if (event.type === 'complete') {
        this.completeOk.set(event.batch, { index, ok: event.ok });
      }
    });
  }
}
