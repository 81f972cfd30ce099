/**
 * ONNX Runtime's thread pools for a live session, from the model config's `parameters`, as
 * Triton's onnxruntime backend reads them: `intra_op_thread_count` (threads inside one operator)
 * and `inter_op_thread_count` (operators run in parallel), each a `string_value` holding an
 * integer, 0 meaning ONNX Runtime's default (one intra-op thread per physical core).
 */
export interface OrtThreadOptions {
  readonly intraOpNumThreads?: number;
  readonly interOpNumThreads?: number;
}

/** ONNX Runtime refuses absurd pools late and vaguely; seqsim bounds them up front. */
export const MAX_ORT_THREADS = 1024;

const PARAMETERS = { intra_op_thread_count: 'intraOpNumThreads', inter_op_thread_count: 'interOpNumThreads' } as const;

export function ortThreadOptions(model: Record<string, unknown>, file: string): OrtThreadOptions {
  const parameters = model['parameters'];
  if (parameters === undefined || typeof parameters !== 'object' || parameters === null) return {};
  const options: { intraOpNumThreads?: number; interOpNumThreads?: number } = {};
  for (const [key, option] of Object.entries(PARAMETERS)) {
    const entry = (parameters as Record<string, unknown>)[key];
    if (entry === undefined) continue;
    const field = `model.parameters.${key}.string_value`;
    const text = typeof entry === 'object' && entry !== null ? (entry as Record<string, unknown>)['string_value'] : undefined;
    if (typeof text !== 'string')
      throw new InputError(file, `model.parameters.${key}`, 'expected { "string_value": "<threads>" }, as Triton\'s onnxruntime backend reads it');
    const threads = /^\d+$/.test(text.trim()) ? Number(text.trim()) : Number.NaN;
    if (!Number.isSafeInteger(threads) || threads > MAX_ORT_THREADS) {
      throw new InputError(file, field, `expected a thread count from 0 (onnxruntime's default) to ${MAX_ORT_THREADS}, got ${JSON.stringify(text)}`);
    }
    if (threads > 0) options[option] = threads;
  }
  return options;
}

/** Thread pools the config set, as the trace header records them (absent: onnxruntime's defaults). */
export function threadSettings(threads: OrtThreadOptions): { intraOpThreads?: number; interOpThreads?: number } {
  return {
    ...(threads.intraOpNumThreads !== undefined ? { intraOpThreads: threads.intraOpNumThreads } : {}),
    ...(threads.interOpNumThreads !== undefined ? { interOpThreads: threads.interOpNumThreads } : {}),
  };
}
import { InputError } from '../src/core/input-errors.ts';
