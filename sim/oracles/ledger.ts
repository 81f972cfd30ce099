import type { TraceEvent, TraceRow } from '../../src/core/events.ts';
import { SentBook } from './books/sent-book.ts';

export { sequenceKey, SentBook, type SentRequest } from './books/sent-book.ts';

export interface ExecutedBatch {
  readonly index: number;
  readonly t: number;
  readonly instance: number;
  readonly batch: number;
  readonly rows: readonly TraceRow[];
}

/** A sequence within one model object: the same id in two generations is two sequences. */
export function generationKey(key: string, generation: number | undefined): string {
  return generation === undefined ? key : `${key}@g${generation}`;
}

/** Slot names made once (every executed row and slot event names one): instances × slots below these. */
const CACHED_INSTANCES = 64;
const CACHED_SLOTS = 1024;
const slotNames: string[][] = [];

export function slotName(instance: number, slot: number): string {
  if (!(instance >= 0 && instance < CACHED_INSTANCES && slot >= 0 && slot < CACHED_SLOTS && Number.isInteger(instance) && Number.isInteger(slot))) {
    return `I${instance}/s${slot}`;
  }
  let names = slotNames[instance];
  if (names === undefined) {
    names = [];
    slotNames[instance] = names;
  }
  let name = names[slot];
  if (name === undefined) {
    name = `I${instance}/s${slot}`;
    names[slot] = name;
  }
  return name;
}

/**
 * Index of what a run's events say, shared by the oracles. Built either over a whole trace
 * (post-hoc checks) or one event at a time (`observe`: the online checker, which keeps only
 * the requests sent and leaves batches to the oracles that see them go by).
 */
export class Ledger {
  readonly sent = new SentBook();
  readonly executes: ExecutedBatch[] = [];
  readonly completeOk = new Map<number, { index: number; ok: boolean }>();

  /** `generation`: index only that model object's batches (per-generation oracles). */
  constructor(
    events: readonly TraceEvent[] = [],
    private readonly generation?: number,
    /** false: keep no batches (the online checker's ledger). */
    private readonly keepBatches = true,
  ) {
    for (let index = 0; index < events.length; index++) this.observe(events[index]!, index);
  }

  observe(event: TraceEvent, index: number): void {
    if (event.type === 'send') {
      this.sent.record(event, index);
      return;
    }
    if (!this.keepBatches) return;
    if (this.generation !== undefined && (event.type === 'execute' || event.type === 'complete') && event.generation !== this.generation) return;
    if (event.type === 'execute') {
      this.executes.push(executedBatch(event, index));
    } else if (event.type === 'complete') {
      this.completeOk.set(event.batch, { index, ok: event.ok });
    }
  }
}

/** An execute event as the batch-level oracles see it. */
export function executedBatch(event: Extract<TraceEvent, { type: 'execute' }>, index: number): ExecutedBatch {
  return { index, t: event.t, instance: event.instance, batch: event.batch, rows: event.rows };
}
