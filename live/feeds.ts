import * as ort from 'onnxruntime-node';
import type { BatchRow } from '../src/core/ports.ts';
import type { CorridValue } from '../src/core/events.ts';
import { assert } from '../src/core/assert.ts';
import { InputError } from '../src/core/input-errors.ts';
import type { LiveFlagControl, LiveTensorSpec, SpecSource, TensorLayout } from './tensor-spec.ts';
import type { OnnxElementType } from './onnx/onnx-schema.ts';
import { UNINITIALIZED_STATE_GARBAGE } from '../src/model/reference.ts';

type Numeric = number | boolean | bigint;

/**
 * A tensor of one element type holding `values[row]` in every element of that row: shape
 * [rows, ...rowDims] (or rowDims alone for a model without a batch dimension, one row).
 */
export function rowsTensor(type: OnnxElementType, values: readonly Numeric[] | readonly string[], rowDims: readonly number[], batched: boolean): ort.Tensor {
  assert(batched || values.length === 1, 'a model without a batch dimension runs one row at a time');
  const perRow = rowDims.reduce((product, dim) => product * dim, 1);
  const dims = batched ? [values.length, ...rowDims] : [...rowDims];
  const expanded = perRow === 1 ? values : (values as readonly (Numeric | string)[]).flatMap((value) => new Array<Numeric | string>(perRow).fill(value));
  return typedTensor(type, expanded as readonly Numeric[] | readonly string[], dims);
}

/** A [rows, 1] tensor of one element type, from one value per row. */
export function columnTensor(type: OnnxElementType, values: readonly Numeric[] | readonly string[]): ort.Tensor {
  return rowsTensor(type, values, [1], true);
}

function typedTensor(type: OnnxElementType, values: readonly Numeric[] | readonly string[], dims: readonly number[]): ort.Tensor {
  const numbers = values as readonly Numeric[];
  switch (type) {
    case 'FLOAT':
      return new ort.Tensor('float32', Float32Array.from(numbers, Number), dims);
    case 'DOUBLE':
      return new ort.Tensor('float64', Float64Array.from(numbers, Number), dims);
    case 'INT8':
      return new ort.Tensor('int8', Int8Array.from(numbers, Number), dims);
    case 'UINT8':
      return new ort.Tensor('uint8', Uint8Array.from(numbers, Number), dims);
    case 'INT16':
      return new ort.Tensor('int16', Int16Array.from(numbers, Number), dims);
    case 'UINT16':
      return new ort.Tensor('uint16', Uint16Array.from(numbers, Number), dims);
    case 'INT32':
      return new ort.Tensor('int32', Int32Array.from(numbers, Number), dims);
    case 'UINT32':
      return new ort.Tensor('uint32', Uint32Array.from(numbers, Number), dims);
    case 'INT64':
      return new ort.Tensor(
        'int64',
        BigInt64Array.from(numbers, (v) => BigInt.asIntN(64, BigInt(v))),
        dims,
      );
    case 'UINT64':
      return new ort.Tensor(
        'uint64',
        BigUint64Array.from(numbers, (v) => BigInt.asUintN(64, BigInt(v))),
        dims,
      );
    case 'BOOL':
      return new ort.Tensor(
        'bool',
        Uint8Array.from(numbers, (v) => (Number(v) === 0 ? 0 : 1)),
        dims,
      );
    case 'STRING':
      return new ort.Tensor('string', values.map(String), dims);
    case 'FLOAT16':
      // Only zeros are fed in this type (inputs the accumulator ignores): +0 is all-zero bits.
      assert(
        numbers.every((v) => Number(v) === 0),
        'float16 feeds are zeros',
      );
      return new ort.Tensor('float16', new Uint16Array(numbers.length), dims);
    case 'BFLOAT16':
      throw new Error('onnxruntime-node has no bfloat16 tensors');
  }
}

