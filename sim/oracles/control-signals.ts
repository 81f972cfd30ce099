import type { ModelConfig } from '../../src/config/types.ts';
import type { TraceRow } from '../../src/core/events.ts';
import { carriesExpectedCorrid, carriesPaddingCorrid, expectedCorrid, expectedPaddingCorrid, showCorrid, tracedCorrid } from './expected-corrid.ts';
import type { ExecutedBatch, Ledger, SentBook, SentRequest } from './ledger.ts';
import { ViolationSink, type Violation } from './types.ts';

/**
 * START and END exactly on the rows of requests the client sent with them, READY=1 on real rows
 * and 0 on padding, CORRID equal to the sequence id as the CORRID data type carries it (0 on
 * padding) — design §3 oracle 3. The expected CORRID comes from the oracle's own conversion
 * (expected-corrid.ts), never from the batcher's.
 */
export class ControlSignalsOracle {
  private readonly sink = new ViolationSink('control-signals');
  private readonly padCorrid: ReturnType<typeof expectedPaddingCorrid>;

  constructor(
    private readonly sent: SentBook,
    private readonly model: ModelConfig,
  ) {
    this.padCorrid = expectedPaddingCorrid(model.controls.corrid);
  }

  onBatch(batch: ExecutedBatch): void {
    const sent = this.sent;
    const rows = batch.rows;
    const numbers = sent.ids.internRows(rows);
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i]!;
      if (row.request === null) {
        if (row.ready || row.start || row.end || !carriesPaddingCorrid(this.padCorrid, row.corrid)) this.paddingViolations(batch, row);
        continue;
      }
      const number = numbers[i]!;
      if (
        !sent.isSent(number) ||
        !row.ready ||
        row.start !== sent.startOf(number) ||
        row.end !== sent.endOf(number) ||
        !carriesExpectedCorrid(this.model.controls.corrid, sent.sequenceIdOf(number), row.corrid)
      ) {
        this.requestViolations(batch, row, sent.at(number));
      }
    }
  }

  /** The messages are made only for a row found wrong (most rows are right). */
  private paddingViolations(batch: ExecutedBatch, row: TraceRow): void {
    const where = whereOf(batch, row);
    if (row.ready || row.start || row.end)
      this.sink.add(`padding row in ${where} has READY=${+row.ready} START=${+row.start} END=${+row.end}; all must be 0`, [batch.index]);
    const carried = tracedCorrid(row.corrid);
    if (carried !== this.padCorrid)
      this.sink.add(`padding row in ${where} carries CORRID ${showCorrid(carried)}, expected ${showCorrid(this.padCorrid)}`, [batch.index]);
  }

  private requestViolations(batch: ExecutedBatch, row: TraceRow, sent: SentRequest | undefined): void {
    const sink = this.sink;
    const where = whereOf(batch, row);
    if (sent === undefined) {
      sink.add(`row in ${where} runs request ${row.request}, which no client sent`, [batch.index]);
      return;
    }
    if (!row.ready) sink.add(`request ${row.request} in ${where} has READY=0`, [batch.index]);
    if (row.start !== sent.start)
      sink.add(`request ${row.request} in ${where} has START=${+row.start} but was sent with START=${+sent.start}`, [sent.index, batch.index]);
    if (row.end !== sent.end) sink.add(`request ${row.request} in ${where} has END=${+row.end} but was sent with END=${+sent.end}`, [sent.index, batch.index]);
    const expected = expectedCorrid(this.model.controls.corrid, sent.sequence);
    const carried = tracedCorrid(row.corrid);
    if (carried !== expected)
      sink.add(`request ${row.request} in ${where} carries CORRID ${showCorrid(carried)}, expected ${showCorrid(expected)}`, [batch.index]);
  }

  done(): Violation[] {
    return this.sink.done();
  }
}

function whereOf(batch: ExecutedBatch, row: TraceRow): string {
  return `batch ${batch.batch} I${batch.instance} slot ${row.slot}`;
}

/** ControlSignalsOracle over a ledger's batches. */
export function checkControlSignals(ledger: Ledger, model: ModelConfig): Violation[] {
  const oracle = new ControlSignalsOracle(ledger.sent, model);
  for (const batch of ledger.executes) oracle.onBatch(batch);
  return oracle.done();
}
