import { DATA_TYPES, readEnum } from './enums.ts';
import type { JsonReader } from './json-reader.ts';
import { configMessages as msg } from './triton-messages.ts';

/** BatchInput.Kind and BatchOutput.Kind (model_config.proto), in proto order; each takes one source input. */
const BATCH_INPUT_KINDS = [
  'BATCH_ELEMENT_COUNT',
  'BATCH_ACCUMULATED_ELEMENT_COUNT',
  'BATCH_ACCUMULATED_ELEMENT_COUNT_WITH_ZERO',
  'BATCH_MAX_ELEMENT_COUNT_AS_SHAPE',
  'BATCH_ITEM_SHAPE',
  'BATCH_ITEM_SHAPE_FLATTEN',
] as const;
const BATCH_OUTPUT_KINDS = ['BATCH_SCATTER_WITH_INPUT_SHAPE'] as const;
const BATCH_INPUT_FIELDS = ['target_name', 'kind', 'data_type', 'source_input'];
const BATCH_OUTPUT_FIELDS = ['target_name', 'kind', 'source_input'];

/**
 * batch_input / batch_output, checked as Triton's ValidateBatchIO does, and kept as written. They
 * describe tensors Triton computes from a batch's shapes for the backend (element counts, scatter
 * of a batched output); the sequence batcher forms the same batches with or without them, so the
 * simulation is unaffected.
 */
export function checkBatchIo(root: JsonReader, inputs: readonly Record<string, unknown>[], outputs: readonly Record<string, unknown>[], model: string): void {
  const inputNames = new Set(inputs.map((t) => t['name'] as string));
  const outputNames = new Set(outputs.map((t) => t['name'] as string));
  const fail = (reader: JsonReader, message: string): never => reader.fail(msg.forModel(message, model));
  for (const batchInput of root.optionalArray('batch_input')) {
    batchInput.object();
    batchInput.onlyKeys(BATCH_INPUT_FIELDS);
    for (const target of batchInput.optionalArray('target_name')) target.string();
    const kind = batchInput.optional('kind', (r) => readEnum(r, BATCH_INPUT_KINDS), BATCH_INPUT_KINDS[0]);
    const sources = batchInput.optionalArray('source_input');
    if (sources.length !== 1) fail(batchInput.child('source_input'), msg.batchInputSources(kind, sources.length));
    const dataType = batchInput.optional('data_type', (r) => readEnum(r, DATA_TYPES), 'TYPE_INVALID');
    if (dataType !== 'TYPE_INT32' && dataType !== 'TYPE_FP32') fail(batchInput.child('data_type'), msg.batchInputDataType());
    for (const source of sources) if (!inputNames.has(source.string())) fail(source, msg.unknownSourceInput(source.string()));
  }
  for (const batchOutput of root.optionalArray('batch_output')) {
    batchOutput.object();
    batchOutput.onlyKeys(BATCH_OUTPUT_FIELDS);
    const kind = batchOutput.optional('kind', (r) => readEnum(r, BATCH_OUTPUT_KINDS), BATCH_OUTPUT_KINDS[0]);
    const sources = batchOutput.optionalArray('source_input');
    if (sources.length !== 1) fail(batchOutput.child('source_input'), msg.batchOutputSources(kind, sources.length));
    for (const source of sources) if (!inputNames.has(source.string())) fail(source, msg.unknownSourceInput(source.string()));
    const targets = new Set<string>();
    for (const target of batchOutput.optionalArray('target_name')) {
      const name = target.string();
      if (!outputNames.has(name)) fail(target, msg.unknownTargetOutput(name));
      if (targets.has(name)) fail(target, msg.targetOutputTwice(name));
      targets.add(name);
    }
  }
}
