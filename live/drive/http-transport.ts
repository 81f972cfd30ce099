import * as http from 'node:http';
import * as https from 'node:https';
import type { TritonError, TritonErrorCode } from '../../src/core/errors.ts';
import { SetupError, UsageError } from '../../src/core/input-errors.ts';
import { errorMessage } from '../../src/core/error-message.ts';
import { TransportFailure, type DriveTransport, type ModelStatistics, type SequenceChannel, type WireAnswer, type WireRequest } from './transport.ts';
import { parseStatistics } from './server-statistics.ts';
import type { Scenario } from '../../src/scenario/types.ts';
import { checkWireDataType, liveTensorSpec } from '../tensor-spec.ts';

/** A response body larger than this is not a KServe v2 answer for one accumulator element. */
const MAX_RESPONSE_BYTES = 1024 * 1024;
/** Health, metadata, config and statistics calls give up after this long. */
const CONTROL_TIMEOUT_MS = 10_000;

/** The accumulator's tensors as the request names them. */
export interface WireTensors {
  readonly input: string;
  readonly output: string;
  readonly datatype: 'INT32' | 'FP32';
  /** [1, 1] for a batching model (max_batch_size > 0), else [1]. */
  readonly shape: readonly number[];
}

/** The accumulator's INPUT/OUTPUT as requests name them: the scenario's config decides names, type and shape. */
export function wireTensors(scenario: Scenario): WireTensors {
  const spec = liveTensorSpec(scenario.model, scenario.normalized['model'] as Record<string, unknown>);
  checkWireDataType(scenario.model, { file: `<scenario ${scenario.name}>`, field: 'model' }, 'seqsim drive');
  return {
    input: spec.input,
    output: spec.output,
    datatype: scenario.model.tensorDataType === 'TYPE_FP32' ? 'FP32' : 'INT32',
    shape: scenario.model.maxBatchSize > 0 ? [1, 1] : [1],
  };
}

/** Parses `--url`: http or https, host and port, an optional path prefix. */
export function parseServerUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(`--url: expected a URL like http://localhost:8000, got ${JSON.stringify(text)}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new UsageError(`--url: only http:// and https:// are supported, got ${JSON.stringify(url.protocol)}`);
  return url;
}

/**
 * KServe v2 over HTTP/REST with JSON tensors (Triton's binary tensor extension is optional for a
 * client and not used: outputs come back as JSON unless a server insists on binary, which is read
 * too). One keep-alive connection per sequence; a cancel aborts the exchange.
 */
export class HttpTransport implements DriveTransport {
  readonly frontEnd = 'kserve-v2-http' as const;
  readonly endpoint: string;
  readonly orderedChannels = false;
  readonly abandonCancels = false;
  private readonly client: typeof http | typeof https;
  private readonly base: string;
  private readonly control: http.Agent;
  private readonly channels = new Set<HttpChannel>();
  /** The infer endpoint as request options, made once (a URL is converted on every request otherwise). */
  private readonly inferOptions: http.RequestOptions;

  constructor(
    private readonly url: URL,
    model: string,
    private readonly tensors: WireTensors,
  ) {
    this.endpoint = url.origin;
    this.client = url.protocol === 'https:' ? https : http;
    this.base = url.pathname.replace(/\/+$/, '');
    this.control = new this.client.Agent({ keepAlive: true, maxSockets: 4 });
    const infer = this.urlOf(`/v2/models/${encodeURIComponent(model)}/infer`);
    this.inferOptions = { protocol: infer.protocol, hostname: infer.hostname, port: infer.port, path: `${infer.pathname}${infer.search}`, method: 'POST' };
  }

  async checkModel(model: string): Promise<void> {
    let live: JsonReply;
    try {
      live = await this.get('/v2/health/live');
    } catch (error) {
      throw new SetupError(`cannot reach the server at ${this.endpoint}: ${errorMessage(error)}`);
    }
    if (live.status !== 200) throw new SetupError(`the server at ${this.endpoint} is not live (GET /v2/health/live: HTTP ${live.status})`);
    const ready = await this.get(`/v2/models/${encodeURIComponent(model)}/ready`);
    if (ready.status !== 200) {
      const said = errorText(ready.json);
      throw new SetupError(
        `the server at ${this.endpoint} does not serve model '${model}' (HTTP ${ready.status}${said ? `: ${said}` : ''}); name it with --model`,
      );
    }
  }

