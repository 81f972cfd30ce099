import { describe, expect, it } from 'vitest';
import * as ort from 'onnxruntime-node';
import { parseScenario } from '../../src/scenario/load.ts';
import { checkWireDataType, liveTensorSpec } from '../../live/tensor-spec.ts';
import { buildAccumulatorOnnx } from '../../live/onnx/accumulator-onnx.ts';
import { ModelProtoType } from '../../live/onnx/onnx-schema.ts';
import { verifyAccumulatorSession } from '../../live/verify-model.ts';
import { RandomStreams } from '../../sim/kernel/random.ts';
import { WORK_OUTPUT, WORK_WIDTH } from '../../live/onnx/synthetic-work.ts';
import { batchFeeds } from '../../live/feeds.ts';

function scenarioWith(model: Record<string, unknown>) {
  return parseScenario({ name: 't', model, sequences: [{ id: 1, steps: [{ value: 1, start: true, end: true }] }] }, '<test>', '.');
}

function accumulatorModel(dataType: string, corrid?: string, flagType: 'int32' | 'bool' | 'fp32' = 'int32', extra: Record<string, unknown> = {}) {
  const flag = (name: string, kind: string) => ({ name, control: [{ kind, [`${flagType}_false_true`]: flagType === 'bool' ? [false, true] : [0, 1] }] });
  const controls: Record<string, unknown>[] = [
    flag('START', 'CONTROL_SEQUENCE_START'),
    flag('END', 'CONTROL_SEQUENCE_END'),
    flag('READY', 'CONTROL_SEQUENCE_READY'),
  ];
  if (corrid !== undefined) controls.push({ name: 'CORRID', control: [{ kind: 'CONTROL_SEQUENCE_CORRID', data_type: corrid }] });
  return {
    name: 'acc',
    max_batch_size: 8,
    input: [{ name: 'IN0', data_type: dataType, dims: [1] }],
    output: [{ name: 'OUT0', data_type: dataType, dims: [1] }],
    sequence_batching: { control_input: controls, direct: {}, ...extra },
  };
}

async function sessionFor(scenario: ReturnType<typeof scenarioWith>, bytes?: Uint8Array) {
  const spec = liveTensorSpec(scenario.model, scenario.normalized['model'] as Record<string, unknown>);
  const session = await ort.InferenceSession.create(bytes ?? buildAccumulatorOnnx(spec), { executionProviders: ['cpu'] });
  return { spec, session };
}

