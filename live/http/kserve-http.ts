import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzip, inflate } from 'node:zlib';
import { errorMessage } from '../../src/core/error-message.ts';
import { SetupError } from '../../src/core/input-errors.ts';
import { decodeSequenceInfer, type SequenceInfer } from '../kserve/infer-request.ts';
import { outputTensors } from '../kserve/infer-response.ts';
import type { FrontEnd, KserveBackend } from '../kserve/kserve-backend.ts';
import { httpStatusOf, invalidArg, KserveError } from '../kserve/kserve-error.ts';
import { parseModelVersion, SERVED_VERSION } from '../kserve/served-model.ts';
import { type HttpInferRequest, parseInferRequest, parseRawInferRequest } from './kserve-request.ts';

/** Request bodies larger than this are refused (after decompression too): one step is a few dozen bytes. */
export const MAX_BODY_BYTES = 64 * 1024;

/** Triton's routes (http_server.cc): a model, an optional version, an optional action. */
const MODEL_ROUTE = /^\/v2\/models\/([^/]+)(?:\/versions\/([0-9]+))?(?:\/(infer|generate|generate_stream|ready|config|stats|trace\/setting))?$/;

export interface HttpFrontEnd extends FrontEnd {
  /** e.g. http://127.0.0.1:8000 */
  readonly url: string;
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  response.end(text);
}

function sendEmpty(response: ServerResponse, status: number): void {
  response.writeHead(status, { 'content-length': 0 });
  response.end();
}

function sendError(response: ServerResponse, error: unknown): void {
  if (error instanceof KserveError) sendJson(response, httpStatusOf(error.code), { error: error.message });
  else sendJson(response, 500, { error: errorMessage(error) });
}

/** Reads at most MAX_BODY_BYTES (the rest is drained and dropped, so the answer still reaches the client). */
function readBody(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    request.on('end', () => {
      if (size > MAX_BODY_BYTES) reject(invalidArg(`request body of ${size} bytes exceeds the maximum allowed input size of ${MAX_BODY_BYTES} bytes`));
      else resolve(Buffer.concat(chunks));
    });
    request.on('error', reject);
  });
}

/** Content-Encoding gzip or deflate, as Triton accepts them; the inflated size is bounded too. */
function decompress(body: Buffer, encoding: string | undefined): Promise<Buffer> {
  if (encoding === undefined || encoding === '' || encoding === 'identity') return Promise.resolve(body);
  const inflater = encoding === 'gzip' ? gunzip : encoding === 'deflate' ? inflate : undefined;
  if (inflater === undefined) return Promise.reject(new KserveError('UNSUPPORTED', 'Unsupported compression type'));
  return new Promise((resolve, reject) => {
    inflater(body, { maxOutputLength: MAX_BODY_BYTES }, (error, result) => {
      if (error === null) resolve(result);
      else reject(invalidArg(`failed to decompress the request body (${encoding}, at most ${MAX_BODY_BYTES} bytes): ${error.message}`));
    });
  });
}

/** Triton reads the header length with std::stoi: leading digits count, trailing text is ignored. */
function headerLength(value: string | undefined, contentLength: number): number {
  if (value === undefined) return contentLength;
  const match = /^\s*([+-]?\d+)/.exec(value);
  if (match === null) throw invalidArg(`Unable to parse Inference-Header-Content-Length, got: ${value}`);
  const parsed = Number(match[1]);
  if (parsed < 0 || parsed > contentLength) throw invalidArg(`inference header size should be in range (0, ${contentLength}), got: ${value}`);
  return parsed;
}

/** Triton's response body: JSON, then (binary extension) each binary output's bytes in order. */
function sendInferResponse(response: ServerResponse, backend: KserveBackend, infer: SequenceInfer, request: HttpInferRequest, value: number): void {
  const binary: Uint8Array[] = [];
  const outputs = outputTensors(infer, backend.model, value).map((tensor) => {
    const asBinary = request.binaryOutput.get(tensor.name) ?? request.binaryOutputDefault;
    if (!asBinary) return { name: tensor.name, datatype: tensor.datatype, shape: tensor.shape, data: tensor.data };
    binary.push(tensor.bytes);
    return { name: tensor.name, datatype: tensor.datatype, shape: tensor.shape, parameters: { binary_data_size: tensor.bytes.byteLength } };
  });
  const json = Buffer.from(
    JSON.stringify({ ...(infer.clientId === '' ? {} : { id: infer.clientId }), model_name: backend.model.name, model_version: SERVED_VERSION, outputs }),
    'utf8',
  );
  if (binary.length === 0) {
    response.writeHead(200, { 'content-type': 'application/json', 'content-length': json.byteLength });
    response.end(json);
    return;
  }
  const body = Buffer.concat([json, ...binary]);
  response.writeHead(200, {
    'content-type': 'application/octet-stream',
    'inference-header-content-length': json.byteLength,
    'content-length': body.byteLength,
  });
  response.end(body);
}

