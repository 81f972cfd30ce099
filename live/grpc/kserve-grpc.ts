import * as grpc from '@grpc/grpc-js';
import type { InferResult } from '../../src/core/request.ts';
import { errorMessage } from '../../src/core/error-message.ts';
import { SetupError } from '../../src/core/input-errors.ts';
import { decodeSequenceInfer, type SequenceInfer } from '../kserve/infer-request.ts';
import { outputTensors } from '../kserve/infer-response.ts';
import type { FrontEnd, KserveBackend, Submission } from '../kserve/kserve-backend.ts';
import { GRPC_STATUS, grpcStatusOf, invalidArg, KserveError } from '../kserve/kserve-error.ts';
import { inferenceServiceClient } from './grpc-service.ts';
import { parseModelVersion, SERVED_VERSION } from '../kserve/served-model.ts';
import { type ModelInferRequestMessage, parseModelInferRequest } from './grpc-request.ts';

/** Largest request message accepted (as the HTTP body limit): one step is a few dozen bytes. */
export const MAX_MESSAGE_BYTES = 64 * 1024;
/** Requests of one stream in flight before the server stops reading it (flow control, not an error). */
export const MAX_STREAM_IN_FLIGHT = 256;

export interface GrpcFrontEnd extends FrontEnd {
  /** host:port, as a gRPC client dials it. */
  readonly address: string;
}

interface ModelInferResponseMessage {
  readonly model_name: string;
  readonly model_version: string;
  readonly id: string;
  readonly outputs: readonly { readonly name: string; readonly datatype: string; readonly shape: readonly number[] }[];
  readonly raw_output_contents: readonly Uint8Array[];
}

interface StreamResponseMessage {
  readonly error_message: string;
  readonly infer_response: Partial<ModelInferResponseMessage>;
}

type NameVersion = { readonly name: string; readonly version: string };

function statusOf(error: unknown): Partial<grpc.StatusObject> {
  if (error instanceof KserveError) return { code: grpcStatusOf(error.code), details: error.message };
  return { code: GRPC_STATUS.INTERNAL, details: errorMessage(error) };
}

function inferResponse(backend: KserveBackend, infer: SequenceInfer, value: number): ModelInferResponseMessage {
  const tensors = outputTensors(infer, backend.model, value);
  return {
    model_name: backend.model.name,
    model_version: SERVED_VERSION,
    id: infer.clientId,
    outputs: tensors.map((tensor) => ({ name: tensor.name, datatype: tensor.datatype, shape: tensor.shape })),
    raw_output_contents: tensors.map((tensor) => tensor.bytes),
  };
}

/**
 * Triton's gRPC front end (`inference.GRPCInferenceService`) in front of the shared backend: health,
 * metadata, config, statistics, ModelInfer and the bidirectional ModelStreamInfer Triton's sequence
 * clients use. A cancelled call, a passed deadline or a cancelled stream takes Triton's cancellation
 * path for every request still in flight. On a stream, responses go out in request order and a
 * request's error is a message with `error_message` set; the stream stays open.
 */
