import type { InferResult } from '../../src/core/request.ts';
import type { SequenceInfer } from './infer-request.ts';
import type { ModelStatisticsEntry } from './model-stats.ts';
import type { ServedModel } from './served-model.ts';

/**
 * How a request's result reaches its front end, exactly once. `atEnqueue`: the batcher refused it
 * on arrival (Triton's synchronous enqueue error) rather than answering it later.
 */
export type Reply = (result: InferResult, atEnqueue: boolean) => void;

export interface Submission {
  /**
   * The client went away (gRPC cancel, deadline, or a closed stream): Triton's cancellation path.
   * The batcher notices at a queue front (spec §8); nothing happens once the request was answered.
   */
  cancel(): void;
}

/** What both front ends of `seqsim serve` share: the served model, the batcher behind it, its statistics. */
export interface KserveBackend {
  readonly model: ServedModel;
  /** Hands one decoded request to the batcher. */
  submit(infer: SequenceInfer, reply: Reply): Submission;
  statistics(): ModelStatisticsEntry;
  /** Triton's server metadata (`GET /v2`, gRPC ServerMetadata). */
  readonly server: { readonly name: string; readonly version: string; readonly extensions: readonly string[] };
}

/** A protocol front end: stop() refuses new requests (in-flight ones finish), close() tears it down. */
export interface FrontEnd {
  stop(): Promise<void>;
  close(): Promise<void>;
}
