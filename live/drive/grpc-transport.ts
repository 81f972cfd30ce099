import * as grpc from '@grpc/grpc-js';
import type { TritonErrorCode } from '../../src/core/errors.ts';
import { SetupError, UsageError } from '../../src/core/input-errors.ts';
import { errorMessage } from '../../src/core/error-message.ts';
import { inferenceServiceClient } from '../grpc/grpc-service.ts';
import type { WireTensors } from './http-transport.ts';
import { parseStatistics } from './server-statistics.ts';
import { streamErrorCode } from './stream-error-code.ts';
import { TransportFailure, type DriveTransport, type ModelStatistics, type SequenceChannel, type WireAnswer, type WireRequest } from './transport.ts';

/** A response message larger than this is not an answer for one accumulator element. */
const MAX_RESPONSE_BYTES = 1024 * 1024;
/** A request for one element is a few hundred bytes: anything near this is a bug. */
const MAX_REQUEST_BYTES = 64 * 1024;
/** Health, metadata, config and statistics calls give up after this long (a gRPC deadline). */
const CONTROL_TIMEOUT_MS = 10_000;
/** Requests one stream may owe answers for (a sequence's pipelined steps); more is a client bug. */
const MAX_STREAM_PENDING = 4096;

type Message = Record<string, unknown>;
type UnaryCallback = (error: grpc.ServiceError | null, response?: Message) => void;
type UnaryMethod = (request: Message, options: grpc.CallOptions, callback: UnaryCallback) => grpc.ClientUnaryCall;
type ControlMethod = 'ServerLive' | 'ModelReady' | 'ModelConfig' | 'ModelStatistics';
type InferenceClient = grpc.Client &
  Record<ControlMethod | 'ModelInfer', UnaryMethod> & { ModelStreamInfer(options?: grpc.CallOptions): grpc.ClientDuplexStream<Message, Message> };

/** Parses `--grpc`: HOST:PORT (an IPv6 host in brackets), as Triton's clients take `localhost:8001`. */
export function parseGrpcAddress(text: string): string {
  const match = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/.exec(text);
  const port = match === null ? 0 : Number(match[2]);
  if (match === null || port < 1 || port > 65535) throw new UsageError(`--grpc: expected HOST:PORT like localhost:8001, got ${JSON.stringify(text)}`);
  return text;
}

/**
 * KServe v2 over gRPC (`inference.GRPCInferenceService`), as Triton's clients speak it: raw
 * little-endian tensor contents, `sequence_id` as int64_param (string_param for a string id),
 * `sequence_start`/`sequence_end` as bool_param. One HTTP/2 connection; a sync sequence sends
 * unary ModelInfer calls, a stream sequence gets its own ModelStreamInfer stream (as Triton's
 * stress test does). A cancel, client timeout or deadline cancels the call — on a stream, the
 * whole stream (gRPC has no per-request cancel on a stream): Triton cancels what it still holds.
 */
export class GrpcTransport implements DriveTransport {
  readonly frontEnd = 'kserve-v2-grpc' as const;
  readonly endpoint: string;
  readonly orderedChannels = true;
  readonly abandonCancels = true;
  private readonly client: InferenceClient;
  private readonly channels = new Set<SequenceChannel>();

  constructor(
    address: string,
    private readonly model: string,
    private readonly tensors: WireTensors,
  ) {
    this.endpoint = address;
    const Client = inferenceServiceClient();
    this.client = new Client(address, grpc.credentials.createInsecure(), {
      'grpc.max_receive_message_length': MAX_RESPONSE_BYTES,
      'grpc.max_send_message_length': MAX_REQUEST_BYTES,
    }) as unknown as InferenceClient;
  }

  async checkModel(model: string): Promise<void> {
    let live: Message;
    try {
      live = await this.control('ServerLive', {});
    } catch (error) {
      throw new SetupError(`cannot reach the server at ${this.endpoint}: ${errorMessage(error)}`);
    }
    if (live['live'] !== true) throw new SetupError(`the server at ${this.endpoint} is not live (ServerLive: live false)`);
    let ready: Message;
    try {
      ready = await this.control('ModelReady', { name: model, version: '' });
    } catch (error) {
      throw new SetupError(`the server at ${this.endpoint} does not serve model '${model}' (gRPC ${errorMessage(error)}); name it with --model`);
    }
    if (ready['ready'] !== true)
      throw new SetupError(`the server at ${this.endpoint} does not serve model '${model}' (ModelReady: not ready); name it with --model`);
  }

