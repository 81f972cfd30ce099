import type { ModelConfig } from '../../src/config/types.ts';
import type { Ledger } from './ledger.ts';
import { ViolationSink, type Violation } from './types.ts';

/**
 * Batches are valid (design §3 oracle 7): size ≤ max(1, max_batch_size); Direct: row k is slot k,
 * padding only below the highest occupied slot; Oldest: one request per sequence, no padding;
 * one batch in flight per instance.
 */
export function checkBatchShape(ledger: Ledger, model: ModelConfig): Violation[] {
  const sink = new ViolationSink('batch-shape');
  const limit = model.strategy.kind === 'direct' ? model.slotsPerInstance : Math.max(1, model.maxBatchSize);
  const inFlight = new Map<number, number>();
  const completeIndex = new Map<number, number>();
  for (const [batch, complete] of ledger.completeOk) completeIndex.set(batch, complete.index);
  for (const batch of ledger.executes) {
    const name = `batch ${batch.batch} on I${batch.instance}`;
    const previous = inFlight.get(batch.instance);
    if (previous !== undefined) {
      const done = completeIndex.get(previous);
      if (done === undefined || done > batch.index) sink.add(`${name} started while batch ${previous} on the same instance was still executing`, [batch.index]);
    }
    inFlight.set(batch.instance, batch.batch);
    const rows = batch.rows;
    if (rows.length === 0) sink.add(`${name} has no rows`, [batch.index]);
    if (rows.length > limit) sink.add(`${name} has ${rows.length} rows; at most ${limit} fit`, [batch.index]);
    if (model.strategy.kind === 'direct') {
      rows.forEach((row, i) => {
        if (row.slot !== i) sink.add(`${name}: row ${i} is slot ${row.slot}; Direct puts slot k at row k`, [batch.index]);
      });
      const last = rows[rows.length - 1];
      if (last !== undefined && last.request === null)
        sink.add(`${name} ends with a padding row: Direct pads only below the highest ready slot`, [batch.index]);
    } else {
      // One request per sequence = one row per slot: two sequences may share an id (a new
      // START right after END), but never a slot.
      const slots = new Set<number>();
      for (const row of rows) {
        if (row.request === null) sink.add(`${name} has a padding row: Oldest never pads`, [batch.index]);
        if (slots.has(row.slot)) sink.add(`${name} holds two requests of the sequence in slot ${row.slot}`, [batch.index]);
        slots.add(row.slot);
      }
    }
  }
  return sink.done();
}
