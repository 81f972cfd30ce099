import type { TritonError, TritonErrorCode } from '../../src/core/errors.ts';

/**
 * A request `seqsim serve` refuses before (or instead of) the batcher, with Triton's status code and
 * message. Both front ends throw it from their decoders and map the code the way Triton's do.
 */
export class KserveError extends Error {
  constructor(
    readonly code: TritonErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'KserveError';
  }

  get triton(): TritonError {
    return { code: this.code, message: this.message };
  }
}

export const invalidArg = (message: string): KserveError => new KserveError('INVALID_ARG', message);

/** HTTP status for a Triton error code, as Triton's HTTP front end maps them (HttpCodeFromError). */
export function httpStatusOf(code: TritonErrorCode): number {
  switch (code) {
    case 'INTERNAL':
      return 500;
    case 'NOT_FOUND':
      return 404;
    case 'UNAVAILABLE':
      return 503;
    case 'UNSUPPORTED':
      return 501;
    // INVALID_ARG, CANCELLED (and Triton's UNKNOWN, ALREADY_EXISTS) have no closer HTTP code.
    default:
      return 400;
  }
}

/** gRPC status numbers (grpc/status.h), for the codes Triton's gRPC front end maps to. */
export const GRPC_STATUS = {
  OK: 0,
  CANCELLED: 1,
  UNKNOWN: 2,
  INVALID_ARGUMENT: 3,
  NOT_FOUND: 5,
  RESOURCE_EXHAUSTED: 8,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
  UNAVAILABLE: 14,
} as const;

/** gRPC status for a Triton error code (GrpcStatusUtil::CodeToStatus). */
export function grpcStatusOf(code: TritonErrorCode): number {
  switch (code) {
    case 'INTERNAL':
      return GRPC_STATUS.INTERNAL;
    case 'NOT_FOUND':
      return GRPC_STATUS.NOT_FOUND;
    case 'INVALID_ARG':
      return GRPC_STATUS.INVALID_ARGUMENT;
    case 'UNAVAILABLE':
      return GRPC_STATUS.UNAVAILABLE;
    case 'UNSUPPORTED':
      return GRPC_STATUS.UNIMPLEMENTED;
    case 'CANCELLED':
      return GRPC_STATUS.CANCELLED;
  }
}
