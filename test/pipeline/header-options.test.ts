import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  DEFAULT_MAX_EVENTS,
  defaultMaxEvents,
  decodeLiveOptions,
  decodeSimOptions,
  encodeLiveOptions,
  encodeSimOptions,
  type LiveRunSettings,
  type SimRunSettings,
} from '../../sim/pipeline/header-options.ts';
import { InputError } from '../../src/core/input-errors.ts';
import { readTraceFile } from '../../traces/read.ts';
import { replayTrace } from '../../sim/replay.ts';
import { simulate } from '../../sim/simulate.ts';
import { parseScenario } from '../../src/scenario/load.ts';

const label = fc.oneof(fc.nat({ max: 50 }), fc.constantFrom('reaper', 'arrive:7:2', 'batch:I0', 'draw:fault'));
const simSettings: fc.Arbitrary<SimRunSettings> = fc.record(
  {
    maxEvents: fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
    slotOrder: fc.constantFrom('triton-heap' as const, 'instance-major' as const),
    batcher: fc.constantFrom('real', 'bug:backlog-lifo', 'bug:padding-ready'),
    schedule: fc.array(label, { maxLength: 12 }),
    chooseDraws: fc.boolean(),
    strictLifecycle: fc.boolean(),
  },
  { requiredKeys: [] },
);

/** What a decoder gives back for settings: every default filled in. */
function withDefaults(settings: SimRunSettings): unknown {
  return {
    maxEvents: settings.maxEvents ?? DEFAULT_MAX_EVENTS,
    slotOrder: settings.slotOrder ?? 'triton-heap',
    batcher: settings.batcher ?? 'real',
    ...(settings.schedule !== undefined ? { schedule: [...settings.schedule] } : {}),
    chooseDraws: settings.chooseDraws === true,
    strictLifecycle: settings.strictLifecycle === true,
  };
}

/** Through JSON, as a header goes to a file and back. */
const throughFile = (options: Record<string, unknown>): Record<string, unknown> => JSON.parse(JSON.stringify(options)) as Record<string, unknown>;

