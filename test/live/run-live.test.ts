import { InputError } from '../../src/core/input-errors.ts';
import { describe, expect, it } from 'vitest';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadScenarioFile, parseScenario } from '../../src/scenario/load.ts';
import { runLive } from '../../live/run-live.ts';
import { liveSession } from '../../live/live-session.ts';
import { loadScenario } from '../../live/load.ts';
import { liveTensorSpec } from '../../live/tensor-spec.ts';
import { buildAccumulatorOnnx } from '../../live/onnx/accumulator-onnx.ts';
import { openSessions, ModelLoadError, ProviderUnavailableError, CUDA_INSTALL_COMMAND } from '../../live/execution-provider.ts';
import { simulate } from '../../sim/simulate.ts';

const examples = fileURLToPath(new URL('../../sim/examples/', import.meta.url));
const exampleFiles = readdirSync(examples)
  .filter((name) => name.endsWith('.json'))
  .sort();
const lifecycleExamples = readdirSync(join(examples, 'lifecycle'))
  .filter((name) => name.endsWith('.json'))
  .sort();

describe('live mode on the CPU provider', () => {
  for (const name of exampleFiles) {
    it(`runs the shipped scenario ${name} with zero violations, outputs equal to the simulator's`, async () => {
      const file = join(examples, name);
      const scenario = loadScenarioFile(file);
      const { result, report } = await liveSession(scenario, file, { seed: scenario.seed ?? 1, provider: 'cpu', durationMs: 20_000 }, null);
      const context = JSON.stringify({ violations: report.violations, differential: report.differential, outcome: result.outcome });
      expect(result.outcome, context).toBe('quiescent');
      expect(report.violations, context).toEqual([]);
      // idle-timeout.json reaps after 20 ms of real time: on a loaded machine the live run may also
      // reap sequence 8, and then no sequence's outcome is free of timing. Every other run compares.
      const reapedLive = new Set(result.events.flatMap((e) => (e.type === 'reap' ? [JSON.stringify(e.sequence)] : [])));
      const allTimed = name === 'idle-timeout.json' && reapedLive.size === scenario.sequences.length;
      if (!allTimed) expect(report.differential!.compared, context).toBeGreaterThan(0);
      expect(report.differential!.differing).toBe(0);
      expect(result.header.clock).toBe('real');
      expect(result.header.options['execution_provider']).toBe('cpu');
      // Every request the simulator answered is answered live too.
      const simulated = simulate(scenario, { seed: scenario.seed ?? 1, serialize: false });
      const count = (events: readonly { type: string }[]) => events.filter((e) => e.type === 'response').length;
      expect(count(result.events)).toBe(count(simulated.events));
      // Real time never goes backwards in a live trace.
      const times = result.events.map((e) => e.t);
      expect(times).toEqual([...times].sort((a, b) => a - b));
    });
  }

  const flag = (name: string, kind: string) => ({ name, control: [{ kind, int32_false_true: [0, 1] }] });
  const dynaModels: [string, Record<string, unknown>][] = [
    [
      'a nobatch model (no batch dimension), CORRID uint64 with END, ids beyond 2^53',
      {
        name: 'nobatch',
        max_batch_size: 0,
        instance_group: [{ count: 2, kind: 'KIND_CPU' }],
        sequence_batching: {
          control_input: [
            flag('START', 'CONTROL_SEQUENCE_START'),
            flag('END', 'CONTROL_SEQUENCE_END'),
            flag('READY', 'CONTROL_SEQUENCE_READY'),
            { name: 'CORRID', control: [{ kind: 'CONTROL_SEQUENCE_CORRID', data_type: 'TYPE_UINT64' }] },
          ],
        },
      },
    ],
    [
      'a CORRID without an END control (the id is never added), Oldest with 3 slots',
      {
        name: 'corrid_only',
        max_batch_size: 3,
        sequence_batching: {
          control_input: [flag('START', 'CONTROL_SEQUENCE_START'), { name: 'CORRID', control: [{ kind: 'CONTROL_SEQUENCE_CORRID', data_type: 'TYPE_INT64' }] }],
          oldest: { max_candidate_sequences: 3 },
        },
      },
    ],
  ];
  for (const [label, model] of dynaModels) {
    it(`runs ${label} with zero violations and the simulator's outputs`, async () => {
      const ids = [{ u64: '18446744073709551615' }, { u64: '9007199254740993' }, 52, { u64: '9223372036854775808' }];
      const scenario = parseScenario(
        {
          name: label,
          model,
          sequences: ids.map((id, index) => ({
            id,
            start_us: index * 100,
            steps: [
              { value: 1, start: true },
              { value: 2, gap_us: 300 },
              { value: 4, gap_us: 300, end: true },
            ],
          })),
        },
        'dyna.json',
        '.',
      );
      const { result, report } = await liveSession(scenario, 'dyna.json', { seed: 1, provider: 'cpu', durationMs: 20_000 }, null);
      const context = JSON.stringify({ violations: report.violations, differential: report.differential });
      expect(report.violations, context).toEqual([]);
      expect(report.differential!.compared).toBe(12);
      expect(report.differential!.differing).toBe(0);
      const outputs = result.events
        .flatMap((event) => (event.type === 'response' && 'output' in event && event.step === 2 ? [event.output] : []))
        .sort((a, b) => a - b);
      // 1 + 2 + 4 = 7, plus the id's low 32 bits on END when the model has END: -1, 1, 52, 0.
      expect(outputs).toEqual(model['name'] === 'nobatch' ? [6, 7, 8, 59] : [7, 7, 7, 7]);
    });
  }

  for (const name of lifecycleExamples) {
    it(`runs the lifecycle example ${name} live: new model objects get their own sessions, every oracle holds`, async () => {
      const file = join(examples, 'lifecycle', name);
      const scenario = loadScenarioFile(file);
      const { result, report } = await liveSession(scenario, file, { seed: scenario.seed ?? 1, provider: 'cpu', durationMs: 20_000 }, null);
      const context = JSON.stringify({ violations: report.violations, outcome: result.outcome });
      expect(result.outcome, context).toBe('quiescent');
      expect(report.violations, context).toEqual([]);
      expect(report.differential!.differing).toBe(0);
      // The lifecycle is carried out live: its actions are in the trace, per model object.
      const actions = result.events.flatMap((event) => (event.type === 'lifecycle' ? [event.action] : []));
      const expected = scenario.lifecycle.map((event) => (event.kind === 'stop' ? 'stop' : event.kind === 'unload' ? 'unload' : undefined));
      for (const action of expected) if (action !== undefined) expect(actions).toContain(action);
      if (scenario.lifecycle.some((event) => event.kind === 'load'))
        expect(actions.some((a) => ['swap', 'update', 'noop', 'load-failed'].includes(a))).toBe(true);
      // Housekeeping timers do not keep a finished run waiting (an 8 s idle timeout included).
      expect(result.wallMs).toBeLessThan(5000);
      // New instances (an update's, a reload's) ran on sessions of their own.
      const instancesThatRan = new Set(result.timings.map((timing) => timing.instance));
      expect(new Set(result.timings.map((timing) => timing.session)).size).toBe(instancesThatRan.size);
      if (name === 'scale-2-4-3.json') expect([...instancesThatRan].some((instance) => instance >= scenario.model.instanceCount)).toBe(true);
    });
  }

  it('answers each request with the reference accumulator sum', async () => {
    const file = join(examples, 'oldest-basic.json');
    const scenario = loadScenarioFile(file);
    const result = await runLive(scenario, file, { seed: 1, provider: 'cpu', durationMs: 20_000 });
    const outputs = new Map(result.events.flatMap((e) => (e.type === 'response' && 'output' in e ? [[e.request, e.output] as const] : [])));
    // Sequence 52 sends 1, 2, 3, 4 with a uint64 CORRID: the END output adds the id (dyna variant).
    expect([outputs.get('52:0'), outputs.get('52:1'), outputs.get('52:2'), outputs.get('52:3')]).toEqual([1, 3, 6, 10 + 52]);
  });

  it('catches a buggy batcher live: padding rows marked READY', async () => {
    const file = join(examples, 'direct-basic.json');
    const scenario = loadScenarioFile(file);
    const result = await runLive(scenario, file, { seed: 1, provider: 'cpu', durationMs: 20_000, batcher: 'bug:padding-ready' });
    expect(result.violations.map((v) => v.oracle)).toContain('control-signals');
  });

  it('reports a run that outlives its real-time limit as a liveness violation', async () => {
    const file = join(examples, 'idle-timeout.json');
    const scenario = loadScenarioFile(file);
    const result = await runLive(scenario, file, { seed: 1, provider: 'cpu', durationMs: 5 });
    expect(result.outcome).toBe('timeout');
    const liveness = result.violations.find((v) => v.oracle === 'liveness');
    expect(liveness?.message).toMatch(/real-time limit of 5 ms/);
  });

  it('load mode keeps `concurrency` sequences in flight and reports perf_analyzer-style figures', async () => {
    const file = join(examples, 'direct-basic.json');
    const load = { sequences: 24, sequenceLength: 5, concurrency: 4 };
    const scenario = loadScenario(loadScenarioFile(file), load, file);
    const { result, report } = await liveSession(scenario, file, { seed: 2, provider: 'cpu', durationMs: 20_000, load }, null);
    expect(report.violations).toEqual([]);
    expect(report.stats.requests).toBe(120);
    expect(report.stats.okResponses).toBe(120);
    const histogramBatches = Object.values(report.stats.batchSizeHistogram).reduce((a, b) => a + b, 0);
    expect(histogramBatches).toBe(report.stats.batches);
    expect(Math.max(...Object.keys(report.stats.batchSizeHistogram).map(Number))).toBeLessThanOrEqual(scenario.model.maxBatchSize);
    expect(report.stats.latencyUs.p50).toBeLessThanOrEqual(report.stats.latencyUs.p99);
    expect(report.stats.slotUtilization).toBeGreaterThan(0);
    expect(report.stats.slotUtilization).toBeLessThanOrEqual(1);
    expect(report.overhead!.batches).toBe(report.stats.batches);
    expect(report.overhead!.rawRunMs).toBeGreaterThan(0);
    expect(result.header.options['load']).toEqual({ sequences: 24, sequence_length: 5, concurrency: 4 });
    // Never more than `concurrency` sequences hold a slot or wait at once.
    let active = 0;
    let peak = 0;
    for (const event of result.events) {
      if (event.type === 'send' && event.start) peak = Math.max(peak, ++active);
      if (event.type === 'response' && event.step === load.sequenceLength - 1) active--;
    }
    expect(peak).toBeLessThanOrEqual(4);
  });

  it("runs a user's own ONNX model named by the config, without the outputs oracle", async () => {
    const file = join(examples, 'oldest-basic.json');
    const scenario = loadScenarioFile(file);
    const spec = liveTensorSpec(scenario.model, scenario.normalized['model'] as Record<string, unknown>);
    const result = await runLive(scenario, file, {
      seed: 1,
      provider: 'cpu',
      durationMs: 20_000,
      userModel: { bytes: buildAccumulatorOnnx(spec), name: 'mine.onnx' },
    });
    expect(result.violations).toEqual([]);
    expect(result.header.options['model_file']).toBe('mine.onnx');
  });

  const stringCorrid = (withEnd: boolean) => ({
    name: 'm',
    max_batch_size: 1,
    sequence_batching: {
      control_input: [
        { name: 'CORRID', control: [{ kind: 'CONTROL_SEQUENCE_CORRID', data_type: 'TYPE_STRING' }] },
        ...(withEnd ? [{ name: 'END', control: [{ kind: 'CONTROL_SEQUENCE_END', int32_false_true: [0, 1] }] }] : []),
      ],
    },
  });

  it('refuses up front a config the generated model cannot serve, naming the field (the scenario or a lifecycle load)', async () => {
    const sequences = [{ id: 1, steps: [{ value: 1, start: true, end: true }] }];
    const run = (json: Record<string, unknown>) =>
      runLive(parseScenario({ name: 's', sequences, ...json }, 's.json', '.'), 's.json', { seed: 1, provider: 'cpu', durationMs: 1000 });
    const narrow = { name: 'm', max_batch_size: 1, output: [{ name: 'OUTPUT', data_type: 'TYPE_INT16', dims: [1] }], sequence_batching: {} };
    await expect(run({ model: narrow })).rejects.toThrow(
      /^s\.json: model\.output\[0\]\.data_type: the accumulator computes in TYPE_INT32, and its OUTPUT 'OUTPUT' is TYPE_INT16/,
    );
    const bf16 = {
      name: 'm',
      max_batch_size: 1,
      input: [
        { name: 'INPUT', data_type: 'TYPE_INT32', dims: [1] },
        { name: 'B', data_type: 'TYPE_BF16', dims: [1] },
      ],
      sequence_batching: {},
    };
    await expect(run({ model: bf16 })).rejects.toThrow(/model\.input\[1\]\.data_type: live mode cannot feed 'B': onnxruntime-node has no TYPE_BF16 tensors/);
    const fine = { name: 'm', max_batch_size: 1, sequence_batching: {} };
    await expect(run({ model: fine, lifecycle: [{ at_us: 10, load: narrow }] })).rejects.toThrow(/lifecycle\[0\]\.load\.output\[0\]\.data_type/);
  });

  it('runs non-numeric TYPE_STRING ids when the model has no END control (it never adds the id)', async () => {
    const scenario = parseScenario(
      {
        name: 's',
        model: stringCorrid(false),
        sequences: [
          {
            id: 'abc',
            steps: [
              { value: 1, start: true },
              { value: 2, end: true },
            ],
          },
        ],
      },
      's.json',
      '.',
    );
    const result = await runLive(scenario, 's.json', { seed: 1, provider: 'cpu', durationMs: 10_000 });
    expect(result.violations).toEqual([]);
    expect(result.events.filter((event) => event.type === 'response').map((event) => ('output' in event ? event.output : null))).toEqual([1, 3]);
  });

  it('refuses a non-numeric id for a TYPE_STRING CORRID the generated model adds on END, naming the field', async () => {
    const scenario = parseScenario(
      {
        name: 's',
        model: stringCorrid(true),
        sequences: [
          { id: '12', steps: [{ value: 1, start: true, end: true }] },
          { id: 'abc', steps: [{ value: 1, start: true, end: true }] },
        ],
      },
      's.json',
      '.',
    );
    await expect(runLive(scenario, 's.json', { seed: 1, provider: 'cpu', durationMs: 1000 })).rejects.toThrow(InputError);
    await expect(runLive(scenario, 's.json', { seed: 1, provider: 'cpu', durationMs: 1000 })).rejects.toThrow(/sequences\[1\]\.id.*"abc" is not numeric/);
  });
});

