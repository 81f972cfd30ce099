import { InputError } from '../../src/core/input-errors.ts';
import { describe, expect, it } from 'vitest';
import { parseScenario } from '../../src/scenario/load.ts';
import { ortThreadOptions } from '../../live/ort-threads.ts';
import { runLive } from '../../live/run-live.ts';

function scenarioWith(parameters: Record<string, unknown> | undefined) {
  return parseScenario(
    {
      name: 'threads',
      model: {
        name: 'acc',
        max_batch_size: 4,
        ...(parameters !== undefined ? { parameters } : {}),
        sequence_batching: {
          control_input: [
            { name: 'START', control: [{ kind: 'CONTROL_SEQUENCE_START', int32_false_true: [0, 1] }] },
            { name: 'READY', control: [{ kind: 'CONTROL_SEQUENCE_READY', int32_false_true: [0, 1] }] },
          ],
          direct: {},
        },
      },
      sequences: [
        {
          id: 1,
          steps: [
            { value: 2, start: true },
            { value: 3, end: true },
          ],
        },
      ],
    },
    'threads.json',
    '.',
  );
}

const modelOf = (scenario: ReturnType<typeof scenarioWith>) => scenario.normalized['model'] as Record<string, unknown>;

describe("onnxruntime thread pools from the config's parameters (as Triton's onnxruntime backend reads them)", () => {
  it("reads intra_op_thread_count and inter_op_thread_count; 0 or absent keeps onnxruntime's default", () => {
    expect(ortThreadOptions(modelOf(scenarioWith(undefined)), 'f')).toEqual({});
    expect(
      ortThreadOptions(modelOf(scenarioWith({ intra_op_thread_count: { string_value: '1' }, inter_op_thread_count: { string_value: '2' } })), 'f'),
    ).toEqual({
      intraOpNumThreads: 1,
      interOpNumThreads: 2,
    });
    expect(ortThreadOptions(modelOf(scenarioWith({ intra_op_thread_count: { string_value: '0' } })), 'f')).toEqual({});
    // Other parameters are Triton's or the user's business, not the session's.
    expect(ortThreadOptions(modelOf(scenarioWith({ something_else: { string_value: 'x' } })), 'f')).toEqual({});
  });

  it('refuses a malformed count, naming the file and field', () => {
    const bad = (value: unknown) => () => ortThreadOptions(modelOf(scenarioWith({ intra_op_thread_count: value })), 'threads.json');
    expect(bad({ string_value: 'two' })).toThrow(InputError);
    expect(bad({ string_value: 'two' })).toThrow(
      /threads\.json: model\.parameters\.intra_op_thread_count\.string_value: expected a thread count from 0 .* got "two"/,
    );
    expect(bad({ string_value: '-1' })).toThrow(/got "-1"/);
    expect(bad({ string_value: '100000' })).toThrow(/to 1024/);
    expect(bad('1')).toThrow(/model\.parameters\.intra_op_thread_count: expected \{ "string_value"/);
  });

  it('a live run opens its sessions with them and records them in the trace header', async () => {
    const scenario = scenarioWith({ intra_op_thread_count: { string_value: '1' } });
    const result = await runLive(scenario, 'threads.json', { seed: 1, provider: 'cpu', durationMs: 20_000 });
    expect(result.violations).toEqual([]);
    expect(result.header.options['intra_op_threads']).toBe(1);
    expect(result.header.options['inter_op_threads']).toBeUndefined();
    for (const session of result.sessions) await session.release();
  });
});