describe('the header-options codec (sim/pipeline/header-options.ts)', () => {
  test.prop([simSettings, fc.boolean()])('a simulated run: decode(encode(settings)) gives the settings back, defaults filled in', (settings, stalled) => {
    const encoded = throughFile(encodeSimOptions(settings, { stalled }));
    const decoded = decodeSimOptions(encoded, 't.jsonl');
    expect(decoded).toEqual({ settings: withDefaults(settings), stalled });
    // Encoding what was decoded writes the very same bytes: a replayed header equals the recorded one.
    expect(JSON.stringify(encodeSimOptions(decoded.settings, { stalled: decoded.stalled }))).toBe(JSON.stringify(encoded));
  });

  const liveSettings: fc.Arbitrary<LiveRunSettings> = fc.record(
    {
      executionProvider: fc.constantFrom('cpu', 'cuda'),
      requestedProvider: fc.constantFrom('auto', 'cpu', 'cuda'),
      frontEnd: fc.constant('kserve-v2-http'),
      durationMs: fc.oneof(fc.nat(), fc.double({ min: 0, max: 1e9, noNaN: true })),
      modelFile: fc.string({ minLength: 1 }),
      modelWorkLayers: fc.integer({ min: 1, max: 64 }),
      load: fc.record({ sequences: fc.nat(), sequenceLength: fc.nat(), concurrency: fc.nat() }),
      batcher: fc.constantFrom('bug:backlog-lifo', 'bug:slot-leak-on-end'),
      intraOpThreads: fc.integer({ min: 1, max: 1024 }),
      interOpThreads: fc.integer({ min: 1, max: 1024 }),
    },
    { requiredKeys: ['executionProvider', 'requestedProvider'] },
  );

  test.prop([liveSettings])('a live or served run: decode(encode(settings)) gives the settings back', (settings) => {
    const encoded = throughFile(encodeLiveOptions(settings));
    expect(decodeLiveOptions(encoded, 't.jsonl')).toEqual(settings);
    expect(JSON.stringify(encodeLiveOptions(decodeLiveOptions(encoded, 't.jsonl')))).toBe(JSON.stringify(encoded));
  });

  it('writes the keys every simulated trace has carried, in their order, and the rest only when set', () => {
    expect(JSON.stringify(encodeSimOptions({}, { stalled: false }))).toBe('{"max_events":2000000,"slot_order":"triton-heap"}');
    expect(
      JSON.stringify(
        encodeSimOptions(
          { maxEvents: 7, slotOrder: 'instance-major', batcher: 'bug:backlog-lifo', schedule: [1, 'reaper'], chooseDraws: true, strictLifecycle: true },
          { stalled: true },
        ),
      ),
    ).toBe(
      '{"max_events":7,"slot_order":"instance-major","batcher":"bug:backlog-lifo","schedule":[1,"reaper"],' +
        '"choose_draws":true,"strict_lifecycle":true,"stalled":true}',
    );
    expect(JSON.stringify(encodeSimOptions({ batcher: 'real', chooseDraws: false, strictLifecycle: false }, { stalled: false }))).toBe(
      '{"max_events":2000000,"slot_order":"triton-heap"}',
    );
  });

  it('reads a header without the fields added later as the run that wrote it (defaults; no stall stop)', () => {
    expect(decodeSimOptions({}, 'old.jsonl')).toEqual({
      settings: { maxEvents: DEFAULT_MAX_EVENTS, slotOrder: 'triton-heap', batcher: 'real', chooseDraws: false, strictLifecycle: false },
      stalled: false,
    });
  });

  it.each([
    [{ max_events: 0 }, 'options.max_events', 'must be a positive integer'],
    [{ slot_order: 'lowest' }, 'options.slot_order', 'must be "triton-heap" or "instance-major"'],
    [{ batcher: 3 }, 'options.batcher', 'must be a string'],
    [{ schedule: [-1] }, 'options.schedule', 'non-negative integers'],
    [{ choose_draws: false }, 'options.choose_draws', 'must be true when present'],
    [{ strict_lifecycle: 'yes' }, 'options.strict_lifecycle', 'must be true when present'],
    [{ stalled: 1 }, 'options.stalled', 'must be true when present'],
  ])('refuses a bad simulated header %j, naming line 1 and the field', (options, field, problem) => {
    const decode = (): unknown => decodeSimOptions(options, 'bad.jsonl');
    expect(decode).toThrow(InputError);
    expect(decode).toThrow(`line 1: ${field}`);
    expect(decode).toThrow(problem);
  });

  it('refuses a live header without its provider', () => {
    expect(() => decodeLiveOptions({ requested_provider: 'auto' }, 'live.jsonl')).toThrow('line 1: options.execution_provider');
  });

  it('traces committed before the codec still replay byte for byte (viz/examples)', () => {
    const dir = fileURLToPath(new URL('../../viz/examples/', import.meta.url));
    const traces = readdirSync(dir).filter((file) => file.endsWith('.jsonl'));
    expect(traces.length).toBeGreaterThan(0);
    for (const file of traces) expect(replayTrace(readTraceFile(`${dir}${file}`), file).identical, file).toBe(true);
  });
});

describe('the default event budget', () => {
  it('is 2,000,000 up to 50k requests and grows by 40 events per request beyond', () => {
    expect(defaultMaxEvents(0)).toBe(DEFAULT_MAX_EVENTS);
    expect(defaultMaxEvents(50_000)).toBe(DEFAULT_MAX_EVENTS);
    expect(defaultMaxEvents(1_000_000)).toBe(40_000_000);
  });

  it('scales with the scenario: a run past 50k requests finishes, and its header records the budget it used', () => {
    // The header, not the rule, is what replay trusts: it must carry the scaled budget.
    const scenario = parseScenario(
      {
        name: 'long-sequence',
        model: { name: 'acc', max_batch_size: 1, instance_group: [{ count: 1 }], sequence_batching: { direct: {} } },
        sequences: [{ id: 1, steps: Array.from({ length: 60_000 }, (_, i) => ({ value: 1, ...(i === 0 ? { start: true } : {}) })) }],
      },
      'long-sequence.json',
      '.',
    );
    const run = simulate(scenario, { seed: 1 });
    expect(run.violations).toEqual([]);
    expect(run.header.options['max_events']).toBe(defaultMaxEvents(60_000));
    expect(run.tasksExecuted).toBeGreaterThan(0);
  }, 60_000);
});
