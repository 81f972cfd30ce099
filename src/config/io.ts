import { TENSOR_DATA_TYPES, type TensorDataType } from './types.ts';
import { DATA_TYPES, INPUT_FORMATS, readEnum } from './enums.ts';
import type { JsonReader } from './json-reader.ts';
import { configMessages as msg, type IoKind } from './triton-messages.ts';

/** ModelInput / ModelOutput fields (proto order); the ones seqsim does not simulate are kept as written. */
const FIELDS: Record<IoKind, readonly string[]> = {
  input: ['name', 'data_type', 'format', 'dims', 'reshape', 'is_shape_tensor', 'allow_ragged_batch', 'optional', 'is_non_linear_format_io'],
  output: ['name', 'data_type', 'dims', 'reshape', 'label_filename', 'is_shape_tensor', 'is_non_linear_format_io'],
};
const BOOLEAN_FIELDS = ['is_shape_tensor', 'allow_ragged_batch', 'optional', 'is_non_linear_format_io'];
const WILDCARD_DIM = -1;
const INT64_SAFE = Number.MAX_SAFE_INTEGER;
/** Triton's kTensorRTPlanPlatform: the one platform with shape tensors and non-linear IO formats. */
export const TENSORRT_PLATFORM = 'tensorrt_plan';

/** What tensor validation needs to know about the model. */
export interface TensorContext {
  readonly model: string;
  readonly maxBatchSize: number;
  /** The platform, filled in from the backend as Triton's auto-complete does ('' when neither is given). */
  readonly platform: string;
}

/**
 * `input` / `output`: validated like Triton's ValidateIOShape. Absent means the QA accumulator's
 * tensor (INT32 `INPUT` / `OUTPUT`, dims [1]), as SCENARIO.md "The model part" says.
 */
export function readTensors(root: JsonReader, io: IoKind, context: TensorContext): Record<string, unknown>[] {
  const model = context.model;
  const key = io;
  if (!root.has(key)) return [{ name: io === 'input' ? 'INPUT' : 'OUTPUT', data_type: 'TYPE_INT32', dims: [1] }];
  const list = root.child(key).array();
  if (list.length === 0)
    root.child(key).fail(`must list at least one ${io} tensor (leave it out for the accumulator's ${io === 'input' ? 'INPUT' : 'OUTPUT'})`);
  const seen = new Set<string>();
  return list.map((tensor) => {
    const normalized = readTensor(tensor, io, context);
    const name = normalized['name'] as string;
    if (seen.has(name)) tensor.child('name').fail(`model ${io} '${name}' is listed more than once for ${model}`);
    seen.add(name);
    return normalized;
  });
}

/** One tensor, checked in the order of Triton's ValidateIOShape, then ValidateModelInput / ValidateModelOutput. */
function readTensor(tensor: JsonReader, io: IoKind, context: TensorContext): Record<string, unknown> {
  const model = context.model;
  tensor.object();
  tensor.onlyKeys(FIELDS[io]);
  const name = tensor.optional('name', (r) => r.string(), '');
  if (name.length === 0) tensor.fail(msg.ioNeedsName(io, model));
  const dataType = tensor.optional('data_type', (r) => readEnum(r, DATA_TYPES), 'TYPE_INVALID');
  if (dataType === 'TYPE_INVALID') tensor.fail(msg.ioNeedsDataType(io, name, model), tensor.pathOf('data_type'));
  const dimReaders = tensor.optionalArray('dims');
  if (dimReaders.length === 0) tensor.fail(msg.ioNeedsDims(io, name, model), tensor.pathOf('dims'));
  const reshape = tensor.has('reshape') ? readReshape(tensor.child('reshape')) : undefined;
  if (reshape !== undefined && reshape.dims.length === 0 && context.maxBatchSize === 0) {
    reshape.reader.fail(msg.forModel(msg.ioEmptyReshape(io, name), model));
  }
  const dims = dimReaders.map((r) => {
    const dim = r.protoInt(-INT64_SAFE, INT64_SAFE);
    if (dim < 1 && dim !== WILDCARD_DIM) r.fail(msg.ioDim(io, name, model));
    return dim;
  });
  if (reshape !== undefined) checkReshape(dims, reshape, io, name, model);
  const format = tensor.optional('format', (r) => readEnum(r, INPUT_FORMATS), 'FORMAT_NONE');
  if (tensor.has('label_filename')) tensor.child('label_filename').string();
  for (const flag of BOOLEAN_FIELDS) if (tensor.has(flag)) tensor.child(flag).boolean();
  if (format !== 'FORMAT_NONE' && dims.length !== 3) tensor.fail(msg.forModel(msg.inputFormatDims(), model), tensor.pathOf('format'));
  const flag = (key: string) => tensor.optional(key, (r) => r.boolean(), false);
  const tensorRt = context.platform === TENSORRT_PLATFORM;
  if (flag('is_shape_tensor') && !tensorRt) tensor.fail(msg.forModel(msg.shapeTensorPlatform(), model), tensor.pathOf('is_shape_tensor'));
  if (flag('is_non_linear_format_io')) {
    if (!tensorRt) tensor.fail(msg.forModel(msg.nonLinearPlatform(), model), tensor.pathOf('is_non_linear_format_io'));
    if (dims.length !== 3) tensor.fail(msg.forModel(msg.nonLinearDims(io), model), tensor.pathOf('dims'));
  }
  // Kept as written, with name / data_type / dims in their normalised form (their keys stay where
  // the user put them, so a normalised config normalises to itself byte for byte).
  return { ...(tensor.copy() as Record<string, unknown>), name, data_type: dataType, dims };
}