  async modelConfig(model: string): Promise<Record<string, unknown> | undefined> {
    const reply = await this.get(`/v2/models/${encodeURIComponent(model)}/config`);
    return reply.status === 200 && isRecord(reply.json) ? reply.json : undefined;
  }

  async modelStatistics(model: string): Promise<ModelStatistics | undefined> {
    const reply = await this.get(`/v2/models/${encodeURIComponent(model)}/stats`);
    return reply.status === 200 ? parseStatistics(reply.json, model) : undefined;
  }

  openSequence(): SequenceChannel {
    const channel = new HttpChannel(this, new this.client.Agent({ keepAlive: true, maxSockets: 1 }), () => this.channels.delete(channel));
    this.channels.add(channel);
    return channel;
  }

  async close(): Promise<void> {
    for (const channel of this.channels) channel.close();
    this.control.destroy();
  }

  /** POST one infer request on `agent`'s connection. */
  post(agent: http.Agent, request: WireRequest, signal: AbortSignal): Promise<WireAnswer> {
    const body = inferBody(this.tensors, request);
    return new Promise((resolve, reject) => {
      if (signal.aborted) {
        reject(new TransportFailure('aborted', 'aborted before sending'));
        return;
      }
      const exchange = this.client.request(
        { ...this.inferOptions, agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
        (response) => {
          readBody(response).then(
            (bytes) => {
              try {
                resolve(readAnswer(response.statusCode ?? 0, response.headers, bytes, this.tensors));
              } catch (error) {
                reject(error instanceof TransportFailure ? error : new TransportFailure('protocol', errorMessage(error)));
              }
            },
            (error: unknown) => reject(failure(error, signal)),
          );
        },
      );
      const onAbort = (): void => {
        exchange.destroy();
        reject(new TransportFailure('aborted', 'the client aborted the exchange'));
      };
      signal.addEventListener('abort', onAbort, { once: true });
      exchange.on('close', () => signal.removeEventListener('abort', onAbort));
      exchange.on('error', (error) => reject(failure(error, signal)));
      exchange.end(body);
    });
  }

  private urlOf(path: string): URL {
    return new URL(`${this.base}${path}`, this.url);
  }

  private get(path: string): Promise<JsonReply> {
    return new Promise((resolve, reject) => {
      const exchange = this.client.get(this.urlOf(path), { agent: this.control, timeout: CONTROL_TIMEOUT_MS }, (response) => {
        readBody(response).then((bytes) => {
          let json: unknown;
          try {
            json = JSON.parse(bytes.toString('utf8'));
          } catch {
            json = undefined;
          }
          resolve({ status: response.statusCode ?? 0, json });
        }, reject);
      });
      exchange.on('timeout', () => exchange.destroy(new Error(`no answer to GET ${path} within ${CONTROL_TIMEOUT_MS / 1000} s`)));
      exchange.on('error', reject);
    });
  }
}

interface JsonReply {
  readonly status: number;
  readonly json: unknown;
}

class HttpChannel implements SequenceChannel {
  readonly ordered = false;
  private closed = false;

  constructor(
    private readonly transport: HttpTransport,
    private readonly agent: http.Agent,
    private readonly onClose: () => void,
  ) {}

