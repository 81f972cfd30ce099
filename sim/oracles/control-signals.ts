import type { ModelConfig } from '../../src/config/types.ts';
import { correlationIdFromScenario } from '../../src/core/ids.ts';
import { corridValue, paddingCorrid } from '../../src/batcher/controls.ts';
import type { Ledger } from './ledger.ts';
import { ViolationSink, type Violation } from './types.ts';

/**
 * START and END exactly on the rows of requests the client sent with them, READY=1 on real rows
 * and 0 on padding, CORRID equal to the sequence id as the CORRID data type carries it (0 on
 * padding) — design §3 oracle 3.
 */
export function checkControlSignals(ledger: Ledger, model: ModelConfig): Violation[] {
  const sink = new ViolationSink('control-signals');
  const padCorrid = JSON.stringify(paddingCorrid(model.controls.corrid));
  for (const batch of ledger.executes) {
    for (const row of batch.rows) {
      const where = `batch ${batch.batch} I${batch.instance} slot ${row.slot}`;
      if (row.request === null) {
        if (row.ready || row.start || row.end)
          sink.add(`padding row in ${where} has READY=${+row.ready} START=${+row.start} END=${+row.end}; all must be 0`, [batch.index]);
        if (JSON.stringify(row.corrid) !== padCorrid)
          sink.add(`padding row in ${where} carries CORRID ${JSON.stringify(row.corrid)}, expected ${padCorrid}`, [batch.index]);
        continue;
      }
      const sent = ledger.sent.get(row.request);
      if (sent === undefined) {
        sink.add(`row in ${where} runs request ${row.request}, which no client sent`, [batch.index]);
        continue;
      }
      if (!row.ready) sink.add(`request ${row.request} in ${where} has READY=0`, [batch.index]);
      if (row.start !== sent.start)
        sink.add(`request ${row.request} in ${where} has START=${+row.start} but was sent with START=${+sent.start}`, [sent.index, batch.index]);
      if (row.end !== sent.end)
        sink.add(`request ${row.request} in ${where} has END=${+row.end} but was sent with END=${+sent.end}`, [sent.index, batch.index]);
      const expected = JSON.stringify(corridValue(model.controls.corrid, correlationIdFromScenario(sent.sequence)));
      if (JSON.stringify(row.corrid) !== expected)
        sink.add(`request ${row.request} in ${where} carries CORRID ${JSON.stringify(row.corrid)}, expected ${expected}`, [batch.index]);
    }
  }
  return sink.done();
}