describe('the generated ONNX accumulator', () => {
  const variants: [string, string, string | undefined, 'int32' | 'bool' | 'fp32'][] = [
    ['int32 without CORRID', 'TYPE_INT32', undefined, 'int32'],
    ['int32 with a uint64 CORRID', 'TYPE_INT32', 'TYPE_UINT64', 'int32'],
    ['int32 with a uint32 CORRID and bool controls', 'TYPE_INT32', 'TYPE_UINT32', 'bool'],
    ['int32 with a string CORRID', 'TYPE_INT32', 'TYPE_STRING', 'int32'],
    ['fp32 with an int64 CORRID and fp32 controls', 'TYPE_FP32', 'TYPE_INT64', 'fp32'],
    ['fp32 with an int32 CORRID', 'TYPE_FP32', 'TYPE_INT32', 'int32'],
    // Triton's QA data types beyond INT32 / FP32 (docs/triton-semantics.md "Data types").
    ['int64 with a uint64 CORRID', 'TYPE_INT64', 'TYPE_UINT64', 'int32'],
    ['int64 with a string CORRID and bool controls', 'TYPE_INT64', 'TYPE_STRING', 'bool'],
    ['bool (parity) with an int64 CORRID and bool controls', 'TYPE_BOOL', 'TYPE_INT64', 'bool'],
    ['bool (parity) without CORRID', 'TYPE_BOOL', undefined, 'int32'],
    ['string (decimal INT32) with a uint32 CORRID', 'TYPE_STRING', 'TYPE_UINT32', 'int32'],
    ['string (decimal INT32) with a string CORRID', 'TYPE_STRING', 'TYPE_STRING', 'bool'],
  ];
  for (const [name, dataType, corrid, flagType] of variants) {
    it(`equals the reference function on random batches with padding: ${name}`, async () => {
      const scenario = scenarioWith(accumulatorModel(dataType, corrid, flagType));
      const { spec, session } = await sessionFor(scenario);
      const check = await verifyAccumulatorSession(session, scenario.model, spec, new RandomStreams(3).stream('workload'), 120);
      expect(check.mismatches).toEqual([]);
      expect(check.paddingRows).toBeGreaterThan(10);
      expect(check.rows).toBeGreaterThan(300);
      await session.release();
    });
  }

  it('with a CORRID control but no END control (Triton QA correlation-id config) never adds the id, as the reference', async () => {
    const model = accumulatorModel('TYPE_INT32', 'TYPE_UINT64');
    const controls = model.sequence_batching.control_input.filter((c) => c['name'] !== 'END');
    const scenario = scenarioWith({ ...model, sequence_batching: { ...model.sequence_batching, control_input: controls } });
    expect(scenario.model.controls.end).toBeUndefined();
    const { spec, session } = await sessionFor(scenario);
    expect(session.inputNames).not.toContain('END');
    const check = await verifyAccumulatorSession(session, scenario.model, spec, new RandomStreams(8).stream('workload'), 120);
    expect(check.mismatches).toEqual([]);
    // One row of id 2^64 − 1 on a fresh START: the output is the input alone, no CORRID term.
    const row = { slot: 0, request: { input: 5 } as never, start: true, end: true, ready: true, corrid: { u64: '18446744073709551615' } };
    const outputs = await session.run(batchFeeds(spec, [{ ...row, state: { initialized: true, value: 0 } }]));
    expect([...(outputs['OUT0']!.data as Int32Array)]).toEqual([5]);
    await session.release();
  });

  it('starts from initial_state on START (Triton QA shifts results by 100)', async () => {
    const scenario = scenarioWith(
      accumulatorModel('TYPE_INT32', undefined, 'int32', {
        state: [
          {
            input_name: 'ACC_IN',
            output_name: 'ACC_OUT',
            data_type: 'TYPE_INT32',
            dims: [1],
            initial_state: [{ data_type: 'TYPE_INT32', dims: [1], name: 'init', data_file: 'init.bin', seqsim_initial_value: 100 }],
          },
        ],
      }),
    );
    expect(scenario.model.initialStateValue).toBe(100);
    const { spec, session } = await sessionFor(scenario);
    expect(spec.stateInput).toBe('ACC_IN');
    const check = await verifyAccumulatorSession(session, scenario.model, spec, new RandomStreams(4).stream('workload'), 60);
    expect(check.mismatches).toEqual([]);
  });

  it('the verifier catches a model that disagrees with the reference', async () => {
    // A model generated for initial value 7 run against a config whose initial value is 0.
    const scenario = scenarioWith(accumulatorModel('TYPE_INT32', 'TYPE_UINT64'));
    const spec = liveTensorSpec(scenario.model, scenario.normalized['model'] as Record<string, unknown>);
    const wrong = buildAccumulatorOnnx({ ...spec, initialValue: 7 });
    const { session } = await sessionFor(scenario, wrong);
    const check = await verifyAccumulatorSession(session, scenario.model, spec, new RandomStreams(5).stream('workload'), 60);
    expect(check.mismatches.length).toBeGreaterThan(0);
    expect(check.mismatches[0]).toMatch(/model gave output .* reference/);
  });

  for (const [dataType, corrid] of [
    ['TYPE_INT32', 'TYPE_UINT64'],
    ['TYPE_FP32', undefined],
  ] as const) {
    it(`with synthetic work layers (${dataType}) still equals the reference, and computes a finite WORK output`, async () => {
      const scenario = scenarioWith(accumulatorModel(dataType, corrid));
      const spec = liveTensorSpec(scenario.model, scenario.normalized['model'] as Record<string, unknown>);
      const bytes = buildAccumulatorOnnx(spec, { workLayers: 3 });
      const { session } = await sessionFor(scenario, bytes);
      expect(session.outputNames).toEqual(['OUT0', 'OUTPUT_STATE', WORK_OUTPUT]);
      const check = await verifyAccumulatorSession(session, scenario.model, spec, new RandomStreams(6).stream('workload'), 60);
      expect(check.mismatches).toEqual([]);
      const rows = [1, 2, 3].map((input, slot) => ({
        slot,
        request: { input } as never,
        start: true,
        end: false,
        ready: true,
        corrid: corrid === undefined ? 0 : { u64: '1' },
        state: { initialized: true, value: 0 },
      }));
      const outputs = await session.run(batchFeeds(spec, rows));
      const work = outputs[WORK_OUTPUT]!;
      expect(work.dims).toEqual([3, 1]);
      const values = [...(work.data as Float32Array)];
      expect(values.every(Number.isFinite)).toBe(true);
      // The branch reads INPUT: different inputs give different work results (nothing folds away).
      expect(new Set(values).size).toBe(3);
      await session.release();
    });
  }

  it('synthetic work layers are bounded and cost one shared weight matrix, not one per layer', () => {
    const scenario = scenarioWith(accumulatorModel('TYPE_INT32'));
    const spec = liveTensorSpec(scenario.model, scenario.normalized['model'] as Record<string, unknown>);
    const small = buildAccumulatorOnnx(spec, { workLayers: 1 }).length;
    const large = buildAccumulatorOnnx(spec, { workLayers: 64 }).length;
    expect(small).toBeGreaterThan(WORK_WIDTH * WORK_WIDTH * 4);
    expect(large - small).toBeLessThan(64 * 200);
    expect(() => buildAccumulatorOnnx(spec, { workLayers: 1025 })).toThrow(/1\.\.1024/);
    expect(() => buildAccumulatorOnnx(spec, { workLayers: 1.5 })).toThrow(/integer/);
  });

  it('is valid ONNX naming the config tensors, with a batch-dynamic first dimension', () => {
    const scenario = scenarioWith(accumulatorModel('TYPE_FP32', 'TYPE_UINT64'));
    const spec = liveTensorSpec(scenario.model, scenario.normalized['model'] as Record<string, unknown>);
    const decoded = ModelProtoType.toObject(ModelProtoType.decode(buildAccumulatorOnnx(spec)), { longs: Number }) as {
      opsetImport: { version: number }[];
      graph: {
        input: { name: string; type: { tensorType: { elemType: number; shape: { dim: { dimParam?: string; dimValue?: number }[] } } } }[];
        output: { name: string }[];
      };
    };
    expect(decoded.opsetImport[0]!.version).toBe(17);
    expect(decoded.graph.input.map((i) => i.name)).toEqual(['IN0', 'START', 'END', 'READY', 'CORRID', 'INPUT_STATE']);
    expect(decoded.graph.output.map((o) => o.name)).toEqual(['OUT0', 'OUTPUT_STATE']);
    const input = decoded.graph.input[0]!.type.tensorType;
    expect(input.elemType).toBe(1);
    expect(input.shape.dim[0]!.dimParam).toBe('batch');
    expect(decoded.graph.input[4]!.type.tensorType.elemType).toBe(13);
  });
});

describe('accumulator types the KServe front ends do not carry yet', () => {
  it('drive and serve refuse TYPE_STRING, TYPE_BOOL and TYPE_INT64 accumulators with one line', () => {
    const scenario = scenarioWith(accumulatorModel('TYPE_STRING'));
    expect(() => checkWireDataType(scenario.model, { file: 's.json', field: 'model' }, 'seqsim drive')).toThrow(
      "s.json: model.input[0].data_type: seqsim drive sends the accumulator's INPUT as INT32 or FP32, and model 'acc' takes TYPE_STRING",
    );
    expect(() => checkWireDataType(scenarioWith(accumulatorModel('TYPE_INT32')).model, { file: 's.json', field: 'model' }, 'seqsim serve')).not.toThrow();
  });
});
