/**
 * What protobuf text format cannot say by itself about ModelConfig (common/protobuf/model_config.proto):
 * which fields repeat (so one entry still becomes an array), which are maps (written as repeated
 * `{ key: … value: … }` entries, JSON objects in Triton's JSON form) and which are bools (text
 * format also accepts 0 / 1 there).
 */
const REPEATED = new Set([
  'input',
  'output',
  'batch_input',
  'batch_output',
  'instance_group',
  'model_warmup',
  'gpus',
  'secondary_devices',
  'profile',
  'resources',
  'shape',
  'dims',
  'dim',
  'target_name',
  'source_input',
  'versions',
  'graph_spec',
  'gpu_execution_accelerator',
  'cpu_execution_accelerator',
  'preferred_batch_size',
  'control_input',
  'control',
  'int32_false_true',
  'fp32_false_true',
  'bool_false_true',
  'state',
  'initial_state',
  'step',
  'op_library_filename',
  'agents',
  'metric_control',
  'buckets',
]);

/** Map fields, wherever they appear; `input` is a map only inside a CUDA graph spec. */
const MAPS = new Set(['cc_model_filenames', 'metric_tags', 'parameters', 'input_map', 'output_map', 'inputs', 'priority_queue_policy']);
/** Maps whose values are messages (the others map to strings); graph spec `input` maps to Shape messages. */
const MESSAGE_VALUED_MAPS = new Set(['parameters', 'inputs', 'priority_queue_policy', 'input']);
/** The one map with an integer key (uint64 priority level); every other map has string keys. */
const INTEGER_KEYED_MAPS = new Set(['priority_queue_policy']);
const GRAPH_SPEC_MESSAGES = new Set(['graph_spec', 'graph_lower_bound']);

const BOOLEANS = new Set([
  'global',
  'passive',
  'is_shape_tensor',
  'allow_ragged_batch',
  'optional',
  'is_non_linear_format_io',
  'graphs',
  'busy_wait_events',
  'output_copy_stream',
  'enable',
  'eager_batching',
  'preserve_ordering',
  'allow_timeout_override',
  'bool_false_true',
  'zero_data',
  'use_same_buffer_for_input_output',
  'use_growable_memory',
  'iterative_sequence',
  'random_data',
  'decoupled',
  'bool_param',
]);

export type FieldShape = 'map' | 'repeated' | 'single';

/** `parent` is the name of the field whose message holds this one ('' at the top). */
export function fieldShape(parent: string, name: string): FieldShape {
  if (name === 'input' && GRAPH_SPEC_MESSAGES.has(parent)) return 'map';
  if (MAPS.has(name)) return 'map';
  return REPEATED.has(name) ? 'repeated' : 'single';
}

export function isBooleanField(name: string): boolean {
  return BOOLEANS.has(name);
}

/**
 * What a map entry that leaves out its key or value holds: protobuf text format fills in the
 * field's default ("" or 0 for the key, an empty message or "" for the value).
 */
export function mapEntryDefaults(name: string): { readonly key: string | number; readonly value: Record<string, never> | string } {
  return { key: INTEGER_KEYED_MAPS.has(name) ? 0 : '', value: MESSAGE_VALUED_MAPS.has(name) ? {} : '' };
}

export function isMessageValuedMap(name: string): boolean {
  return MESSAGE_VALUED_MAPS.has(name);
}
