import { tritonErrors, type TritonErrorCode } from '../../src/core/errors.ts';

/**
 * Triton's code for an error that came back on a ModelStreamInfer stream. Such an error is only a
 * message (`error_message`: the stream handler writes TRITONSERVER_ErrorMessage and drops the
 * code), so the code is read from the message, the way HTTP's 400 is split into INVALID_ARG and
 * CANCELLED: Triton's messages of the other codes are recognised, every other is INVALID_ARG (the
 * sequence batcher's and the request checks' code).
 */
export function streamErrorCode(message: string): TritonErrorCode {
  if (message === tritonErrors.cancelled().message) return 'CANCELLED';
  if (message === tritonErrors.backlogTimeout().message || message === tritonErrors.stopping().message) return 'UNAVAILABLE';
  if (/\b(is shutting down|has stopped accepting)\b/.test(message)) return 'UNAVAILABLE';
  if (/^(Request for unknown model|Unable to find shared memory region)/.test(message)) return 'NOT_FOUND';
  if (/^string correlation ID cannot be longer than/.test(message)) return 'UNSUPPORTED';
  if (/\binternal error\b/.test(message)) return 'INTERNAL';
  return 'INVALID_ARG';
}
