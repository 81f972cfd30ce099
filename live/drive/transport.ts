import type { TritonError } from '../../src/core/errors.ts';
import type { ClientFailure } from '../../src/core/events.ts';
import type { ScenarioId } from '../../src/core/ids.ts';

/*
 * How `seqsim drive` talks to a server. The player (player.ts) knows nothing of HTTP or gRPC: it
 * opens one channel per sequence and sends requests on it. A transport is:
 * - HTTP (http-transport.ts): KServe v2 JSON tensors, one fresh keep-alive connection per sequence,
 *   one request at a time (`ordered: false`: separate HTTP exchanges may overtake each other, so the
 *   player never pipelines a sequence on it). Cancelling aborts the exchange: Triton's HTTP front
 *   end does not cancel the request, it runs on.
 * - gRPC (grpc-transport.ts): `inference.GRPCInferenceService` on one connection; a stream-mode
 *   sequence's channel is one ModelStreamInfer stream (`ordered: true`: its steps are pipelined, as
 *   Triton's sequence tests do), a sync sequence's unary ModelInfer calls. Cancelling cancels the
 *   call (on a stream: the stream), and Triton cancels what it holds. See docs/drive.md, "Transports".
 */

/** One inference request of a sequence as it goes on the wire. */
export interface WireRequest {
  /** The trace's request id ("<sequence id>:<step>", "~r<n>" for retries): for the transport's logs only, it is not sent. */
  readonly requestId: string;
  /** `sequence_id` as sent: a number (uint64), a string, or {u64} for ids above 2^53. */
  readonly sequenceId: ScenarioId;
  readonly start: boolean;
  readonly end: boolean;
  /** The INPUT tensor's one element. */
  readonly value: number;
  /** Triton's `timeout` parameter (µs; it only matters while the sequence waits in the backlog); 0: not sent. */
  readonly timeoutUs: number;
}

/** What came back: the OUTPUT tensor's element, or Triton's error. */
export type WireAnswer =
  | { readonly kind: 'output'; readonly value: number }
  | {
      readonly kind: 'error';
      /** Triton's code: from the gRPC status, or inferred from the HTTP status (400 covers INVALID_ARG and CANCELLED) or a stream's message. */
      readonly error: TritonError;
      /** The HTTP status, for traces recorded over HTTP. */
      readonly httpStatus?: number;
    };

/** The request got no answer: the transport says why (`aborted` when the player's signal fired). */
export class TransportFailure extends Error {
  constructor(
    readonly reason: Exclude<ClientFailure, 'timeout' | 'deadline'>,
    message: string,
  ) {
    super(message);
    this.name = 'TransportFailure';
  }
}

/** One sequence's connection (HTTP) or stream (gRPC). */
export interface SequenceChannel {
  /** Requests in flight on this channel keep their order: stream-mode sequences may pipeline on it. */
  readonly ordered: boolean;
  /**
   * Sends one request and resolves with its answer. Rejects with TransportFailure when there is
   * none: `aborted` once `signal` fires (the player's cancel, timeout or deadline), `connection`
   * when the connection fails or closes first, `protocol` when the answer is not KServe v2.
   */
  infer(request: WireRequest, signal: AbortSignal): Promise<WireAnswer>;
  /** Closes the connection or stream, abandoning whatever is in flight (the `disconnect` fault, or the end of the sequence). */
  close(): void;
}

/** A model's statistics (Triton's statistics extension): executions per batch size. */
export interface ModelStatistics {
  readonly executionCount: number;
  readonly inferenceCount: number;
  /** Batch size → how many executions had that size. */
  readonly batchExecutions: ReadonlyMap<number, number>;
}

export interface DriveTransport {
  /** Written into the trace header (`options.front_end`). */
  readonly frontEnd: 'kserve-v2-http' | 'kserve-v2-grpc';
  /** Where it talks to, for messages (never written into traces). */
  readonly endpoint: string;
  /** Whether its channels keep the order of requests in flight (SequenceChannel.ordered): the oracles judge pipelined requests by it. */
  readonly orderedChannels: boolean;
  /**
   * Whether a request the client gives up on (cancel, client timeout, deadline, disconnect) is
   * cancelled at the server: gRPC's cancel or deadline reaches Triton, which cancels the sequence's
   * pending requests (the trace then records a `cancel`); an HTTP abort does not.
   */
  readonly abandonCancels: boolean;
  /** Checks the server is live and serves `model`; throws SetupError (one line) when not. */
  checkModel(model: string): Promise<void>;
  /** The model configuration in Triton's JSON form, or undefined when the server has no such endpoint. */
  modelConfig(model: string): Promise<Record<string, unknown> | undefined>;
  /** The model's statistics, or undefined when the server has no statistics endpoint. */
  modelStatistics(model: string): Promise<ModelStatistics | undefined>;
  /** A fresh connection or stream for one sequence of this mode (Triton's stress test: a fresh stream per sequence). */
  openSequence(mode: 'sync' | 'stream'): SequenceChannel;
  /** Releases whatever the transport still holds. */
  close(): Promise<void>;
}