/**
 * Triton's HTTP/REST front end in front of the shared backend: health, server and model metadata,
 * config, statistics and inference (JSON and the binary tensor extension), with Triton's routes,
 * status codes and `{"error": …}` bodies. HTTP has no cancellation in Triton: a client that hangs up
 * leaves its request to finish, unanswered.
 */
export async function listenHttp(backend: KserveBackend, options: { readonly port: number; readonly host: string }): Promise<HttpFrontEnd> {
  const model = backend.model;
  let accepting = true;

  const infer = (request: IncomingMessage, response: ServerResponse): void => {
    readBody(request)
      .then((raw) => decompress(raw, request.headers['content-encoding']))
      .then((body) => {
        if (!accepting) throw new KserveError('UNAVAILABLE', 'Server is stopping, the HTTP endpoint has stopped accepting new inference requests');
        const length = headerLength(request.headers['inference-header-content-length'] as string | undefined, body.byteLength);
        const parsed = length === 0 ? parseRawInferRequest(body, model) : parseInferRequest(body, length, model);
        const decoded = decodeSequenceInfer(parsed.wire, model);
        backend.submit(decoded, (result) => {
          try {
            if ('output' in result) sendInferResponse(response, backend, decoded, parsed, result.output);
            else sendJson(response, httpStatusOf(result.error.code), { error: result.error.message });
          } catch (error) {
            if (!response.headersSent) sendError(response, error);
          }
        });
      })
      .catch((error: unknown) => sendError(response, error));
  };

  const handle = (request: IncomingMessage, response: ServerResponse): void => {
    const path = (request.url ?? '/').split('?')[0]!;
    const method = request.method ?? 'GET';
    const methodIs = (wanted: string): boolean => {
      if (method === wanted) return true;
      sendJson(response, 405, { error: 'Method Not Allowed' });
      return false;
    };
    if (path === '/v2/models/stats') {
      if (methodIs('GET')) sendJson(response, 200, { model_stats: [backend.statistics()] });
      return;
    }
    const route = MODEL_ROUTE.exec(path);
    if (route !== null) {
      let name: string;
      try {
        name = decodeURIComponent(route[1]!);
      } catch {
        name = route[1]!;
      }
      const version = route[2] ?? '';
      const action = route[3] ?? '';
      switch (action) {
        case 'infer':
          if (!methodIs('POST')) return;
          try {
            model.resolve(name, version);
          } catch (error) {
            sendError(response, error);
            return;
          }
          infer(request, response);
          return;
        case 'ready':
          if (!methodIs('GET')) return;
          try {
            model.resolve(name, version);
            sendEmpty(response, 200);
          } catch (error) {
            sendError(response, error);
          }
          return;
        case '':
          if (!methodIs('GET')) return;
          try {
            model.resolve(name, version);
            sendJson(response, 200, model.metadata());
          } catch (error) {
            sendError(response, error);
          }
          return;
        case 'config':
          if (!methodIs('GET')) return;
          try {
            model.resolve(name, version);
            sendJson(response, 200, model.configJson());
          } catch (error) {
            sendError(response, error);
          }
          return;
        case 'stats':
          if (!methodIs('GET')) return;
          try {
            const parsed = parseModelVersion(version);
            // Triton's statistics call answers an unknown model or version with INVALID_ARG.
            if (name !== model.name) throw invalidArg(`requested model '${name}' is not available`);
            if (parsed !== -1 && String(parsed) !== SERVED_VERSION) throw invalidArg(`requested model version is not available for model '${name}'`);
            sendJson(response, 200, { model_stats: [backend.statistics()] });
          } catch (error) {
            sendError(response, error);
          }
          return;
        default:
          sendError(response, new KserveError('UNSUPPORTED', `seqsim serve does not support '${action}'`));
          return;
      }
    }
    if (path === '/v2') {
      if (methodIs('GET')) sendJson(response, 200, backend.server);
      return;
    }
    if (path === '/v2/health/live' || path === '/v2/health/ready') {
      if (methodIs('GET')) sendEmpty(response, 200);
      return;
    }
    sendJson(response, 404, { error: 'Not Found' });
  };

  const server = createServer((request, response) => {
    try {
      handle(request, response);
    } catch (error) {
      // A handler bug must cost one request, never the server.
      if (!response.headersSent) sendError(response, error);
    }
  });
  await new Promise<void>((resolve, reject) => {
    const failed = (error: Error): void => reject(new SetupError(`cannot serve HTTP on ${options.host}:${options.port}: ${error.message}`));
    server.once('error', failed);
    server.listen(options.port, options.host, () => {
      server.off('error', failed);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${options.host}]` : options.host;
  return {
    url: `http://${host}:${address.port}`,
    async stop() {
      // Stop listening; requests in flight finish (their connections are closed after the drain).
      accepting = false;
      server.close();
      server.closeIdleConnections();
    },
    async close() {
      server.closeAllConnections();
    },
  };
}
