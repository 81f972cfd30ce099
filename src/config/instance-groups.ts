import { INSTANCE_KINDS, readEnum, type InstanceKindName } from './enums.ts';
import type { JsonReader } from './json-reader.ts';
import { configMessages as msg } from './triton-messages.ts';

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
/** Backends whose platform Triton's auto-complete fills in when only the backend is given. */
const BACKEND_PLATFORMS: Record<string, string> = { onnxruntime: 'onnxruntime_onnx', pytorch: 'pytorch_libtorch', tensorrt: 'tensorrt_plan' };
/**
 * The GPU ids seqsim's simulated server has. seqsim cannot see the server a config is meant for, so
 * it takes the largest NVIDIA node (8 GPUs, as in a DGX): an id Triton refuses on every machine
 * (negative, or 8 and above) is refused with Triton's message, and a config written for a real
 * multi-GPU server loads.
 */
export const SIMULATED_GPU_IDS: readonly number[] = [0, 1, 2, 3, 4, 5, 6, 7];
/** Triton's default minimum CUDA compute capability (6.0), as its message prints a double. */
const MIN_COMPUTE_CAPABILITY = '6.000000';

export interface InstanceGroups {
  /** The groups as Triton's JSON form writes them, count and kind filled in. */
  readonly normalized: Record<string, unknown>[];
  readonly instanceCount: number;
}

/**
 * instance_group, normalised as Triton's NormalizeInstanceGroup does and checked as its
 * ValidateInstanceGroup does. Groups get Triton's default names (`<model>_<index>`); count 0 /
 * unset → 1 (2 on CPU for the tensorflow and onnxruntime backends). KIND_AUTO without `gpus` →
 * KIND_CPU (seqsim's instance counts never depend on a GPU count); KIND_AUTO with `gpus` → KIND_GPU
 * when every listed id is one of SIMULATED_GPU_IDS, else KIND_CPU (which then may not list GPUs).
 * A KIND_GPU group runs `count` instances on each GPU in `gpus`, or `count` instances when `gpus` is
 * empty (one GPU).
 */
export function readInstanceGroups(root: JsonReader, model: string): InstanceGroups {
  const backend = backendOf(root);
  const platform = platformOf(root);
  const groups = root.optionalArray('instance_group');
  if (groups.length === 0) {
    const count = defaultCount('KIND_CPU', backend);
    return { normalized: [{ count, kind: 'KIND_CPU' }], instanceCount: count };
  }
  let instanceCount = 0;
  const normalized = groups.map((group, index) => {
    group.object();
    group.onlyKeys(GROUP_FIELDS);
    const name = group.optional('name', (r) => r.string(), '') || `${model}_${index}`;
    const written = group.optional('kind', (r) => readEnum(r, INSTANCE_KINDS), 'KIND_AUTO');
    const countWritten = group.optional('count', (r) => r.protoInt(0, MAX_GROUP_COUNT), 0);
    const gpuReaders = group.optionalArray('gpus');
    const gpus = gpuReaders.map((r) => r.protoInt(-(2 ** 31), 2 ** 31 - 1));
    const kind = written === 'KIND_AUTO' ? autoKind(gpus) : written;
    if ((kind === 'KIND_CPU' || kind === 'KIND_MODEL') && gpus.length > 0) group.child('gpus').fail(msg.groupGpusOnKind(name, model, kind));
    for (const [i, gpu] of gpus.entries()) {
      if (!SIMULATED_GPU_IDS.includes(gpu)) gpuReaders[i]!.fail(msg.groupInvalidGpu(name, model, gpu, MIN_COMPUTE_CAPABILITY, SIMULATED_GPU_IDS.join(', ')));
    }
    checkProfiles(group, name, model, platform);
    if (group.has('passive')) group.child('passive').boolean();
    if (group.has('host_policy')) group.child('host_policy').string();
    if (group.has('rate_limiter')) group.child('rate_limiter').object();
    if (group.has('secondary_devices')) for (const r of group.child('secondary_devices').array()) r.object();
    const count = countWritten === 0 ? defaultCount(kind, backend) : countWritten;
    instanceCount += kind === 'KIND_GPU' ? count * Math.max(1, gpus.length) : count;
    return { ...(group.copy() as Record<string, unknown>), count, kind };
  });
  return { normalized, instanceCount };
}

/** Triton's KIND_AUTO: KIND_GPU when GPUs are listed and all exist (see readInstanceGroups for no GPUs listed). */
function autoKind(gpus: readonly number[]): InstanceKindName {
  return gpus.length > 0 && gpus.every((gpu) => SIMULATED_GPU_IDS.includes(gpu)) ? 'KIND_GPU' : 'KIND_CPU';
}

/** `profile` names TensorRT optimisation profiles: only TensorRT models have them, each a non-negative integer. */
function checkProfiles(group: JsonReader, name: string, model: string, platform: string): void {
  const profiles = group.optionalArray('profile');
  if (profiles.length === 0) return;
  if (platform !== 'tensorrt_plan') group.child('profile').fail(msg.groupProfilePlatform(name, model, platform));
  for (const reader of profiles) {
    const profile = reader.string();
    if (profile.length === 0) reader.fail(msg.groupProfileEmpty());
    // std::stoi: leading whitespace, a sign and digits; the rest is ignored.
    const digits = /^[ \t\n\v\f\r]*([+-]?\d+)/.exec(profile)?.[1];
    if (digits === undefined) reader.fail(msg.groupProfileUnparsable(profile));
    if (Number(digits) < 0) reader.fail(msg.groupProfileNegative(name, model, platform, profile));
  }
}

/** The platform as Triton's auto-complete leaves it: as written, else from the backend. */
export function platformOf(root: JsonReader): string {
  if (root.has('platform')) return root.child('platform').string();
  return root.has('backend') ? (BACKEND_PLATFORMS[root.child('backend').string()] ?? '') : '';
}

function backendOf(root: JsonReader): string {
  if (root.has('backend')) return root.child('backend').string();
  return root.has('platform') ? (PLATFORM_BACKENDS[root.child('platform').string()] ?? '') : '';
}

function defaultCount(kind: InstanceKindName, backend: string): number {
  return kind === 'KIND_CPU' && TWO_CPU_INSTANCE_BACKENDS.includes(backend) ? 2 : 1;
}
