import type * as ort from 'onnxruntime-node';
import type { BatchRow } from '../src/core/ports.ts';
import type { CorridValue } from '../src/core/events.ts';
import type { ModelConfig, TensorDataType } from '../src/config/types.ts';
import { u64Id } from '../src/core/ids.ts';
import { corridValue } from '../src/batcher/controls.ts';
import { accumulate, accumulatorModelOf, corridInteger, toDataType } from '../src/model/reference.ts';
import type { RandomStream } from '../sim/kernel/random.ts';
import { batchFeeds, rowValue } from './feeds.ts';
import type { LiveTensorSpec } from './tensor-spec.ts';

export interface ModelCheck {
  readonly batches: number;
  readonly rows: number;
  readonly paddingRows: number;
  /** The first rows where the model and the reference function disagree (at most 10). */
  readonly mismatches: readonly string[];
}

/** Edges of the id range where conversions go wrong: 2^31, 2^32, 2^53, 2^63, 2^64 and their neighbours. */
const EDGE_IDS = [1n, 2n ** 31n - 1n, 2n ** 31n, 2n ** 32n - 1n, 2n ** 32n + 5n, 2n ** 53n + 1n, 2n ** 63n - 1n, 2n ** 63n, 2n ** 64n - 1n];
const INT64_MAX = 2n ** 63n - 1n;
const INT64_EXACT_IDS = 2n ** 45n - 1n;

/** A random INPUT or state value of the accumulator's type (before toDataType). */
function randomValue(dataType: TensorDataType, random: RandomStream): number {
  switch (dataType) {
    case 'TYPE_FP32':
      return random.int(-1_000_000, 1_000_000) / 8;
    case 'TYPE_INT64':
      return random.int(-(2 ** 45), 2 ** 45);
    case 'TYPE_BOOL':
      return random.int(0, 1);
    case 'TYPE_INT32':
    case 'TYPE_STRING':
      return random.int(-(2 ** 31), 2 ** 31 - 1);
  }
}

/** A random u64 id: an edge, a small id, or 64 random bits. */
function randomId(random: RandomStream): bigint {
  const kind = random.int(0, 2);
  if (kind === 0) return EDGE_IDS[random.int(0, EDGE_IDS.length - 1)]!;
  if (kind === 1) return BigInt(random.int(1, 1_000_000));
  return (BigInt(random.int(0, 2 ** 32 - 1)) << 32n) | BigInt(random.int(0, 2 ** 32 - 1));
}

/**
 * The CORRID a real row carries for a random id, converted to the control's type as the batcher
 * does. A TYPE_STRING id is a decimal the generated model can parse (its Cast reads an int64).
 */
function randomCorrid(model: ModelConfig, random: RandomStream): CorridValue {
  // An INT64 accumulator adds the id exactly: keep its sums within 2^53, as the scenario loader does.
  const id = model.tensorDataType === 'TYPE_INT64' ? randomId(random) & INT64_EXACT_IDS : randomId(random);
  if (model.controls.corrid?.dataType !== 'TYPE_STRING') return corridValue(model.controls.corrid, u64Id(id));
  const parsable = id & INT64_MAX;
  return random.chance(0.3) ? ` -${parsable}` : String(parsable);
}

/**
 * Runs random batches (sizes 1..max_batch_size, random START/END/READY, padding rows, random
 * states, inputs and ids over the whole u64 range) through a session and compares every row with
 * the reference accumulator: the generated ONNX model must compute exactly what the simulator's
 * backend computes.
 */
export async function verifyAccumulatorSession(
  session: ort.InferenceSession,
  model: ModelConfig,
  spec: LiveTensorSpec,
  random: RandomStream,
  batches: number,
): Promise<ModelCheck> {
  const accumulator = accumulatorModelOf(model);
  const value = (): number => toDataType(model.tensorDataType, randomValue(model.tensorDataType, random));
  const mismatches: string[] = [];
  let rows = 0;
  let paddingRows = 0;
  for (let batch = 0; batch < batches; batch++) {
    const size = spec.batched ? random.int(1, model.maxBatchSize) : 1;
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
    const outputs = await session.run(batchFeeds(spec, batchRows));
    const output = outputs[spec.output]!;
    const state = outputs[spec.stateOutput]!;
    batchRows.forEach((row, index) => {
      rows++;
      const gotState = rowValue(state, index, size);
      if (row.request === null) {
        paddingRows++;
        if (gotState !== row.state.value) mismatches.push(`batch ${batch} row ${index}: a padding row changed the state`);
        return;
      }
      const expected = accumulate(accumulator, { ready: true, start: row.start, end: row.end, input: row.request.input, corrid: row.corrid }, row.state.value);
      if (expected.kind !== 'output') return;
      const gotOutput = rowValue(output, index, size);
      if (gotOutput !== expected.output || gotState !== expected.state) {
        mismatches.push(
          `batch ${batch} row ${index}: model gave output ${gotOutput} state ${gotState}, ` +
            `reference ${expected.output} / ${expected.state} (corrid ${corridText(row.corrid)})`,
        );
      }
    });
    if (mismatches.length >= 10) break;
  }
  return { batches, rows, paddingRows, mismatches: mismatches.slice(0, 10) };
}

function corridText(corrid: CorridValue): string {
  return typeof corrid === 'object' ? String(corridInteger(corrid)) : JSON.stringify(corrid);
}