describe('execution provider selection', () => {
  const scenario = loadScenarioFile(join(examples, 'direct-basic.json'));
  const model = buildAccumulatorOnnx(liveTensorSpec(scenario.model, scenario.normalized['model'] as Record<string, unknown>));

  it('auto falls back to CPU when CUDA is absent and says which ran', async () => {
    const opened = await openSessions(model, 'm', 2, 'auto');
    expect(['cuda', 'cpu']).toContain(opened.provider);
    expect(opened.sessions).toHaveLength(2);
    for (const session of opened.sessions) await session.release();
  });

  it('an unavailable provider is a clear error naming the fix', async () => {
    const opened = await openSessions(model, 'm', 1, 'cuda').catch((error: unknown) => error);
    if (opened instanceof ProviderUnavailableError) {
      expect(opened.message).toContain(CUDA_INSTALL_COMMAND);
      expect(opened.message).toMatch(/CUDA 12 and cuDNN 9/);
    } else {
      // A GPU machine with the CUDA provider installed: it must really be CUDA.
      expect((opened as { provider: string }).provider).toBe('cuda');
    }
  });

  it('a model that does not load is blamed on the model, not on the provider', async () => {
    await expect(openSessions(new Uint8Array([1, 2, 3, 4]), 'broken.onnx', 1, 'cpu')).rejects.toThrow(ModelLoadError);
    await expect(openSessions(new Uint8Array([1, 2, 3, 4]), 'broken.onnx', 1, 'cpu')).rejects.toThrow(/broken\.onnx: onnxruntime cannot load this model/);
  });
});
