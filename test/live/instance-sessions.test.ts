import { describe, expect, it } from 'vitest';
import type * as ort from 'onnxruntime-node';
import { parseScenario } from '../../src/scenario/load.ts';
import { liveTensorSpec } from '../../live/tensor-spec.ts';
import { InstanceSessions } from '../../live/instance-sessions.ts';
import { OrtExecutor } from '../../live/ort-executor.ts';
import { Stopwatch } from '../../live/stopwatch.ts';
import type { Batch, ExecuteResult } from '../../src/core/ports.ts';

const scenario = parseScenario(
  {
    name: 'sessions',
    model: {
      name: 'acc',
      max_batch_size: 2,
      sequence_batching: { control_input: [{ name: 'READY', control: [{ kind: 'CONTROL_SEQUENCE_READY', int32_false_true: [0, 1] }] }], direct: {} },
    },
    sequences: [{ id: 1, steps: [{ value: 1, start: true, end: true }] }],
  },
  'sessions.json',
  '.',
);
const spec = liveTensorSpec(scenario.model, scenario.normalized['model'] as Record<string, unknown>);

/** A stand-in session that answers OUTPUT = STATE_OUT = 7 for every row. */
function fakeSession(runs: number[], name: number): ort.InferenceSession {
  return {
    run: async (feeds: Record<string, ort.Tensor>) => {
      runs.push(name);
      const rows = feeds[spec.input]!.dims[0]!;
      const column = { data: Int32Array.from({ length: rows }, () => 7), dims: [rows, 1] };
      return { [spec.output]: column, [spec.stateOutput]: column };
    },
  } as unknown as ort.InferenceSession;
}

function batchFor(instance: number): Batch {
  return {
    instance,
    batch: instance,
    rows: [
      { slot: 0, request: { id: `r${instance}`, input: 1 } as never, start: true, end: true, ready: true, corrid: 0, state: { initialized: true, value: 0 } },
    ],
  };
}

function executorOver(sessions: InstanceSessions): OrtExecutor {
  return new OrtExecutor(sessions, spec, { keepFeeds: false, hold: () => () => undefined, onLoop: (task) => task(), stopwatch: new Stopwatch() });
}

const executed = (executor: OrtExecutor, batch: Batch): Promise<ExecuteResult> => new Promise((resolve) => executor.execute(batch, resolve));

describe('instance sessions (live lifecycle)', () => {
  it('uses the opened sessions, opens one per added instance on its first batch, and reuses it', async () => {
    const runs: number[] = [];
    let opened = 0;
    const sessions = new InstanceSessions(async () => fakeSession(runs, 100 + opened++), new Map([[0, fakeSession(runs, 0)]]));
    const executor = executorOver(sessions);
    expect(await executed(executor, batchFor(0))).toEqual({ ok: true, outputs: [7] });
    expect(opened).toBe(0);
    expect(await executed(executor, batchFor(3))).toEqual({ ok: true, outputs: [7] });
    expect(await executed(executor, batchFor(3))).toEqual({ ok: true, outputs: [7] });
    expect(opened).toBe(1);
    expect(runs).toEqual([0, 100, 100]);
    expect((await sessions.all()).length).toBe(2);
    expect(executor.timings.map((timing) => timing.instance)).toEqual([0, 3, 3]);
  });

  it('a session that cannot open fails its batch with an INTERNAL error naming the instance', async () => {
    const sessions = new InstanceSessions(async () => {
      throw new Error('out of device memory');
    });
    const result = await executed(executorOver(sessions), batchFor(2));
    expect(result).toEqual({ ok: false, error: { code: 'INTERNAL', message: 'onnxruntime could not open a session for instance 2: out of device memory' } });
    // The run still ends cleanly: the failed session is simply not among those to release.
    expect(await sessions.all()).toEqual([]);
  });
});
