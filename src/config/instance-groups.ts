import { INSTANCE_KINDS, readEnum, type InstanceKindName } from './enums.ts';
import type { JsonReader } from './json-reader.ts';

const GROUP_FIELDS = ['name', 'kind', 'count', 'rate_limiter', 'gpus', 'secondary_devices', 'profile', 'passive', 'host_policy'];
/** Per group: beyond this a simulated run's slot tables stop being small. */
export const MAX_GROUP_COUNT = 4096;
/** Triton's SetDefaultInstanceCount: these backends get 2 CPU instances when count is unset. */
const TWO_CPU_INSTANCE_BACKENDS = ['tensorflow', 'onnxruntime'];
/** Platforms whose backend Triton fills in from the platform name (AutoCompleteBackendFields). */
const PLATFORM_BACKENDS: Record<string, string> = {
  tensorflow_graphdef: 'tensorflow',
  tensorflow_savedmodel: 'tensorflow',
  onnxruntime_onnx: 'onnxruntime',
  pytorch_libtorch: 'pytorch',
  tensorrt_plan: 'tensorrt',
};

export interface InstanceGroups {
  /** The groups as Triton's JSON form writes them, count and kind filled in. */
  readonly normalized: Record<string, unknown>[];
  readonly instanceCount: number;
}

/**
 * instance_group, normalised as Triton's NormalizeInstanceGroup does on a server without GPUs
 * (seqsim has none): no groups → one group; KIND_AUTO → KIND_CPU; count 0 / unset → 1 (2 on CPU
 * for the tensorflow and onnxruntime backends). A KIND_GPU group is taken to have its GPUs: it runs
 * `count` instances on each GPU in `gpus`, or `count` instances when `gpus` is empty (one GPU).
 */
export function readInstanceGroups(root: JsonReader): InstanceGroups {
  const backend = backendOf(root);
  const groups = root.optionalArray('instance_group');
  if (groups.length === 0) {
    const count = defaultCount('KIND_CPU', backend);
    return { normalized: [{ count, kind: 'KIND_CPU' }], instanceCount: count };
  }
  let instanceCount = 0;
  const normalized = groups.map((group) => {
    group.object();
    group.onlyKeys(GROUP_FIELDS);
    if (group.has('name')) group.child('name').string();
    const written = group.optional('kind', (r) => readEnum(r, INSTANCE_KINDS), 'KIND_AUTO');
    const kind = written === 'KIND_AUTO' ? 'KIND_CPU' : written;
    const countWritten = group.optional('count', (r) => r.protoInt(0, MAX_GROUP_COUNT), 0);
    const count = countWritten === 0 ? defaultCount(kind, backend) : countWritten;
    const gpus = group.optionalArray('gpus').map((r) => r.protoInt(0, 2 ** 31 - 1));
    if (group.has('profile')) for (const r of group.child('profile').array()) r.string();
    if (group.has('passive')) group.child('passive').boolean();
    if (group.has('host_policy')) group.child('host_policy').string();
    if (group.has('rate_limiter')) group.child('rate_limiter').object();
    if (group.has('secondary_devices')) for (const r of group.child('secondary_devices').array()) r.object();
    instanceCount += kind === 'KIND_GPU' ? count * Math.max(1, gpus.length) : count;
    return { ...(group.copy() as Record<string, unknown>), count, kind };
  });
  return { normalized, instanceCount };
}

function backendOf(root: JsonReader): string {
  if (root.has('backend')) return root.child('backend').string();
  return root.has('platform') ? (PLATFORM_BACKENDS[root.child('platform').string()] ?? '') : '';
}

function defaultCount(kind: InstanceKindName, backend: string): number {
  return kind === 'KIND_CPU' && TWO_CPU_INSTANCE_BACKENDS.includes(backend) ? 2 : 1;
}
