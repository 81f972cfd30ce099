import type * as ort from 'onnxruntime-node';
import type { BatchRow } from '../src/core/ports.ts';
import type { CorridValue } from '../src/core/events.ts';
import type { ModelConfig } from '../src/config/types.ts';
import { accumulate, toDataType, type AccumulatorModel } from '../src/model/reference.ts';
import type { RandomStream } from '../sim/kernel/random.ts';
import { batchFeeds } from './feeds.ts';
import type { LiveTensorSpec } from './tensor-spec.ts';

export interface ModelCheck {
  readonly batches: number;
  readonly rows: number;
  readonly paddingRows: number;
  /** The first rows where the model and the reference function disagree (at most 10). */
  readonly mismatches: readonly string[];
}

function randomCorrid(model: ModelConfig, random: RandomStream): CorridValue {
  const id = random.int(1, 1_000_000);
  switch (model.controls.corrid?.dataType) {
    case 'TYPE_STRING':
      return String(id);
    case 'TYPE_UINT64':
      return { u64: String(id) };
    case 'TYPE_INT64':
      return { i64: String(id) };
    default:
      return id;
  }
}

/**
 * Runs random batches (sizes 1..max_batch_size, random START/END/READY, padding rows, random
 * states and inputs) through a session and compares every row with the reference accumulator:
 * the generated ONNX model must compute exactly what the simulator's backend computes.
 */
export async function verifyAccumulatorSession(
  session: ort.InferenceSession,
  model: ModelConfig,
  spec: LiveTensorSpec,
  random: RandomStream,
  batches: number,
): Promise<ModelCheck> {
  const accumulator: AccumulatorModel = {
    dataType: model.tensorDataType,
    addsCorridOnEnd: model.controls.corrid !== undefined,
    initialValue: model.initialStateValue,
  };
  const fp32 = model.tensorDataType === 'TYPE_FP32';
  const value = (): number => toDataType(model.tensorDataType, fp32 ? random.int(-1_000_000, 1_000_000) / 8 : random.int(-(2 ** 31), 2 ** 31 - 1));
  const mismatches: string[] = [];
  let rows = 0;
  let paddingRows = 0;
  for (let batch = 0; batch < batches; batch++) {
    const size = random.int(1, Math.max(1, model.maxBatchSize));
    const batchRows: BatchRow[] = Array.from({ length: size }, (_, slot) => {
      const padding = random.chance(0.2);
      const start = !padding && random.chance(0.3);
      return {
        slot,
        request: padding ? null : ({ id: `b${batch}r${slot}`, input: value() } as unknown as BatchRow['request']),
        start,
        end: !padding && random.chance(0.3),
        ready: !padding,
        corrid: padding ? (model.controls.corrid?.dataType === 'TYPE_STRING' ? '' : 0) : randomCorrid(model, random),
        // The batcher resets a START row's state to the initial value before the backend runs.
        state: { initialized: true, value: start ? model.initialStateValue : value() },
      };
    });
    const stateType = fp32 ? 'FLOAT' : 'INT32';
    const outputs = await session.run(batchFeeds(spec, batchRows, stateType));
    const output = outputs[spec.output]!.data;
    const state = outputs[spec.stateOutput]!.data;
    batchRows.forEach((row, index) => {
      rows++;
      if (row.request === null) {
        paddingRows++;
        if (Number(state[index]) !== row.state.value) mismatches.push(`batch ${batch} row ${index}: a padding row changed the state`);
        return;
      }
      const expected = accumulate(accumulator, { ready: true, start: row.start, end: row.end, input: row.request.input, corrid: row.corrid }, row.state.value);
      if (expected.kind !== 'output') return;
      if (Number(output[index]) !== expected.output || Number(state[index]) !== expected.state) {
        mismatches.push(
          `batch ${batch} row ${index}: model gave output ${Number(output[index])} state ` +
            `${Number(state[index])}, reference ${expected.output} / ${expected.state}`,
        );
      }
    });
    if (mismatches.length >= 10) break;
  }
  return { batches, rows, paddingRows, mismatches: mismatches.slice(0, 10) };
}