/** ONNX Runtime for Node cannot make every tensor type live mode would feed: refuse such a config up front. */
export function checkFeedable(spec: LiveTensorSpec, source: SpecSource): void {
  for (const [index, input] of spec.otherInputs.entries()) {
    if (input.onnxType === 'BFLOAT16' && !input.optional) {
      throw new InputError(
        source.file,
        `${source.field}.input[${index + 1}].data_type`,
        `live mode cannot feed '${input.name}': onnxruntime-node has no TYPE_BF16 tensors`,
      );
    }
  }
}

/** Element counts per row for a layout: -1 dims get one element. */
function rowDims(tensor: TensorLayout): number[] {
  return tensor.dims.map((dim) => (dim === -1 ? 1 : dim));
}

function flagTensor(spec: LiveTensorSpec, control: LiveFlagControl, rows: readonly BatchRow[], pick: (row: BatchRow) => boolean): ort.Tensor {
  return rowsTensor(
    control.onnxType,
    rows.map((row) => (pick(row) ? control.trueValue : control.falseValue)),
    [1],
    spec.batched,
  );
}

/** The CORRID tensor's element for one row, as Triton fills it ("" on a TYPE_STRING padding row). */
function corridElement(type: OnnxElementType, corrid: CorridValue): number | bigint | string {
  if (type === 'STRING') return typeof corrid === 'string' ? corrid : typeof corrid === 'number' ? String(corrid) : 'u64' in corrid ? corrid.u64 : corrid.i64;
  if (typeof corrid === 'number') return type === 'INT64' || type === 'UINT64' ? BigInt(corrid) : corrid;
  if (typeof corrid === 'string') return 0;
  return BigInt('u64' in corrid ? corrid.u64 : corrid.i64);
}

/** Zeros (or empty strings) for a tensor the accumulator does not read. */
function zeros(tensor: TensorLayout, rows: number, batched: boolean): ort.Tensor {
  const value = tensor.onnxType === 'STRING' ? '' : 0;
  return rowsTensor(tensor.onnxType, new Array<number | string>(rows).fill(value) as number[] | string[], rowDims(tensor), batched);
}

/**
 * The feeds Triton's backend would hand the generated model for one batch: every input the model
 * declares, one row per batch row in order (padding rows: READY false, INPUT 0, a throw-away
 * state), each in its declared shape (a batch dimension only when the model batches).
 */
export function batchFeeds(spec: LiveTensorSpec, rows: readonly BatchRow[]): Record<string, ort.Tensor> {
  const batched = spec.batched;
  const feeds: Record<string, ort.Tensor> = {
    [spec.input]: rowsTensor(
      spec.inputTensor.onnxType,
      rows.map((row) => row.request?.input ?? 0),
      rowDims(spec.inputTensor),
      batched,
    ),
    [spec.stateInput]: rowsTensor(
      spec.state.input.onnxType,
      rows.map((row) => (row.state.initialized ? row.state.value : UNINITIALIZED_STATE_GARBAGE)),
      rowDims(spec.state.input),
      batched,
    ),
  };
  for (const input of spec.otherInputs) if (!input.optional) feeds[input.name] = zeros(input, rows.length, batched);
  for (const pair of spec.otherStates) feeds[pair.input.name] = zeros(pair.input, rows.length, batched);
  if (spec.start !== undefined) feeds[spec.start.tensorName] = flagTensor(spec, spec.start, rows, (row) => row.start);
  if (spec.end !== undefined) feeds[spec.end.tensorName] = flagTensor(spec, spec.end, rows, (row) => row.end);
  if (spec.ready !== undefined) feeds[spec.ready.tensorName] = flagTensor(spec, spec.ready, rows, (row) => row.ready);
  if (spec.corrid !== undefined) {
    const type = spec.corrid.onnxType;
    feeds[spec.corrid.tensorName] = rowsTensor(type, rows.map((row) => corridElement(type, row.corrid)) as Numeric[] | string[], [1], batched);
  }
  return feeds;
}

/** Row `row`'s value of an output: its first element (the model repeats it over the row). */
export function rowValue(tensor: ort.Tensor, row: number, rows: number): number {
  const perRow = tensor.data.length / rows;
  return Number((tensor.data as ArrayLike<number | bigint>)[row * perRow]);
}
