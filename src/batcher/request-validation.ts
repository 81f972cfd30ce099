// Triton's Enqueue checks (spec §4 steps 1–6): which requests the scheduler refuses outright.
import type { TritonError } from '../core/errors.ts';
import { tritonErrors } from '../core/errors.ts';
import { isNullCorrelationId } from '../core/ids.ts';
import type { InferRequest } from '../core/request.ts';
import type { ModelConfig } from '../config/types.ts';
import { corridTypeError } from './controls.ts';

/** Triton's longest string correlation id. */
export const MAX_STRING_ID_LENGTH = 128;

/** The first check `request` fails, or null. `stopping`: the server is shutting down (spec §11). */
export function enqueueError(model: ModelConfig, request: InferRequest, stopping: boolean): TritonError | null {
  const id = request.correlationId;
  if (id.kind === 'str' && id.value.length > MAX_STRING_ID_LENGTH) return tritonErrors.stringIdTooLong();
  const typeError = corridTypeError(model, request.id, id);
  if (typeError !== null) return typeError;
  if (request.batchSize > 1) return tritonErrors.batchSize(model.name);
  if (isNullCorrelationId(id)) return tritonErrors.nullCorrelationId(model.name);
  if (stopping && request.start) return tritonErrors.stopping();
  return null;
}