  async modelConfig(model: string): Promise<Record<string, unknown> | undefined> {
    const reply = await this.control('ModelConfig', { name: model, version: '' }).catch(() => undefined);
    const config = reply?.['config'];
    return isRecord(config) ? config : undefined;
  }

  async modelStatistics(model: string): Promise<ModelStatistics | undefined> {
    const reply = await this.control('ModelStatistics', { name: model, version: '' }).catch(() => undefined);
    return reply === undefined ? undefined : parseStatistics(reply, model);
  }

  openSequence(mode: 'sync' | 'stream'): SequenceChannel {
    const onClose = (): boolean => this.channels.delete(channel);
    const channel: SequenceChannel = mode === 'stream' ? new StreamChannel(this, onClose) : new UnaryChannel(this, onClose);
    this.channels.add(channel);
    return channel;
  }

  async close(): Promise<void> {
    for (const channel of this.channels) channel.close();
    this.client.close();
  }

  /** One unary ModelInfer call; `signal` cancels it. */
  unaryInfer(request: WireRequest, signal: AbortSignal): Promise<WireAnswer> {
    return new Promise((resolve, reject) => {
      if (signal.aborted) {
        reject(new TransportFailure('aborted', 'aborted before sending'));
        return;
      }
      let message: Message;
      try {
        message = inferMessage(this.model, this.tensors, request, '');
      } catch (error) {
        reject(new TransportFailure('protocol', errorMessage(error)));
        return;
      }
      const onAbort = (): void => {
        call.cancel();
        reject(new TransportFailure('aborted', 'the client cancelled the call'));
      };
      const call = this.client.ModelInfer(message, {}, (error, response) => {
        signal.removeEventListener('abort', onAbort);
        if (signal.aborted) return;
        try {
          resolve(error !== null ? serverError(error) : readInferResponse(response ?? {}, this.tensors));
        } catch (failure) {
          reject(failure instanceof TransportFailure ? failure : new TransportFailure('protocol', errorMessage(failure)));
        }
      });
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** A fresh ModelStreamInfer stream. */
  openStream(): grpc.ClientDuplexStream<Message, Message> {
    return this.client.ModelStreamInfer();
  }

  message(request: WireRequest, id: string): Message {
    return inferMessage(this.model, this.tensors, request, id);
  }

  answerOf(response: Message): WireAnswer {
    return readInferResponse(response, this.tensors);
  }

  private control(method: ControlMethod, request: Message): Promise<Message> {
    return new Promise((resolve, reject) => {
      this.client[method](request, { deadline: Date.now() + CONTROL_TIMEOUT_MS }, (error, response) =>
        error === null ? resolve(response ?? {}) : reject(error),
      );
    });
  }
}

/** A sync sequence: one unary call per request, one at a time. */
class UnaryChannel implements SequenceChannel {
  readonly ordered = false;
  private closed = false;

  constructor(
    private readonly transport: GrpcTransport,
    private readonly onClose: () => void,
  ) {}

  infer(request: WireRequest, signal: AbortSignal): Promise<WireAnswer> {
    if (this.closed) return Promise.reject(new TransportFailure('connection', 'the sequence channel is closed'));
    return this.transport.unaryInfer(request, signal);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.onClose();
  }
}

interface PendingAnswer {
  readonly id: string;
  readonly resolve: (answer: WireAnswer) => void;
  readonly reject: (failure: TransportFailure) => void;
}

/**
 * A stream sequence: its requests written on one ModelStreamInfer stream, answers matched by the
 * request id echoed in each response (an error raised after the request reached the model may come
 * without it: then it answers the oldest request still owed). Cancelling any request cancels the
 * stream and abandons what it still owed; the sequence's next request opens a fresh stream.
 */
class StreamChannel implements SequenceChannel {
  readonly ordered = true;
  private stream: grpc.ClientDuplexStream<Message, Message> | undefined;
  private pending: PendingAnswer[] = [];
  private closed = false;

  constructor(
    private readonly transport: GrpcTransport,
    private readonly onClose: () => void,
  ) {}

  infer(request: WireRequest, signal: AbortSignal): Promise<WireAnswer> {
    if (this.closed) return Promise.reject(new TransportFailure('connection', 'the sequence channel is closed'));
    if (signal.aborted) return Promise.reject(new TransportFailure('aborted', 'aborted before sending'));
    if (this.pending.length >= MAX_STREAM_PENDING)
      return Promise.reject(new TransportFailure('protocol', `more than ${MAX_STREAM_PENDING} requests owed on one stream`));
    let message: Message;
    try {
      message = this.transport.message(request, request.requestId);
    } catch (error) {
      return Promise.reject(new TransportFailure('protocol', errorMessage(error)));
    }
    return new Promise((resolve, reject) => {
      const entry: PendingAnswer = {
        id: request.requestId,
        resolve: (answer) => {
          signal.removeEventListener('abort', onAbort);
          resolve(answer);
        },
        reject: (failure) => {
          signal.removeEventListener('abort', onAbort);
          reject(failure);
        },
      };
      const onAbort = (): void => this.cancel(entry, request.requestId);
      signal.addEventListener('abort', onAbort, { once: true });
      this.pending.push(entry);
      this.open().write(message);
    });
  }

  /** Ends the stream: half-closed when nothing is owed (Triton then ends it), cancelled otherwise (the client went away). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.pending.length > 0) this.abandon('the client closed the stream');
    else this.stream?.end();
    this.stream = undefined;
    this.onClose();
  }

  private open(): grpc.ClientDuplexStream<Message, Message> {
    if (this.stream !== undefined) return this.stream;
    const stream = this.transport.openStream();
    this.stream = stream;
    stream.on('data', (response: Message) => this.onResponse(stream, response));
    stream.on('error', (error: grpc.ServiceError) => this.onStreamEnd(stream, `the stream failed: ${error.message}`));
    stream.on('end', () => this.onStreamEnd(stream, 'the server ended the stream'));
    return stream;
  }

  private onResponse(stream: grpc.ClientDuplexStream<Message, Message>, response: Message): void {
    if (stream !== this.stream) return;
    const inner = isRecord(response['infer_response']) ? response['infer_response'] : {};
    const id = typeof inner['id'] === 'string' ? inner['id'] : '';
    const index = id === '' ? 0 : this.pending.findIndex((entry) => entry.id === id);
    const entry = index >= 0 ? this.pending.splice(index, 1)[0] : undefined;
    if (entry === undefined) {
      this.failAll(new TransportFailure('protocol', `a stream response for no request owed (id ${JSON.stringify(id)})`));
      return;
    }
    const errorText = typeof response['error_message'] === 'string' ? response['error_message'] : '';
    if (errorText !== '') {
      entry.resolve({ kind: 'error', error: { code: streamErrorCode(errorText), message: errorText } });
      return;
    }
    try {
      entry.resolve(this.transport.answerOf(inner));
    } catch (error) {
      entry.reject(error instanceof TransportFailure ? error : new TransportFailure('protocol', errorMessage(error)));
    }
  }

  private onStreamEnd(stream: grpc.ClientDuplexStream<Message, Message>, why: string): void {
    if (stream !== this.stream) return;
    this.stream = undefined;
    this.failAll(new TransportFailure('connection', `${why} with ${this.pending.length} answer(s) owed`));
  }

  /** The player gave up on `entry` (cancel, timeout, deadline, disconnect): the stream goes with it. */
  private cancel(entry: PendingAnswer, requestId: string): void {
    if (!this.pending.includes(entry)) return;
    this.abandon(`the client cancelled the stream of request ${requestId}`);
  }

  private abandon(why: string): void {
    const stream = this.stream;
    this.stream = undefined;
    stream?.cancel();
    this.failAll(new TransportFailure('aborted', why));
  }

  private failAll(failure: TransportFailure): void {
    const owed = this.pending;
    this.pending = [];
    if (owed.length > 0 && this.stream !== undefined) {
      const stream = this.stream;
      this.stream = undefined;
      stream.cancel();
    }
    for (const entry of owed) entry.reject(failure);
  }
}

/**
 * The ModelInferRequest for one step, as Triton's clients build it (tritonclient grpc/_utils.py
 * `_get_inference_request`, grpc_client.cc): a uint64 id above 2^63 goes out as the int64 of the
 * same bits (C++ `set_int64_param(uint64_t)`), which Triton reads back as that uint64.
 */
export function inferMessage(model: string, tensors: WireTensors, request: WireRequest, id: string): Message {
  const element = Buffer.alloc(4);
  if (tensors.datatype === 'FP32') element.writeFloatLE(request.value);
  else element.writeInt32LE(request.value);
  const sequenceId = request.sequenceId;
  const idParameter =
    typeof sequenceId === 'string'
      ? { string_param: sequenceId }
      : { int64_param: typeof sequenceId === 'number' ? String(sequenceId) : BigInt.asIntN(64, BigInt(sequenceId.u64)).toString() };
  return {
    model_name: model,
    model_version: '',
    id,
    inputs: [{ name: tensors.input, datatype: tensors.datatype, shape: tensors.shape.map(String) }],
    outputs: [{ name: tensors.output }],
    raw_input_contents: [element],
    parameters: {
      sequence_id: idParameter,
      sequence_start: { bool_param: request.start },
      sequence_end: { bool_param: request.end },
      ...(request.timeoutUs > 0 ? { timeout: { int64_param: String(request.timeoutUs) } } : {}),
    },
  };
}

/** The OUTPUT element of a ModelInferResponse: its raw contents (Triton's way), or typed contents. */
export function readInferResponse(response: Message, tensors: WireTensors): WireAnswer {
  const outputs = Array.isArray(response['outputs']) ? (response['outputs'] as unknown[]) : [];
  const index = outputs.findIndex((output) => isRecord(output) && output['name'] === tensors.output);
  const output = outputs[index];
  if (!isRecord(output)) throw new TransportFailure('protocol', `a response without an output named '${tensors.output}'`);
  const datatype = typeof output['datatype'] === 'string' && output['datatype'] !== '' ? output['datatype'] : tensors.datatype;
  const raw = Array.isArray(response['raw_output_contents']) ? (response['raw_output_contents'] as unknown[])[index] : undefined;
  if (raw instanceof Uint8Array && raw.byteLength > 0) {
    if (raw.byteLength < 4) throw new TransportFailure('protocol', `raw output '${tensors.output}' is shorter than one element`);
    const bytes = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
    return { kind: 'output', value: datatype === 'FP32' ? bytes.readFloatLE(0) : bytes.readInt32LE(0) };
  }
  const contents = isRecord(output['contents']) ? output['contents'] : {};
  const typed = contents[datatype === 'FP32' ? 'fp32_contents' : 'int_contents'];
  const value = Array.isArray(typed) ? typed[0] : undefined;
  if (typeof value !== 'number') throw new TransportFailure('protocol', `output '${tensors.output}' holds no number`);
  return { kind: 'output', value };
}

/** Triton's gRPC status for each of its error codes (GrpcStatusUtil::CodeToStatus), read backwards. */
const TRITON_CODES: ReadonlyMap<number, TritonErrorCode> = new Map([
  [grpc.status.INVALID_ARGUMENT, 'INVALID_ARG'],
  [grpc.status.NOT_FOUND, 'NOT_FOUND'],
  [grpc.status.UNAVAILABLE, 'UNAVAILABLE'],
  [grpc.status.UNIMPLEMENTED, 'UNSUPPORTED'],
  [grpc.status.CANCELLED, 'CANCELLED'],
  [grpc.status.INTERNAL, 'INTERNAL'],
]);

/** Statuses grpc-js makes up itself when the connection, not the server, failed the call. */
const CLIENT_SIDE_DETAILS = new RegExp(
  `^(${[
    'No connection established',
    'Connection dropped',
    'Stream refused by server',
    'Received RST_STREAM',
    'Call cancelled',
    'Cancelled on client',
    'Write (error|failed)',
    'Channel closed',
    'Deadline exceeded',
    'Received message larger than max',
    'Failed to parse',
    'Received HTTP status code',
    'read E',
    'connect E',
  ].join('|')})`,
);

/** A failed unary call: Triton's error when the server sent the status, else a transport failure. */
function serverError(error: grpc.ServiceError): WireAnswer {
  const code = TRITON_CODES.get(error.code);
  const details = error.details ?? '';
  if (error.code === grpc.status.RESOURCE_EXHAUSTED) throw new TransportFailure('protocol', error.message);
  if (code === undefined || CLIENT_SIDE_DETAILS.test(details)) throw new TransportFailure('connection', error.message);
  return { kind: 'error', error: { code, message: details } };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
