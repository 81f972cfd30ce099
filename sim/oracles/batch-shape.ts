import type { ModelConfig } from '../../src/config/types.ts';
import type { ExecutedBatch, Ledger } from './ledger.ts';
import { ViolationSink, type Violation } from './types.ts';

/**
 * Batches are valid (design §3 oracle 7): size ≤ max(1, max_batch_size); Direct: row k is slot k,
 * padding only below the highest occupied slot; Oldest: one request per sequence, no padding;
 * one batch in flight per instance.
 */
export class BatchShapeOracle {
  private readonly sink = new ViolationSink('batch-shape');
  private readonly limit: number;
  /** Per instance, the batch it executed last. */
  private readonly inFlight = new Map<number, number>();
  /** Batches completed and not yet looked at by their instance's next execute. */
  private readonly completed = new Set<number>();

  constructor(private readonly model: ModelConfig) {
    this.limit = model.strategy.kind === 'direct' ? model.slotsPerInstance : Math.max(1, model.maxBatchSize);
  }

  onComplete(batch: number): void {
    this.completed.add(batch);
  }

  onBatch(batch: ExecutedBatch): void {
    const sink = this.sink;
    const previous = this.inFlight.get(batch.instance);
    if (previous !== undefined) {
      if (!this.completed.has(previous)) sink.add(`${nameOf(batch)} started while batch ${previous} on the same instance was still executing`, [batch.index]);
      // Only an instance's latest batch is ever asked about: forget the rest (bounded books).
      this.completed.delete(previous);
    }
    this.inFlight.set(batch.instance, batch.batch);
    const rows = batch.rows;
    if (rows.length === 0) sink.add(`${nameOf(batch)} has no rows`, [batch.index]);
    if (rows.length > this.limit) sink.add(`${nameOf(batch)} has ${rows.length} rows; at most ${this.limit} fit`, [batch.index]);
    if (this.model.strategy.kind === 'direct') {
      for (let i = 0; i < rows.length; i++) {
        const row = rows[i]!;
        if (row.slot !== i) sink.add(`${nameOf(batch)}: row ${i} is slot ${row.slot}; Direct puts slot k at row k`, [batch.index]);
      }
      const last = rows[rows.length - 1];
      if (last !== undefined && last.request === null)
        sink.add(`${nameOf(batch)} ends with a padding row: Direct pads only below the highest ready slot`, [batch.index]);
    } else {
      // One request per sequence = one row per slot: two sequences may share an id (a new
      // START right after END), but never a slot.
      const slots = new Set<number>();
      for (const row of rows) {
        if (row.request === null) sink.add(`${nameOf(batch)} has a padding row: Oldest never pads`, [batch.index]);
        if (slots.has(row.slot)) sink.add(`${nameOf(batch)} holds two requests of the sequence in slot ${row.slot}`, [batch.index]);
        slots.add(row.slot);
      }
    }
  }

  done(): Violation[] {
    return this.sink.done();
  }
}

/** How a message names a batch (made only for a message: most batches are fine). */
function nameOf(batch: ExecutedBatch): string {
  return `batch ${batch.batch} on I${batch.instance}`;
}

/** BatchShapeOracle over a ledger's batches, each complete taken in trace order. */
export function checkBatchShape(ledger: Ledger, model: ModelConfig): Violation[] {
  const oracle = new BatchShapeOracle(model);
  const completes = [...ledger.completeOk].map(([batch, complete]) => ({ batch, index: complete.index })).sort((a, b) => a.index - b.index);
  let next = 0;
  for (const batch of ledger.executes) {
    while (next < completes.length && completes[next]!.index < batch.index) oracle.onComplete(completes[next++]!.batch);
    oracle.onBatch(batch);
  }
  return oracle.done();
}
