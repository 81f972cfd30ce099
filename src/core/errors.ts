/** Triton status codes as they appear in responses and traces. */
export type TritonErrorCode = 'INVALID_ARG' | 'UNAVAILABLE' | 'CANCELLED' | 'INTERNAL' | 'NOT_FOUND' | 'UNSUPPORTED';

export interface TritonError {
  readonly code: TritonErrorCode;
  readonly message: string;
}

/** Triton's messages (spec §13), with our model name. */
export const tritonErrors = {
  batchSize: (model: string): TritonError => ({
    code: 'INVALID_ARG',
    message: `inference request to model '${model}' must specify batch-size 1 due to requirements of sequence batcher`,
  }),
  nullCorrelationId: (model: string): TritonError => ({
    code: 'INVALID_ARG',
    message: `inference request to model '${model}' must specify a non-zero or non-empty correlation ID`,
  }),
  missingStart: (id: string, model: string): TritonError => ({
    code: 'INVALID_ARG',
    message: `inference request for sequence ${id} to model '${model}' must specify the START flag on the first request of the sequence`,
  }),
  stopping: (): TritonError => ({
    code: 'UNAVAILABLE',
    message: 'Server is stopping, scheduler for model has stopped accepting new inference requests',
  }),
  backlogTimeout: (): TritonError => ({
    code: 'UNAVAILABLE',
    message: 'timeout of the corresponding sequence has been expired',
  }),
  cancelled: (): TritonError => ({ code: 'CANCELLED', message: '' }),
  /** After an unload: no version of the model is READY (model_lifecycle GetModel, update spec rule 8). */
  unknownModel: (model: string): TritonError => ({
    code: 'NOT_FOUND',
    message: `Request for unknown model: '${model}' has no available versions`,
  }),
  corridDataType: (requestId: string | undefined, controlName: string, idTypeName: 'BYTES' | 'UINT64', model: string, expected: string): TritonError => ({
    code: 'INVALID_ARG',
    message:
      `[request id: ${requestId ?? '<id_unknown>'}] sequence batching control '${controlName}' ` +
      `data-type is '${idTypeName}', but model '${model}' expects '${expected}'`,
  }),
  stringIdTooLong: (): TritonError => ({
    code: 'UNSUPPORTED',
    message: 'string correlation ID cannot be longer than 128 characters',
  }),
  executeFailed: (detail: string): TritonError => ({ code: 'INTERNAL', message: detail }),
} as const;

/** Log-only warning for START on an active id (spec §4 step 9). */
export function startConflictWarning(id: string, model: string): string {
  return (
    `sequence ${id} for model '${model}' has a conflict. The previous sequence did ` +
    `not end before this sequence start. Previous sequence will be terminated early.`
  );
}
