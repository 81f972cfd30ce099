import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { request as httpRequest } from 'node:http';
import { gzipSync } from 'node:zlib';
import { parseScenario } from '../../src/scenario/load.ts';
import { startKserveServer, type KserveServer } from '../../live/http/kserve-server.ts';
import { grpcCall, grpcClient, type InferenceClient } from '../helpers/grpc-client.ts';

/**
 * The KServe front ends under random requests (issue 18 §1): random paths, methods, headers,
 * bodies and value types over HTTP, random messages over gRPC, all on loopback. Whatever arrives,
 * the server answers it (never 500: a malformed request is the client's error) and stays up.
 */

const scenario = parseScenario(
  {
    name: 'serve-fuzz',
    // A short idle timeout: sequences the fuzzer leaves open free their slots quickly.
    model: { name: 'acc', max_batch_size: 2, instance_group: [{ count: 1 }], sequence_batching: { max_sequence_idle_microseconds: 50_000, direct: {} } },
    sequences: [],
  },
  'serve-fuzz.json',
  '.',
);

const ANSWER_MS = 10_000;

function send(url: string, method: string, path: string, headers: Record<string, string>, body: Buffer): Promise<{ status: number; body: string }> {
  const { hostname, port } = new URL(url);
  const sent = method === 'GET' || method === 'HEAD' ? Buffer.alloc(0) : body;
  return new Promise((resolve, reject) => {
    const options = { hostname, port, method, path, agent: false, headers: { ...headers, 'content-length': sent.byteLength }, timeout: ANSWER_MS };
    const request = httpRequest(options, (response) => {
      let text = '';
      response.on('data', (chunk: Buffer) => (text += chunk.toString()));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body: text }));
    });
    request.on('timeout', () => request.destroy(new Error(`no answer to ${method} ${path} within ${ANSWER_MS} ms`)));
    request.on('error', reject);
    request.end(sent);
  });
}

/** Any JSON value, with the numbers that break naive decoders (huge, fractional, negative zero). */
const anyValue = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.constantFrom(1e300, -1e300, 5_000_000_000, -2_147_483_649, 2_147_483_647, 0.5, -0, 2 ** 64, 'INPUT', '', null, true, []),
);

const datatypes = fc.oneof(
  fc.constantFrom('INT32', 'INT64', 'UINT8', 'INT8', 'FP32', 'FP64', 'FP16', 'BF16', 'BOOL', 'BYTES', 'UINT64'),
  fc.string({ maxLength: 8 }),
  anyValue,
);

/** A request that is nearly right: each field is sometimes the right kind and sometimes any JSON. */
const inferBody = fc.record(
  {
    id: fc.oneof(fc.string({ maxLength: 10 }), anyValue),
    inputs: fc.oneof(
      fc.array(
        fc.record(
          {
            name: fc.oneof(fc.constant('INPUT'), fc.string({ maxLength: 6 }), anyValue),
            datatype: datatypes,
            shape: fc.oneof(fc.constant([1, 1]), fc.array(fc.oneof(fc.integer({ min: -2, max: 3 }), anyValue), { maxLength: 4 }), anyValue),
            data: fc.oneof(fc.array(anyValue, { maxLength: 3 }), fc.array(fc.array(anyValue, { maxLength: 2 }), { maxLength: 2 }), anyValue),
            parameters: fc.oneof(fc.record({ binary_data_size: anyValue }, { requiredKeys: [] }), anyValue),
          },
          { requiredKeys: [] },
        ),
        { maxLength: 3 },
      ),
      anyValue,
    ),
    outputs: fc.oneof(
      fc.array(fc.record({ name: fc.oneof(fc.constant('OUTPUT'), anyValue), parameters: anyValue }, { requiredKeys: [] }), { maxLength: 2 }),
      anyValue,
    ),
    parameters: fc.oneof(
      fc.record(
        {
          sequence_id: fc.oneof(fc.integer({ min: 0, max: 6 }), fc.string({ maxLength: 4 }), anyValue),
          sequence_start: fc.oneof(fc.boolean(), anyValue),
          sequence_end: fc.oneof(fc.boolean(), anyValue),
          timeout: anyValue,
          priority: anyValue,
          binary_data_output: anyValue,
          triton_x: anyValue,
        },
        { requiredKeys: [] },
      ),
      anyValue,
    ),
  },
  { requiredKeys: [] },
);

