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

/** A sequence within one model object: the same id in two generations is two sequences. */
export function generationKey(key: string, generation: number | undefined): string {
  return generation === undefined ? key : `${key}@g${generation}`;
}

export function slotName(instance: number, slot: number): string {
  return `I${instance}/s${slot}`;
}

/** Index of what a run's events say, shared by the oracles. */
export class Ledger {
  readonly sent = new Map<string, SentRequest>();
  readonly executes: ExecutedBatch[] = [];
  readonly completeOk = new Map<number, { index: number; ok: boolean }>();

  /** `generation`: index only that model object's batches (per-generation oracles). */
  constructor(
    readonly events: readonly TraceEvent[],
    generation?: number,
  ) {
    events.forEach((event, index) => {
      if (generation !== undefined && (event.type === 'execute' || event.type === 'complete') && event.generation !== generation) return;
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