export async function listenGrpc(backend: KserveBackend, options: { readonly port: number; readonly host: string }): Promise<GrpcFrontEnd> {
  const model = backend.model;
  let accepting = true;
  const stopping = (): KserveError => new KserveError('UNAVAILABLE', 'GRPC server is shutting down and has stopped accepting new requests.');

  /** Parses, checks and submits one request; `answer` gets the response or the error, once. */
  const infer = (
    message: ModelInferRequestMessage,
    answer: (error: KserveError | undefined, response?: ModelInferResponseMessage, atEnqueue?: boolean) => void,
  ): Submission | undefined => {
    let decoded: SequenceInfer;
    try {
      if (!accepting) throw stopping();
      model.resolve(message.model_name, message.model_version);
      decoded = decodeSequenceInfer(parseModelInferRequest(message), model);
    } catch (error) {
      answer(error instanceof KserveError ? error : new KserveError('INTERNAL', errorMessage(error)), undefined, true);
      return undefined;
    }
    try {
      return backend.submit(decoded, (result: InferResult, atEnqueue) => {
        if ('output' in result) {
          let response: ModelInferResponseMessage;
          try {
            response = inferResponse(backend, decoded, result.output);
          } catch (error) {
            answer(new KserveError('INTERNAL', errorMessage(error)), undefined, atEnqueue);
            return;
          }
          answer(undefined, response);
        } else answer(new KserveError(result.error.code, result.error.message), undefined, atEnqueue);
      });
    } catch (error) {
      // A backend failure on this request is its INTERNAL error, never the server's end.
      answer(new KserveError('INTERNAL', errorMessage(error)), undefined, true);
      return undefined;
    }
  };

  /** Runs a unary handler body; anything it throws becomes the call's status, never a crash. */
  const unary =
    <Request, Response>(body: (request: Request) => Response) =>
    (call: grpc.ServerUnaryCall<Request, Response>, callback: grpc.sendUnaryData<Response>): void => {
      try {
        callback(null, body(call.request));
      } catch (error) {
        callback(statusOf(error));
      }
    };

  const modelStatistics = (request: NameVersion) => {
    if (request.name === '') return { model_stats: [backend.statistics()] };
    const version = parseModelVersion(request.version);
    if (request.name !== model.name) throw invalidArg(`requested model '${request.name}' is not available`);
    if (version !== -1 && String(version) !== SERVED_VERSION) throw invalidArg(`requested model version is not available for model '${request.name}'`);
    return { model_stats: [backend.statistics()] };
  };

  const modelInfer = (
    call: grpc.ServerUnaryCall<ModelInferRequestMessage, ModelInferResponseMessage>,
    callback: grpc.sendUnaryData<ModelInferResponseMessage>,
  ): void => {
    let done = false;
    const submission = infer(call.request, (error, response) => {
      if (done || call.cancelled) return;
      done = true;
      if (error !== undefined) callback(statusOf(error));
      else callback(null, response);
    });
    if (submission !== undefined) call.on('cancelled', () => submission.cancel());
  };

  const modelStreamInfer = (call: grpc.ServerDuplexStream<ModelInferRequestMessage, StreamResponseMessage>): void => {
    /** One entry per request read, in order: responses are written in this order, as Triton does. */
    const pending: { response?: StreamResponseMessage; submission?: Submission }[] = [];
    let readEnded = false;
    let cancelled = false;
    let paused = false;
    const flush = (): void => {
      if (cancelled) return;
      while (pending[0]?.response !== undefined) call.write(pending.shift()!.response!);
      if (paused && pending.length < MAX_STREAM_IN_FLIGHT) {
        paused = false;
        call.resume();
      }
      if (readEnded && pending.length === 0) call.end();
    };
    call.on('data', (message: ModelInferRequestMessage) => {
      const entry: { response?: StreamResponseMessage; submission?: Submission } = {};
      pending.push(entry);
      const submission = infer(message, (error, response, atEnqueue) => {
        // An error found before the request reached the model echoes its id; a later one does not.
        entry.response =
          error === undefined
            ? { error_message: '', infer_response: response! }
            : { error_message: error.message, infer_response: atEnqueue === true ? { id: message.id } : {} };
        flush();
      });
      if (submission !== undefined && entry.response === undefined) entry.submission = submission;
      if (pending.length >= MAX_STREAM_IN_FLIGHT && !paused) {
        paused = true;
        call.pause();
      }
    });
    call.on('end', () => {
      readEnded = true;
      flush();
    });
    call.on('cancelled', () => {
      cancelled = true;
      for (const entry of pending) entry.submission?.cancel();
      pending.length = 0;
    });
    // A broken stream is the client's problem; the server keeps serving.
    call.on('error', () => {});
  };

  const handlers: grpc.UntypedServiceImplementation = {
    ServerLive: unary(() => ({ live: true })),
    ServerReady: unary(() => ({ ready: accepting })),
    ModelReady: unary((request: NameVersion) => {
      model.resolve(request.name, request.version);
      return { ready: true };
    }),
    ServerMetadata: unary(() => backend.server),
    ModelMetadata: unary((request: NameVersion) => {
      model.resolve(request.name, request.version);
      return model.metadata();
    }),
    ModelConfig: unary((request: NameVersion) => {
      model.resolve(request.name, request.version);
      return { config: model.config };
    }),
    ModelStatistics: unary(modelStatistics),
    ModelInfer: modelInfer,
    ModelStreamInfer: modelStreamInfer,
  };

  const server = new grpc.Server({ 'grpc.max_receive_message_length': MAX_MESSAGE_BYTES });
  server.addService(inferenceServiceClient().service, handlers);
  const target = options.host.includes(':') ? `[${options.host}]:${options.port}` : `${options.host}:${options.port}`;
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(target, grpc.ServerCredentials.createInsecure(), (error, bound) =>
      error === null ? resolve(bound) : reject(new SetupError(`cannot serve gRPC on ${target}: ${error.message}`)),
    ),
  );
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  return {
    address: `${host}:${port}`,
    async stop() {
      // Calls in flight finish; new ones (and new requests on open streams) are refused UNAVAILABLE.
      accepting = false;
    },
    async close() {
      server.forceShutdown();
    },
  };
}