  infer(request: WireRequest, signal: AbortSignal): Promise<WireAnswer> {
    if (this.closed) return Promise.reject(new TransportFailure('connection', 'the sequence channel is closed'));
    return this.transport.post(this.agent, request, signal);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.agent.destroy();
    this.onClose();
  }
}

/**
 * The infer request body. Written by hand so that a uint64 id above 2^53 goes out as the exact
 * JSON number it is (`{"u64": "…"}` in a scenario).
 */
export function inferBody(tensors: WireTensors, request: WireRequest): string {
  const id = typeof request.sequenceId === 'object' ? request.sequenceId.u64 : JSON.stringify(request.sequenceId);
  const timeout = request.timeoutUs > 0 ? `,"timeout":${request.timeoutUs}` : '';
  const input =
    `{"name":${JSON.stringify(tensors.input)},"shape":${JSON.stringify(tensors.shape)},` +
    `"datatype":"${tensors.datatype}","data":[${JSON.stringify(request.value)}]}`;
  const parameters = `{"sequence_id":${id},"sequence_start":${request.start},"sequence_end":${request.end}${timeout}}`;
  return `{"inputs":[${input}],"outputs":[{"name":${JSON.stringify(tensors.output)}}],"parameters":${parameters}}`;
}

/** Triton's HTTP status for each error code (http_server.cc HttpCodeFromError), read backwards. */
function codeOfStatus(status: number, message: string): TritonErrorCode {
  switch (status) {
    case 404:
      return 'NOT_FOUND';
    case 501:
      return 'UNSUPPORTED';
    case 503:
      return 'UNAVAILABLE';
    case 400:
      // INVALID_ARG and CANCELLED share 400; Triton's CANCELLED carries an empty message.
      return message === '' ? 'CANCELLED' : 'INVALID_ARG';
    default:
      return 'INTERNAL';
  }
}

/** Reads a KServe v2 infer response: JSON, or a JSON header plus binary tensors (binary extension). */
export function readAnswer(status: number, headers: http.IncomingHttpHeaders, bytes: Buffer, tensors: WireTensors): WireAnswer {
  const headerLength = Number(headers['inference-header-content-length'] ?? Number.NaN);
  const jsonBytes = Number.isInteger(headerLength) && headerLength >= 0 && headerLength <= bytes.length ? bytes.subarray(0, headerLength) : bytes;
  let json: unknown;
  try {
    json = JSON.parse(jsonBytes.toString('utf8'));
  } catch {
    throw new TransportFailure('protocol', `HTTP ${status} with a body that is not JSON`);
  }
  if (status !== 200) {
    const message = errorText(json);
    if (message === undefined) throw new TransportFailure('protocol', `HTTP ${status} without an "error" message`);
    const error: TritonError = { code: codeOfStatus(status, message), message };
    return { kind: 'error', error, httpStatus: status };
  }
  const outputs = isRecord(json) ? json['outputs'] : undefined;
  const output = Array.isArray(outputs) ? outputs.find((o: unknown) => isRecord(o) && o['name'] === tensors.output) : undefined;
  if (!isRecord(output)) throw new TransportFailure('protocol', `HTTP 200 without an output named '${tensors.output}'`);
  const binarySize = isRecord(output['parameters']) ? output['parameters']['binary_data_size'] : undefined;
  if (typeof binarySize === 'number') return { kind: 'output', value: binaryElement(bytes.subarray(jsonBytes.length), outputs as unknown[], output, tensors) };
  const data = output['data'];
  const value = Array.isArray(data) ? data.flat(4)[0] : undefined;
  if (typeof value !== 'number') throw new TransportFailure('protocol', `output '${tensors.output}' holds no number`);
  return { kind: 'output', value };
}

/** The first element of a binary output: outputs before it in the header take their bytes first. */
function binaryElement(binary: Buffer, outputs: readonly unknown[], output: Record<string, unknown>, tensors: WireTensors): number {
  let offset = 0;
  for (const other of outputs) {
    if (other === output) break;
    const size = isRecord(other) && isRecord(other['parameters']) ? other['parameters']['binary_data_size'] : undefined;
    if (typeof size === 'number') offset += size;
  }
  if (offset + 4 > binary.length) throw new TransportFailure('protocol', `binary output '${tensors.output}' is shorter than one element`);
  const datatype = output['datatype'] ?? tensors.datatype;
  return datatype === 'FP32' ? binary.readFloatLE(offset) : binary.readInt32LE(offset);
}

function errorText(json: unknown): string | undefined {
  return isRecord(json) && typeof json['error'] === 'string' ? json['error'] : undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function readBody(response: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    response.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_RESPONSE_BYTES) {
        response.destroy(new TransportFailure('protocol', `response body larger than ${MAX_RESPONSE_BYTES} bytes`));
        return;
      }
      chunks.push(chunk);
    });
    response.on('end', () => resolve(Buffer.concat(chunks)));
    response.on('error', reject);
    response.on('aborted', () => reject(new TransportFailure('connection', 'the connection closed mid-response')));
  });
}

function failure(error: unknown, signal: AbortSignal): TransportFailure {
  if (error instanceof TransportFailure) return error;
  if (signal.aborted) return new TransportFailure('aborted', 'the client aborted the exchange');
  return new TransportFailure('connection', errorMessage(error));
}