const segment = fc.oneof(
  fc.constantFrom('acc', 'v2', 'models', 'versions', '1', 'infer', 'ready', 'config', 'stats', 'health', 'live', '%E0%A4%A', '%', '%ZZ', '..', '%00', '%2F'),
  fc.stringMatching(/^[A-Za-z0-9%._~!$&'()*+,;=:@-]{0,12}$/),
);

const path = fc.oneof(
  fc
    .tuple(segment, fc.option(fc.tuple(fc.constant('versions'), segment)), fc.option(segment))
    .map(([name, version, action]) => `/v2/models/${name}${version === null ? '' : `/${version.join('/')}`}${action === null ? '' : `/${action}`}`),
  fc.array(segment, { maxLength: 6 }).map((parts) => `/${parts.join('/')}`),
  fc.tuple(segment, fc.stringMatching(/^[A-Za-z0-9%=&._-]{0,16}$/)).map(([name, query]) => `/v2/models/${name}/infer?${query}`),
);

const headerValue = fc.stringMatching(/^[ -~]{0,20}$/);

const request = fc.record({
  method: fc.constantFrom('GET', 'POST', 'POST', 'POST', 'PUT', 'DELETE', 'HEAD', 'OPTIONS', 'PATCH'),
  path: fc.oneof(path, fc.constant('/v2/models/acc/infer')),
  headers: fc.record(
    {
      'content-type': fc.oneof(fc.constant('application/json'), headerValue),
      'content-encoding': fc.oneof(fc.constantFrom('gzip', 'deflate', 'identity', 'br', ''), headerValue),
      'inference-header-content-length': fc.oneof(fc.integer({ min: -5, max: 400 }).map(String), headerValue),
    },
    { requiredKeys: [] },
  ),
  body: fc.oneof(
    inferBody.map((body) => Buffer.from(JSON.stringify(body) ?? '')),
    anyValue.map((value) => Buffer.from(JSON.stringify(value) ?? '')),
    fc.uint8Array({ maxLength: 200 }).map((bytes) => Buffer.from(bytes)),
    fc.string({ maxLength: 200 }).map((text) => Buffer.from(text)),
  ),
  gzip: fc.boolean(),
});

describe('serve under random requests (issue 18 §1)', () => {
  let server: KserveServer;
  let client: InferenceClient;
  beforeAll(async () => {
    server = await startKserveServer(scenario, { port: 0, grpcPort: 0, host: '127.0.0.1', provider: 'cpu', drainMs: 5000 });
    client = grpcClient(server.grpcAddress!);
  });
  afterAll(async () => {
    client?.close();
    await server?.close();
  });

  it('HTTP: every request is answered (never 500) and the server stays up', async () => {
    await fc.assert(
      fc.asyncProperty(request, async ({ method, path, headers, body, gzip }) => {
        const encoded = gzip && headers['content-encoding'] === 'gzip' ? gzipSync(body) : body;
        const answer = await send(server.url, method, path, headers, encoded);
        expect(answer.status, `${method} ${path} → ${answer.body}`).toBeGreaterThanOrEqual(200);
        expect(answer.status, `${method} ${path} → ${answer.body}`).not.toBe(500);
        if (answer.status >= 400 && method !== 'HEAD') expect(typeof JSON.parse(answer.body).error).toBe('string');
      }),
      { numRuns: 300, seed: 1824 },
    );
    expect((await send(server.url, 'GET', '/v2/health/ready', {}, Buffer.alloc(0))).status).toBe(200);
  }, 120_000);

  it('HTTP: an INT32 element is answered only when INT32 holds it exactly; otherwise 400 naming the input', async () => {
    let id = 1000;
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.integer(), fc.double(), fc.bigInt({ min: -(1n << 70n), max: 1n << 70n }), anyValue), fc.boolean(), async (value, nested) => {
        const literal = typeof value === 'bigint' ? value.toString() : (JSON.stringify(value) ?? 'null');
        const data = nested ? `[[${literal}]]` : `[${literal}]`;
        const body =
          `{"inputs":[{"name":"INPUT","datatype":"INT32","shape":[1,1],"data":${data}}]` +
          `,"parameters":{"sequence_id":${id++},"sequence_start":true,"sequence_end":true}}`;
        const answer = await send(server.url, 'POST', '/v2/models/acc/infer', {}, Buffer.from(body));
        // What the client wrote decides: an integer literal within INT32's range.
        const holds = /^-?\d+$/.test(literal) && BigInt(literal) >= -(2n ** 31n) && BigInt(literal) < 2n ** 31n;
        if (holds) expect(answer.status, body).toBe(200);
        else {
          expect(answer.status, body).toBe(400);
          expect(JSON.parse(answer.body).error, body).toMatch(/INPUT|Shape|shape/);
        }
      }),
      { numRuns: 200, seed: 1826 },
    );
  }, 120_000);

  const grpcTensor = fc.record(
    {
      name: fc.oneof(fc.constant('INPUT'), fc.string({ maxLength: 6 })),
      datatype: fc.oneof(fc.constantFrom('INT32', 'INT8', 'UINT8', 'UINT64', 'INT64', 'FP32', 'BOOL', 'BYTES', 'FP16'), fc.string({ maxLength: 6 })),
      shape: fc.array(fc.oneof(fc.integer({ min: -2, max: 3 }).map(String), fc.constantFrom('9223372036854775807', '-9223372036854775808')), { maxLength: 4 }),
      contents: fc.record(
        {
          int_contents: fc.array(fc.integer(), { maxLength: 3 }),
          int64_contents: fc.array(fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n }).map(String), { maxLength: 2 }),
          uint_contents: fc.array(fc.nat(), { maxLength: 2 }),
          fp32_contents: fc.array(fc.float({ noNaN: true }), { maxLength: 2 }),
          bool_contents: fc.array(fc.boolean(), { maxLength: 2 }),
          bytes_contents: fc.array(fc.uint8Array({ maxLength: 8 }), { maxLength: 2 }),
        },
        { requiredKeys: [] },
      ),
    },
    { requiredKeys: [] },
  );
  const grpcParameter = fc.oneof(
    fc.record({ int64_param: fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n }).map(String) }),
    fc.record({ string_param: fc.string({ maxLength: 140 }) }),
    fc.record({ bool_param: fc.boolean() }),
    fc.record({ uint64_param: fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }).map(String) }),
    fc.record({ double_param: fc.double({ noNaN: true }) }),
  );
  const grpcRequest = fc.record({
    model_name: fc.oneof(fc.constant('acc'), fc.string({ maxLength: 6 })),
    model_version: fc.oneof(fc.constantFrom('', '1', '2', '-1', 'x'), fc.string({ maxLength: 4 })),
    id: fc.string({ maxLength: 6 }),
    inputs: fc.array(grpcTensor, { maxLength: 3 }),
    outputs: fc.array(fc.record({ name: fc.oneof(fc.constant('OUTPUT'), fc.string({ maxLength: 4 })) }), { maxLength: 2 }),
    raw_input_contents: fc.array(
      fc.uint8Array({ maxLength: 12 }).map((bytes) => Buffer.from(bytes)),
      { maxLength: 3 },
    ),
    parameters: fc.dictionary(fc.constantFrom('sequence_id', 'sequence_start', 'sequence_end', 'timeout', 'priority', 'triton_x', 'other'), grpcParameter, {
      maxKeys: 4,
    }),
  });

  it('gRPC: every call gets a status (never INTERNAL) and the server stays up', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          grpcRequest.map((message) => ['ModelInfer', message] as const),
          fc
            .record({ name: fc.string({ maxLength: 8 }), version: fc.string({ maxLength: 4 }) })
            .chain((message) => fc.constantFrom('ModelReady', 'ModelMetadata', 'ModelConfig', 'ModelStatistics').map((method) => [method, message] as const)),
        ),
        async ([method, message]) => {
          const answer = await grpcCall(client, method, message as Record<string, unknown>);
          expect(answer.code, `${method} ${JSON.stringify(message)} → ${answer.details}`).not.toBe(13);
          // 2 (UNKNOWN) is what grpc-js answers when a handler throws: a crash it caught.
          expect(answer.code, `${method} → ${answer.details}`).not.toBe(2);
          expect(answer.code).not.toBe(4); // DEADLINE_EXCEEDED: no answer
        },
      ),
      { numRuns: 300, seed: 1825 },
    );
    expect((await grpcCall(client, 'ServerLive', {})).code).toBe(0);
  }, 120_000);
});
