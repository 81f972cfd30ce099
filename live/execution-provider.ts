import { SetupError } from '../src/core/input-errors.ts';
import * as ort from 'onnxruntime-node';
import type { OrtThreadOptions } from './ort-threads.ts';
import { errorMessage } from '../src/core/error-message.ts';

export type ProviderRequest = 'cuda' | 'webgpu' | 'cpu' | 'auto';
export type ProviderName = 'cuda' | 'webgpu' | 'cpu';
export const PROVIDER_REQUESTS: readonly ProviderRequest[] = ['auto', 'cuda', 'webgpu', 'cpu'];

/** The one command that adds the CUDA provider libraries, which the default install skips. */
export const CUDA_INSTALL_COMMAND = 'ONNXRUNTIME_NODE_INSTALL=cuda12 node node_modules/onnxruntime-node/script/install.js';

/** The requested execution provider is not available here: exit 2, with the fix. */
export class ProviderUnavailableError extends SetupError {
  constructor(
    readonly provider: ProviderName,
    readonly detail: string,
  ) {
    super(`${fixFor(provider)} (onnxruntime said: ${detail})`);
    this.name = 'ProviderUnavailableError';
  }
}

function fixFor(provider: ProviderName): string {
  switch (provider) {
    case 'cuda':
      return (
        `the CUDA execution provider is not available: on a machine with an NVIDIA GPU, CUDA 12 ` +
        `and cuDNN 9, run \`${CUDA_INSTALL_COMMAND}\` (npm ci skips that download), or use --ep cpu`
      );
    case 'webgpu':
      return 'the WebGPU execution provider found no usable GPU adapter: run on a machine with a GPU and a Vulkan/Dawn driver, or use --ep cpu';
    case 'cpu':
      return 'the CPU execution provider failed to start: reinstall onnxruntime-node (npm ci)';
  }
}

/** The model itself does not load (checked on the CPU provider first, so it is not blamed on a GPU). */
export class ModelLoadError extends SetupError {
  constructor(
    readonly modelName: string,
    detail: string,
  ) {
    super(`${modelName}: onnxruntime cannot load this model: ${detail}`);
    this.name = 'ModelLoadError';
  }
}

export interface OpenedSessions {
  readonly provider: ProviderName;
  readonly sessions: ort.InferenceSession[];
}

let quieted = false;

/**
 * Opens one InferenceSession per model instance on the requested provider. `auto` tries CUDA,
 * then CPU; an explicit provider that cannot start is a ProviderUnavailableError naming the fix.
 */
export async function openSessions(
  model: Uint8Array,
  modelName: string,
  instances: number,
  request: ProviderRequest,
  threads: OrtThreadOptions = {},
): Promise<OpenedSessions> {
  if (!quieted) {
    // onnxruntime logs a failed provider probe as an ERROR line; seqsim reports it itself.
    ort.env.logLevel = 'fatal';
    quieted = true;
  }
  try {
    await (await ort.InferenceSession.create(model, { executionProviders: ['cpu'], logSeverityLevel: 4 })).release();
  } catch (error) {
    throw new ModelLoadError(modelName, errorMessage(error));
  }
  const candidates: ProviderName[] = request === 'auto' ? ['cuda', 'cpu'] : [request];
  let lastError: ProviderUnavailableError | undefined;
  for (const provider of candidates) {
    try {
      const sessions: ort.InferenceSession[] = [];
      for (let instance = 0; instance < instances; instance++) {
        sessions.push(await openSession(model, provider, threads));
      }
      return { provider, sessions };
    } catch (error) {
      lastError = new ProviderUnavailableError(provider, errorMessage(error));
    }
  }
  throw lastError!;
}

/** One more session of a model on a provider already known to work (a lifecycle's new instances). */
export function openSession(model: Uint8Array, provider: ProviderName, threads: OrtThreadOptions = {}): Promise<ort.InferenceSession> {
  return ort.InferenceSession.create(model, { executionProviders: [provider], logSeverityLevel: 4, ...threads });
}
