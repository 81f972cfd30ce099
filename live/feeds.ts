import * as ort from 'onnxruntime-node';
import type { BatchRow } from '../src/core/ports.ts';
import type { CorridValue } from '../src/core/events.ts';
import type { LiveFlagControl, LiveTensorSpec } from './tensor-spec.ts';
import type { OnnxElementType } from './onnx/onnx-schema.ts';
import { UNINITIALIZED_STATE_GARBAGE } from '../src/model/reference.ts';

type Numeric = number | boolean | bigint;

/** A [rows, 1] tensor of one element type, from one value per row. */
export function columnTensor(type: OnnxElementType, values: readonly Numeric[] | readonly string[]): ort.Tensor {
  const dims = [values.length, 1];
  switch (type) {
    case 'FLOAT':
      return new ort.Tensor('float32', Float32Array.from(values as Numeric[], Number), dims);
    case 'INT32':
      return new ort.Tensor('int32', Int32Array.from(values as Numeric[], Number), dims);
    case 'UINT32':
      return new ort.Tensor('uint32', Uint32Array.from(values as Numeric[], Number), dims);
    case 'INT64':
      return new ort.Tensor(
        'int64',
        BigInt64Array.from(values as Numeric[], (v) => BigInt.asIntN(64, BigInt(v))),
        dims,
      );
    case 'UINT64':
      return new ort.Tensor(
        'uint64',
        BigUint64Array.from(values as Numeric[], (v) => BigInt.asUintN(64, BigInt(v))),
        dims,
      );
    case 'BOOL':
      return new ort.Tensor(
        'bool',
        Uint8Array.from(values as Numeric[], (v) => (Number(v) === 0 ? 0 : 1)),
        dims,
      );
    case 'STRING':
      return new ort.Tensor('string', values.map(String), dims);
  }
}

function flagColumn(control: LiveFlagControl, rows: readonly BatchRow[], pick: (row: BatchRow) => boolean): ort.Tensor {
  return columnTensor(
    control.onnxType,
    rows.map((row) => (pick(row) ? control.trueValue : control.falseValue)),
  );
}

/** The CORRID tensor's element for one row; a padding row's "" becomes "0" so a string Cast parses. */
function corridElement(type: OnnxElementType, corrid: CorridValue): number | bigint | string {
  if (type === 'STRING') {
    const text = typeof corrid === 'string' ? corrid : typeof corrid === 'number' ? String(corrid) : 'u64' in corrid ? corrid.u64 : corrid.i64;
    return text === '' ? '0' : text;
  }
  if (typeof corrid === 'number') return type === 'INT64' || type === 'UINT64' ? BigInt(corrid) : corrid;
  if (typeof corrid === 'string') return 0;
  return BigInt('u64' in corrid ? corrid.u64 : corrid.i64);
}

/**
 * The feeds Triton's backend would see for one batch: INPUT, the control tensors and the state
 * input, one row per batch row in order (padding rows: READY false, INPUT 0, a throw-away state).
 */
export function batchFeeds(spec: LiveTensorSpec, rows: readonly BatchRow[], stateType: OnnxElementType): Record<string, ort.Tensor> {
  const feeds: Record<string, ort.Tensor> = {
    [spec.input]: columnTensor(
      stateType,
      rows.map((row) => row.request?.input ?? 0),
    ),
    [spec.stateInput]: columnTensor(
      stateType,
      rows.map((row) => (row.state.initialized ? row.state.value : UNINITIALIZED_STATE_GARBAGE)),
    ),
  };
  if (spec.start !== undefined) feeds[spec.start.tensorName] = flagColumn(spec.start, rows, (row) => row.start);
  if (spec.end !== undefined) feeds[spec.end.tensorName] = flagColumn(spec.end, rows, (row) => row.end);
  if (spec.ready !== undefined) feeds[spec.ready.tensorName] = flagColumn(spec.ready, rows, (row) => row.ready);
  if (spec.corrid !== undefined) {
    const type = spec.corrid.onnxType;
    feeds[spec.corrid.tensorName] = columnTensor(type, rows.map((row) => corridElement(type, row.corrid)) as Numeric[] | string[]);
  }
  return feeds;
}
