import { describe, expect, it, vi } from 'vitest';
import type { CorrelationId } from '../../src/core/ids.ts';
import type { CorridControl } from '../../src/config/types.ts';
import type { TraceEvent } from '../../src/core/events.ts';

/*
 * The oracles must derive what they expect without the code they judge. Here the batcher's own
 * CORRID conversion is replaced by a lossy one (the id through a JS number, as a bug would do it)
 * and the scheduler's exported backlog re-check period by a wrong one. An oracle that reused either
 * would agree with the bug; ours must not.
 */
vi.mock('../../src/batcher/controls.ts', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../src/batcher/controls.ts')>();
  const lossy = (control: CorridControl | undefined, id: CorrelationId) => {
    if (id.kind === 'str' || control?.dataType === 'TYPE_STRING') return original.corridValue(control, id);
    const rounded = Number(id.value);
    if (control?.dataType === 'TYPE_UINT32') return rounded % 2 ** 32;
    if (control?.dataType === 'TYPE_INT32') return (rounded % 2 ** 32) | 0;
    return rounded;
  };
  return { ...original, corridValue: lossy };
});
vi.mock('../../src/batcher/reaper.ts', async (importOriginal) => ({
  ...(await importOriginal<typeof import('../../src/batcher/reaper.ts')>()),
  BACKLOG_IDLE_RECHECK_US: 100_000,
}));

const { checkTrace } = await import('../../sim/oracles/index.ts');
const { corridValue } = await import('../../src/batcher/controls.ts');
const { BACKLOG_IDLE_RECHECK_US } = await import('../../src/batcher/reaper.ts');
const { parseScenario } = await import('../../src/scenario/load.ts');
const { simulate } = await import('../../sim/simulate.ts');
const { u64Id } = await import('../../src/core/ids.ts');

function scenarioWith(corrid: string, id: number | { u64: string }) {
  return parseScenario(
    {
      name: 'lossy-corrid',
      model: {
        name: 'm',
        max_batch_size: 1,
        sequence_batching: {
          control_input: [
            { name: 'START', control: [{ kind: 'CONTROL_SEQUENCE_START', int32_false_true: [0, 1] }] },
            { name: 'END', control: [{ kind: 'CONTROL_SEQUENCE_END', int32_false_true: [0, 1] }] },
            { name: 'READY', control: [{ kind: 'CONTROL_SEQUENCE_READY', int32_false_true: [0, 1] }] },
            { name: 'CORRID', control: [{ kind: 'CONTROL_SEQUENCE_CORRID', data_type: corrid }] },
          ],
        },
      },
      sequences: [
        {
          id,
          steps: [
            { value: 1, start: true },
            { value: 2, end: true },
          ],
        },
      ],
    },
    '<test>',
    '.',
  );
}

describe('oracles judge independently of the batcher', () => {
  it.each([
    ['TYPE_UINT64', '9007199254740993', '9007199254740993'],
    ['TYPE_UINT32', '18446744073709551615', '4294967295'],
    ['TYPE_INT32', '18446744073709551615', '-1'],
    ['TYPE_INT64', '18446744073709551615', '-1'],
  ])('control-signals catches a batcher that sends a %s CORRID through a JS number (id %s)', (type, id, expected) => {
    const scenario = scenarioWith(type, { u64: id });
    const run = simulate(scenario, { seed: 1 });
    const events = run.events.filter((e) => e.type !== 'violation');
    const rows = events.flatMap((e) => (e.type === 'execute' ? e.rows : []));
    // The mutated batcher really is wrong, and an oracle using its conversion would agree with it.
    expect(rows.length).toBe(2);
    for (const row of rows) expect(row.corrid).toEqual(corridValue(scenario.model.controls.corrid, u64Id(BigInt(id))));
    const messages = checkTrace(events, { model: scenario.model, runEnded: 'quiescent', maxEvents: 1000 })
      .filter((v) => v.oracle === 'control-signals')
      .map((v) => v.message);
    expect(messages).toHaveLength(2);
    for (const message of messages) expect(message).toMatch(new RegExp(`carries CORRID ~?-?\\d+, expected ${expected}$`));
  });

  it('reaper-timing holds Triton to its 50 ms backlog re-check, whatever period the scheduler exports', () => {
    expect(BACKLOG_IDLE_RECHECK_US).toBe(100_000);
    const scenario = parseScenario(
      {
        name: 'backlog-trap',
        model: { name: 'm', max_batch_size: 1, sequence_batching: { max_sequence_idle_microseconds: 1000 } },
        executor: { latency_us: 20_000 },
        sequences: [
          {
            id: 1,
            mode: 'stream',
            steps: [
              { value: 1, start: true },
              { value: 2, gap_us: 10 },
            ],
          },
          {
            id: 2,
            start_us: 100,
            mode: 'stream',
            steps: [
              { value: 1, start: true },
              { value: 2, gap_us: 100 },
            ],
          },
        ],
      },
      '<test>',
      '.',
    );
    const events = simulate(scenario, { seed: 1 }).events.filter((e) => e.type !== 'violation');
    const context = { model: scenario.model, runEnded: 'quiescent' as const, maxEvents: 10_000 };
    const reaperViolations = (trace: TraceEvent[]) => checkTrace(trace, context).filter((v) => v.oracle === 'reaper-timing');
    expect(reaperViolations(events)).toEqual([]);
    const promotedUs = events.find((e) => e.type === 'assign' && e.sequence === 2)!.t;
    const late = events.map((e) => (e.type === 'reap' && e.sequence === 2 ? { ...e, t: promotedUs + 60_000 } : e));
    expect(reaperViolations(late).map((v) => v.message)).toEqual([
      `sequence 2 reaped at ${promotedUs + 60_000} µs; it left the backlog idle at ${promotedUs} µs, so Triton reaps it within 50000 µs`,
    ]);
  });
});
