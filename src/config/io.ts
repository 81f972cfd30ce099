import type { TensorDataType } from './types.ts';
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

/**
 * `input` / `output`: validated like Triton's ValidateIOShape. Absent means the QA accumulator's
 * tensor (INT32 `INPUT` / `OUTPUT`, dims [1]), as SCENARIO.md "The model part" says.
 */
export function readTensors(root: JsonReader, io: IoKind, model: string): Record<string, unknown>[] {
  const key = io;
  if (!root.has(key)) return [{ name: io === 'input' ? 'INPUT' : 'OUTPUT', data_type: 'TYPE_INT32', dims: [1] }];
  const list = root.child(key).array();
  if (list.length === 0)
    root.child(key).fail(`must list at least one ${io} tensor (leave it out for the accumulator's ${io === 'input' ? 'INPUT' : 'OUTPUT'})`);
  const seen = new Set<string>();
  return list.map((tensor) => {
    const normalized = readTensor(tensor, io, model);
    const name = normalized['name'] as string;
    if (seen.has(name)) tensor.child('name').fail(`model ${io} '${name}' is listed more than once for ${model}`);
    seen.add(name);
    return normalized;
  });
}

function readTensor(tensor: JsonReader, io: IoKind, model: string): Record<string, unknown> {
  tensor.object();
  tensor.onlyKeys(FIELDS[io]);
  const name = tensor.optional('name', (r) => r.string(), '');
  if (name.length === 0) tensor.fail(msg.ioNeedsName(io, model));
  const dataType = tensor.optional('data_type', (r) => readEnum(r, DATA_TYPES), 'TYPE_INVALID');
  if (dataType === 'TYPE_INVALID') tensor.fail(msg.ioNeedsDataType(io, name, model), tensor.pathOf('data_type'));
  const dimReaders = tensor.optionalArray('dims');
  if (dimReaders.length === 0) tensor.fail(msg.ioNeedsDims(io, name, model), tensor.pathOf('dims'));
  const dims = dimReaders.map((r) => {
    const dim = r.protoInt(-INT64_SAFE, INT64_SAFE);
    if (dim < 1 && dim !== WILDCARD_DIM) r.fail(msg.ioDim(io, name, model));
    return dim;
  });
  if (tensor.has('format')) readEnum(tensor.child('format'), INPUT_FORMATS);
  if (tensor.has('label_filename')) tensor.child('label_filename').string();
  if (tensor.has('reshape')) tensor.child('reshape').object();
  for (const flag of BOOLEAN_FIELDS) if (tensor.has(flag)) tensor.child(flag).boolean();
  // Kept as written, with name / data_type / dims in their normalised form (their keys stay where
  // the user put them, so a normalised config normalises to itself byte for byte).
  return { ...(tensor.copy() as Record<string, unknown>), name, data_type: dataType, dims };
}

/** The accumulator computes in its first input's type (spec qa-sequence-models.md). */
export function accumulatorType(root: JsonReader, inputs: readonly Record<string, unknown>[]): TensorDataType {
  const dataType = inputs[0]!['data_type'];
  if (dataType === 'TYPE_INT32' || dataType === 'TYPE_FP32') return dataType;
  return root.fail(`seqsim's accumulator model computes in TYPE_INT32 or TYPE_FP32, got ${String(dataType)}`, `${root.pathOf('input')}[0].data_type`);
}
