import { INVALID_DATATYPE, elementBytes, writeElement } from './datatypes.ts';
import type { SequenceInfer } from './infer-request.ts';
import type { ServedModel, ServedTensor } from './served-model.ts';

/** One output tensor of a response, in both forms a front end may send: bytes and JSON values. */
export interface OutputTensor {
  readonly name: string;
  readonly datatype: string;
  readonly shape: readonly number[];
  /** Little-endian bytes (HTTP binary extension, gRPC raw_output_contents). */
  readonly bytes: Uint8Array;
  /** The elements as JSON writes them (HTTP `data`). */
  readonly data: readonly (number | boolean)[];
}

/**
 * The accumulator's value as each output the request asked for: shape [1, …dims] for a batching
 * model (any -1 dim is 1: one element), the config's dims otherwise.
 */
export function outputTensors(infer: SequenceInfer, model: ServedModel, value: number): OutputTensor[] {
  return infer.outputs.map((output) => tensorOf(output, model, value));
}

function tensorOf(output: ServedTensor, model: ServedModel, value: number): OutputTensor {
  const dims = output.dims.map((dim) => (dim === -1 ? 1 : dim));
  const shape = model.maxBatchSize > 0 ? [1, ...dims] : dims;
  // The accumulator's outputs are INT32 or FP32; any other config type is answered as INT32.
  const datatype =
    output.datatype === INVALID_DATATYPE || output.datatype === 'BYTES' || output.datatype === 'FP16' || output.datatype === 'BF16' ? 'INT32' : output.datatype;
  const bytes = new Uint8Array(elementBytes(datatype));
  writeElement(new DataView(bytes.buffer), 0, datatype, datatype === 'FP32' || datatype === 'FP64' ? value : Math.trunc(value));
  return { name: output.name, datatype, shape, bytes, data: [datatype === 'BOOL' ? value !== 0 : value] };
}