interface Reshape {
  readonly reader: JsonReader;
  /** The `shape` reader of each dimension, and the dimensions as read. */
  readonly dimReaders: readonly JsonReader[];
  readonly dims: readonly number[];
}

function readReshape(reader: JsonReader): Reshape {
  reader.object();
  reader.onlyKeys(['shape']);
  const dimReaders = reader.optionalArray('shape');
  return { reader, dimReaders, dims: dimReaders.map((r) => r.protoInt(-INT64_SAFE, INT64_SAFE)) };
}

/**
 * Triton's reshape rules: every reshape dimension ≥ 1 or -1; dims and reshape hold the same number
 * of elements (an empty reshape, a scalar, matches dims of one element); with variable-size
 * dimensions, the runs of fixed dimensions between them hold the same number of elements pairwise.
 * seqsim keeps reshape as written: the batcher moves whole requests and never looks inside a tensor.
 */
function checkReshape(dims: readonly number[], reshape: Reshape, io: IoKind, name: string, model: string): void {
  for (const [i, dim] of reshape.dims.entries()) {
    if (dim < 1 && dim !== WILDCARD_DIM) reshape.dimReaders[i]!.fail(msg.forModel(msg.ioReshapeDim(io, name), model));
  }
  const dimsCount = elementCount(dims);
  const reshapeCount = elementCount(reshape.dims);
  if (dimsCount !== reshapeCount && (reshapeCount !== 0n || dimsCount !== 1n)) reshape.reader.fail(msg.forModel(msg.ioReshapeSize(io, name), model));
  if (dimsCount !== -1n) return;
  const dimRuns = fixedRuns(dims);
  const reshapeRuns = fixedRuns(reshape.dims);
  if (dimRuns.length !== reshapeRuns.length) reshape.reader.fail(msg.forModel(msg.ioReshapeVariableDims(io, name), model));
  if (dimRuns.some((count, i) => count !== reshapeRuns[i])) reshape.reader.fail(msg.forModel(msg.ioReshapeSize(io, name), model));
}

/** Elements in a shape as Triton counts them: -1 when any dimension is variable, 0 for no dimensions. */
function elementCount(dims: readonly number[]): bigint {
  if (dims.includes(WILDCARD_DIM)) return -1n;
  return dims.length === 0 ? 0n : dims.reduce((count, dim) => count * BigInt(dim), 1n);
}

/** The element count of each run of fixed dimensions between variable-size ones. */
function fixedRuns(dims: readonly number[]): bigint[] {
  const runs: bigint[] = [];
  let count = 1n;
  for (const dim of dims) {
    if (dim === WILDCARD_DIM) {
      runs.push(count);
      count = 1n;
    } else count *= BigInt(dim);
  }
  runs.push(count);
  return runs;
}

/** The accumulator computes in its first input's type (spec qa-sequence-models.md; src/model/reference.ts). */
export function accumulatorType(root: JsonReader, inputs: readonly Record<string, unknown>[]): TensorDataType {
  const dataType = inputs[0]!['data_type'];
  if ((TENSOR_DATA_TYPES as readonly unknown[]).includes(dataType)) return dataType as TensorDataType;
  return root.fail(`seqsim's accumulator model computes in ${TENSOR_DATA_TYPES.join(', ')}, got ${String(dataType)}`, `${root.pathOf('input')}[0].data_type`);
}
