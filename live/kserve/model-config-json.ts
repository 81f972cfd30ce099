import protobuf from 'protobufjs';
import { protocolRoot } from './protocol-schema.ts';

/** The ONNX Runtime backend's names, as Triton fills them in for an ONNX model. */
const ONNX_PLATFORM = 'onnxruntime_onnx';
const ONNX_BACKEND = 'onnxruntime';
const ONNX_FILENAME = 'model.onnx';

/**
 * The model config as Triton serves it after loading: the scenario's config with the defaults
 * Triton's core and the onnxruntime backend fill in (version policy, pinned-memory optimisation,
 * instance-group names, platform, backend, default file name). A plain object in the protocol's
 * field names, ready for protobuf encoding.
 */
export function servedModelConfig(normalizedModel: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const config: Record<string, unknown> = { ...normalizedModel };
  const name = String(config['name'] ?? '');
  config['platform'] = config['platform'] || ONNX_PLATFORM;
  config['backend'] = config['backend'] || ONNX_BACKEND;
  config['default_model_filename'] = config['default_model_filename'] || ONNX_FILENAME;
  config['version_policy'] ??= { latest: { num_versions: 1 } };
  const optimization = { ...((config['optimization'] as Record<string, unknown> | undefined) ?? {}) };
  optimization['input_pinned_memory'] ??= { enable: true };
  optimization['output_pinned_memory'] ??= { enable: true };
  config['optimization'] = optimization;
  const groups = Array.isArray(config['instance_group']) && config['instance_group'].length > 0 ? config['instance_group'] : [{ name }];
  config['instance_group'] = groups.map((group: Record<string, unknown>, index: number) => ({
    ...group,
    name: group['name'] || `${name}_${index}`,
    count: group['count'] ?? 1,
    kind: group['kind'] === undefined || group['kind'] === 'KIND_AUTO' ? 'KIND_CPU' : group['kind'],
  }));
  return config;
}

/**
 * 64-bit fields Triton's JSON printer leaves as protobuf's decimal strings (ModelConfigToJson fixes
 * the others to numbers; it looks for `initial_state` in the wrong object, so its dims stay strings).
 */
const STRING_LONGS = new Set([
  'inference.ModelSequenceBatching.InitialState.dims',
  'inference.ModelInstanceGroup.SecondaryDevice.device_id',
  'inference.ModelOptimizationPolicy.Cuda.GraphSpec.Shape.dim',
]);

const LONG_TYPES = new Set(['int64', 'uint64', 'sint64', 'fixed64', 'sfixed64']);

/** protobufjs's object for `message` printed the way protobuf's JSON printer does with defaults. */
function printMessage(type: protobuf.Type, object: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const fields = [...type.fieldsArray].sort((a, b) => a.id - b.id);
  for (const field of fields) {
    const value = object[field.name];
    // Unset sub-messages and oneof members are not printed; primitives, lists and maps are.
    if (value === null || value === undefined) continue;
    const print = (element: unknown): unknown => {
      if (field.resolvedType instanceof protobuf.Type) return printMessage(field.resolvedType, element as Record<string, unknown>);
      if (LONG_TYPES.has(field.type)) return STRING_LONGS.has(`${type.fullName.slice(1)}.${field.name}`) ? String(element) : Number(element);
      return element;
    };
    if (field.map) out[field.name] = Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([key, element]) => [key, print(element)]));
    else if (field.repeated) out[field.name] = (value as unknown[]).map(print);
    else out[field.name] = print(value);
  }
  return out;
}

/**
 * Triton's JSON form of a model config (`GET /v2/models/<m>/config`): protobuf's JSON printing with
 * field names as written and every primitive field present, then 64-bit integers as JSON numbers.
 */
export function modelConfigJson(config: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const type = protocolRoot().lookupType('inference.ModelConfig');
  const message = type.fromObject(config);
  const object = type.toObject(message, { defaults: true, enums: String, longs: String, arrays: true, objects: true, bytes: String });
  return printMessage(type, object);
}
