import type { ModelConfig } from '../../src/config/types.ts';
import type { LiveTensorSpec } from '../tensor-spec.ts';
import { datatypeOfConfigType, type RequestDatatype } from './datatypes.ts';
import { KserveError, invalidArg } from './kserve-error.ts';
import { modelConfigJson, servedModelConfig } from './model-config-json.ts';

/** The one version `seqsim serve` serves (Triton's version directory `1/`). */
export const SERVED_VERSION = '1';

export interface ServedTensor {
  readonly name: string;
  readonly datatype: RequestDatatype;
  /** Dims as the config writes them, without the batch dimension (-1: any size). */
  readonly dims: readonly number[];
  readonly optional: boolean;
}

export interface TensorMetadata {
  readonly name: string;
  readonly datatype: string;
  readonly shape: readonly number[];
}

export interface ModelMetadata {
  readonly name: string;
  readonly versions: readonly string[];
  readonly platform: string;
  readonly inputs: readonly TensorMetadata[];
  readonly outputs: readonly TensorMetadata[];
}

function tensorsOf(list: unknown): ServedTensor[] {
  if (!Array.isArray(list)) return [];
  return list.map((entry: Record<string, unknown>) => ({
    name: String(entry['name']),
    datatype: datatypeOfConfigType(String(entry['data_type'] ?? 'TYPE_INVALID')),
    dims: Array.isArray(entry['dims']) ? entry['dims'].map(Number) : [],
    optional: entry['optional'] === true,
  }));
}

/**
 * What both front ends know about the served model: its name and version, the config's tensors
 * (for Triton's request checks and the metadata), which input feeds the accumulator and which output
 * carries its value, and the config in Triton's forms.
 */
export class ServedModel {
  readonly name: string;
  readonly maxBatchSize: number;
  readonly inputs: readonly ServedTensor[];
  readonly outputs: readonly ServedTensor[];
  /** The input whose one element is the step's value, and the output that returns the sum. */
  readonly valueInput: string;
  readonly valueOutput: ServedTensor;
  /** The config as Triton serves it (protocol field names), for gRPC ModelConfig. */
  readonly config: Readonly<Record<string, unknown>>;
  private configJsonCache: Record<string, unknown> | undefined;

  constructor(
    readonly model: ModelConfig,
    normalizedModel: Readonly<Record<string, unknown>>,
    spec: LiveTensorSpec,
  ) {
    this.name = model.name;
    this.maxBatchSize = model.maxBatchSize;
    this.inputs = tensorsOf(normalizedModel['input']);
    this.outputs = tensorsOf(normalizedModel['output']);
    this.valueInput = spec.input;
    const valueDatatype = model.tensorDataType === 'TYPE_FP32' ? 'FP32' : 'INT32';
    this.valueOutput = this.outputs.find((output) => output.name === spec.output) ?? { name: spec.output, datatype: valueDatatype, dims: [1], optional: false };
    this.config = servedModelConfig(normalizedModel);
  }

  /** Triton's JSON form of the config (`GET /v2/models/<m>/config`). */
  configJson(): Record<string, unknown> {
    this.configJsonCache ??= modelConfigJson(this.config);
    return this.configJsonCache;
  }

  metadata(): ModelMetadata {
    const batchDim = this.maxBatchSize > 0 ? [-1] : [];
    const describe = (tensor: ServedTensor): TensorMetadata => ({ name: tensor.name, datatype: tensor.datatype, shape: [...batchDim, ...tensor.dims] });
    return {
      name: this.name,
      versions: [SERVED_VERSION],
      platform: 'onnxruntime_onnx',
      inputs: this.inputs.map(describe),
      outputs: this.outputs.map(describe),
    };
  }

  /**
   * Finds the model a request names, with Triton's messages: a bad version string is INVALID_ARG,
   * an unknown name or version NOT_FOUND (`Request for unknown model: …`).
   */
  resolve(name: string, version: string): void {
    const parsed = parseModelVersion(version);
    if (name !== this.name) throw new KserveError('NOT_FOUND', `Request for unknown model: '${name}' is not found`);
    if (parsed !== -1 && String(parsed) !== SERVED_VERSION) {
      throw new KserveError('NOT_FOUND', `Request for unknown model: '${name}' version ${parsed} is not found`);
    }
  }
}

/** Triton's GetModelVersionFromString: empty is "latest" (-1); otherwise a non-negative integer. */
export function parseModelVersion(version: string): number {
  if (version === '') return -1;
  const match = /^\s*([+-]?\d+)/.exec(version);
  if (match === null) {
    throw invalidArg(`failed to get model version from specified version string '${version}' (details: stol), version should be an integral value > 0`);
  }
  const parsed = Number(match[1]);
  if (!Number.isSafeInteger(parsed)) {
    throw invalidArg(`failed to get model version from specified version string '${version}' (details: stol), version should be an integral value > 0`);
  }
  if (parsed < 0) throw invalidArg(`invalid model version specified '${version}' , version should be an integral value > 0`);
  return parsed;
}
