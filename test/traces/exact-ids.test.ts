import { describe, expect, it } from 'vitest';
import { parseScenario } from '../../src/scenario/load.ts';
import { simulate } from '../../sim/simulate.ts';
import { traceText } from '../../traces/writer.ts';
import { parseTrace } from '../../traces/read.ts';
import { replayTrace } from '../../sim/replay.ts';

const MAX = '18446744073709551615';

function bigIdTrace(): string {
  const scenario = parseScenario(
    {
      name: 'big-ids',
      model: {
        name: 'm',
        max_batch_size: 2,
        sequence_batching: {
          control_input: [
            { name: 'START', control: [{ kind: 'CONTROL_SEQUENCE_START', int32_false_true: [0, 1] }] },
            { name: 'END', control: [{ kind: 'CONTROL_SEQUENCE_END', int32_false_true: [0, 1] }] },
            { name: 'READY', control: [{ kind: 'CONTROL_SEQUENCE_READY', int32_false_true: [0, 1] }] },
            { name: 'CORRID', control: [{ kind: 'CONTROL_SEQUENCE_CORRID', data_type: 'TYPE_UINT64' }] },
          ],
        },
      },
      sequences: [MAX, '9007199254740993'].map((u64) => ({ id: { u64 }, steps: [{ value: 1, start: true }, { value: 2 }, { value: 3, end: true }] })),
    },
    '<test>',
    '.',
  );
  return traceText(simulate(scenario, { seed: 1 }));
}

describe('ids beyond 2^53 in traces', () => {
  it('are written as exact decimal strings, read back and replayed bit for bit, with the outputs of the exact ids', () => {
    const text = bigIdTrace();
    expect(text).toContain(`"corrid":{"u64":"${MAX}"}`);
    const trace = parseTrace(text, 'big.jsonl');
    expect(replayTrace(trace, 'big.jsonl').identical).toBe(true);
    // 1, 2, 3 sums to 6; the END row adds the id's low 32 bits as INT32: 2^64 − 1 adds −1, 2^53 + 1 adds 1.
    const outputs = trace.events.flatMap((e) => (e.type === 'response' && 'output' in e ? [`${e.request}=${e.output}`] : []));
    expect(outputs).toContain(`${MAX}:2=5`);
    expect(outputs).toContain('9007199254740993:2=7');
  });

  it.each([
    ['a CORRID', `"corrid":{"u64":"${MAX}"}`, `"corrid":${MAX}`, /corrid: not a value of any form/],
    ['a sequence id', `"sequence":{"u64":"${MAX}"}`, `"sequence":${MAX}`, /sequence: not a value of any form/],
    ['a {u64} that is not decimal', `"corrid":{"u64":"${MAX}"}`, '"corrid":{"u64":"0x10"}', /corrid.u64: must match pattern/],
  ])('refuses %s (JSON numbers hold only integers below 2^53 exactly)', (_what, exact, lossy, message) => {
    const text = bigIdTrace().replace(exact, lossy);
    expect(() => parseTrace(text, 'edited.jsonl')).toThrow(message);
  });
});
