import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { request as httpRequest } from 'node:http';
import { spawn } from 'node:child_process';
import { verifyTrace } from '../../traces/read.ts';
import { loadScenarioFile } from '../../src/scenario/load.ts';
import { startKserveServer, type KserveServer } from '../../live/http/kserve-server.ts';
import { listenHttp } from '../../live/http/kserve-http.ts';
import { listenGrpc } from '../../live/grpc/kserve-grpc.ts';
import { parseModelInferRequest, type ModelInferRequestMessage } from '../../live/grpc/grpc-request.ts';
import { KserveError } from '../../live/kserve/kserve-error.ts';
import { checkedElement } from '../../live/kserve/element-range.ts';
import type { KserveBackend } from '../../live/kserve/kserve-backend.ts';
import { ServedModel } from '../../live/kserve/served-model.ts';
import { liveTensorSpec } from '../../live/tensor-spec.ts';
import { grpcClient, grpcCall } from '../helpers/grpc-client.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const examples = join(root, 'sim/examples');

/** One raw HTTP exchange (no client-side validation of the path or headers). */
function rawHttp(url: string, method: string, path: string, body = '', headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const request = httpRequest({ hostname, port, method, path, headers: { 'content-length': Buffer.byteLength(body), ...headers } }, (response) => {
      let text = '';
      response.on('data', (chunk: Buffer) => (text += chunk.toString()));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body: text }));
    });
    request.on('error', reject);
    request.end(body);
  });
}

const step = (data: string, datatype = 'INT32', name = '"INPUT"'): string =>
  `{"inputs":[{"name":${name},"datatype":"${datatype}","shape":[1,1],"data":[${data}]}]` +
  `,"parameters":{"sequence_id":1,"sequence_start":true,"sequence_end":true}}`;

describe('serve survives hostile requests (issue 18 §1)', () => {
  let server: KserveServer;
  let url: string;
  beforeAll(async () => {
    server = await startKserveServer(loadScenarioFile(join(examples, 'direct-basic.json')), { port: 0, host: '127.0.0.1', provider: 'cpu', drainMs: 5000 });
    url = server.url;
  });
  afterAll(async () => {
    await server.close();
  });

  it('answers a model name with bad percent-encoding 404 and keeps serving', async () => {
    const answer = await rawHttp(url, 'GET', '/v2/models/%E0%A4%A/ready');
    expect(answer.status).toBe(404);
    expect(JSON.parse(answer.body)).toEqual({ error: "Request for unknown model: '%E0%A4%A' is not found" });
    expect((await rawHttp(url, 'GET', '/v2/health/ready')).status).toBe(200);
  });

  it('refuses an input whose name is not a string (400), and keeps serving', async () => {
    const answer = await rawHttp(
      url,
      'POST',
      '/v2/models/acc_direct/infer',
      '{"inputs":[{"name":{"toString":1},"data":[1]}],"parameters":{"sequence_id":1,"sequence_start":true}}',
    );
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.body).error).toMatch(/name/);
    expect((await rawHttp(url, 'GET', '/v2/health/live')).status).toBe(200);
  });

  it.each([
    ['5000000000', "value 5000000000 of input 'INPUT' is out of range for INT32 (-2147483648 to 2147483647)"],
    ['-2147483649', "value -2147483649 of input 'INPUT' is out of range for INT32"],
    ['1e300', "Unable to parse 'data': attempt to access JSON non-signed-integer as signed-integer (input 'INPUT')"],
    ['1.5', "(input 'INPUT')"],
    ['true', "(input 'INPUT')"],
    ['"7"', "(input 'INPUT')"],
  ])('refuses INT32 element %s with 400 naming the input', async (data, message) => {
    const answer = await rawHttp(url, 'POST', '/v2/models/acc_direct/infer', step(data));
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.body).error).toContain(message);
  });

  it('refuses a request body with a key given twice (400), not the last one silently', async () => {
    const answer = await rawHttp(url, 'POST', '/v2/models/acc_direct/infer', step('1').replace('"sequence_id":1', '"sequence_id":1,"sequence_id":2'));
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.body).error).toMatch(/Duplicate key 'sequence_id'/);
  });

  it('still accepts the int32 limits themselves', async () => {
    for (const value of [2147483647, -2147483648]) {
      const answer = await rawHttp(url, 'POST', '/v2/models/acc_direct/infer', step(String(value)));
      expect(answer.status).toBe(200);
    }
  });
});

describe('element ranges (both front ends)', () => {
  it('every integer type refuses a value it cannot hold and keeps the ones it can', () => {
    expect(checkedElement('X', 'UINT8', 255n)).toBe(255n);
    expect(() => checkedElement('X', 'UINT8', 256n)).toThrow("value 256 of input 'X' is out of range for UINT8 (0 to 255)");
    expect(() => checkedElement('X', 'INT8', -129)).toThrow(KserveError);
    expect(() => checkedElement('X', 'UINT64', -1n)).toThrow(/UINT64/);
    expect(() => checkedElement('X', 'INT16', 1.5)).toThrow(/not an integer/);
    expect(() => checkedElement('X', 'FP32', 1e39)).toThrow(/out of range for FP32/);
    expect(checkedElement('X', 'FP64', 1e300)).toBe(1e300);
    expect(checkedElement('X', 'BOOL', true)).toBe(true);
  });

  it('gRPC int_contents into an INT8 input is range-checked, not truncated', () => {
    const contents = {
      bool_contents: [],
      int_contents: [1000],
      int64_contents: [],
      uint_contents: [],
      uint64_contents: [],
      fp32_contents: [],
      fp64_contents: [],
      bytes_contents: [],
    };
    const message = {
      model_name: 'm',
      model_version: '',
      id: '',
      parameters: {},
      inputs: [{ name: 'SMALL', datatype: 'INT8', shape: ['1'], parameters: {}, contents }],
      outputs: [],
      raw_input_contents: [],
    } as unknown as ModelInferRequestMessage;
    expect(() => parseModelInferRequest(message)).toThrow("value 1000 of input 'SMALL' is out of range for INT8 (-128 to 127)");
  });
});

/** A backend whose every part throws: the front ends must answer each request, never die. */
function brokenBackend(): KserveBackend {
  const scenario = loadScenarioFile(join(examples, 'direct-basic.json'));
  const model = new ServedModel(
    scenario.model,
    scenario.normalized['model'] as Record<string, unknown>,
    liveTensorSpec(scenario.model, scenario.normalized['model'] as Record<string, unknown>),
  );
  return {
    model,
    server: { name: 'seqsim', version: '0', extensions: [] },
    statistics: () => {
      throw new Error('statistics broke');
    },
    submit: () => {
      throw new TypeError('submit broke');
    },
  };
}

describe('a handler that throws costs one request (500 / INTERNAL), never the server', () => {
  it('HTTP', async () => {
    const front = await listenHttp(brokenBackend(), { port: 0, host: '127.0.0.1' });
    try {
      const stats = await rawHttp(front.url, 'GET', '/v2/models/stats');
      expect(stats.status).toBe(500);
      expect(JSON.parse(stats.body).error).toBe('statistics broke');
      const infer = await rawHttp(front.url, 'POST', '/v2/models/acc_direct/infer', step('1'));
      expect(infer.status).toBe(500);
      expect(JSON.parse(infer.body).error).toBe('submit broke');
      expect((await rawHttp(front.url, 'GET', '/v2/health/ready')).status).toBe(200);
    } finally {
      await front.stop();
      await front.close();
    }
  });

  it('gRPC', async () => {
    const front = await listenGrpc(brokenBackend(), { port: 0, host: '127.0.0.1' });
    const client = grpcClient(front.address);
    try {
      const stats = await grpcCall(client, 'ModelStatistics', { name: 'acc_direct' });
      expect(stats.code).toBe(13);
      const infer = await grpcCall(client, 'ModelInfer', {
        model_name: 'acc_direct',
        inputs: [{ name: 'INPUT', datatype: 'INT32', shape: [1, 1] }],
        raw_input_contents: [Buffer.from(new Int32Array([1]).buffer)],
        parameters: { sequence_id: { int64_param: '1' }, sequence_start: { bool_param: true } },
      });
      expect(infer).toMatchObject({ code: 13, details: 'submit broke' });
      expect((await grpcCall(client, 'ServerLive', {})).code).toBe(0);
    } finally {
      client.close();
      await front.stop();
      await front.close();
    }
  });
});

describe("a long-running server's trace is bounded in memory (issue 18 §1)", () => {
  it('past the checked bound it keeps answering, streams every event to the trace file and checks the prefix', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'seqsim-serve-'));
    const file = join(dir, 'serve.jsonl');
    const full: number[] = [];
    const server = await startKserveServer(loadScenarioFile(join(examples, 'direct-basic.json')), {
      port: 0,
      host: '127.0.0.1',
      provider: 'cpu',
      drainMs: 5000,
      traceFile: file,
      checkedEvents: 20,
      onTraceFull: (checked) => full.push(checked),
    });
    for (let id = 1; id <= 12; id++) {
      const answer = await rawHttp(server.url, 'POST', '/v2/models/acc_direct/infer', step(String(id)).replace('"sequence_id":1', `"sequence_id":${id}`));
      expect(answer.status).toBe(200);
    }
    const result = await server.close();
    expect(full).toEqual([20]);
    expect(result.uncheckedEvents).toBeGreaterThan(0);
    expect(result.violations).toEqual([]);
    const lines = readFileSync(file, 'utf8').split('\n').slice(0, -1);
    const summary = JSON.parse(lines.at(-1)!);
    expect(summary).toMatchObject({ type: 'summary', requests: 12, responses: 12, events: lines.length - 2 });
    const hash = createHash('sha256');
    for (const line of lines.slice(0, -1)) hash.update(`${line}\n`);
    expect(summary.hash).toBe(hash.digest('hex'));
    expect(result.hash).toBe(summary.hash);
  });

  it('without a trace file it keeps only the bound, and still answers', async () => {
    const server = await startKserveServer(loadScenarioFile(join(examples, 'direct-basic.json')), {
      port: 0,
      host: '127.0.0.1',
      provider: 'cpu',
      drainMs: 5000,
      checkedEvents: 10,
    });
    for (let id = 1; id <= 6; id++) {
      const answer = await rawHttp(server.url, 'POST', '/v2/models/acc_direct/infer', step('1').replace('"sequence_id":1', `"sequence_id":${id}`));
      expect(answer.status).toBe(200);
    }
    const result = await server.close();
    expect(result.events.length).toBe(10);
    expect(result.uncheckedEvents).toBeGreaterThan(0);
  });
});

describe('`seqsim serve` after hostile requests (issue 18 §1)', () => {
  it('keeps serving, and on SIGINT writes a trace that verifies (schema, hash, counts)', async () => {
    const trace = join(mkdtempSync(join(tmpdir(), 'seqsim-serve-cli-')), 'serve.jsonl');
    const child = spawn(
      process.execPath,
      [join(root, 'cli/bin.mjs'), 'serve', join(examples, 'direct-basic.json'), '--port', '0', '--ep', 'cpu', '--trace', trace],
      { cwd: root },
    );
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`server did not start: ${out}${err}`)), 30_000);
      child.stdout.on('data', () => {
        const match = /on (http:\/\/[^ ]+) /.exec(out);
        if (match) {
          clearTimeout(timer);
          resolve(match[1]!);
        }
      });
    });
    expect((await rawHttp(url, 'GET', '/v2/models/%E0%A4%A/ready')).status).toBe(404);
    expect(
      (
        await rawHttp(
          url,
          'POST',
          '/v2/models/acc_direct/infer',
          '{"inputs":[{"name":{"toString":1},"data":[1]}],"parameters":{"sequence_id":1,"sequence_start":true}}',
        )
      ).status,
    ).toBe(400);
    expect((await rawHttp(url, 'POST', '/v2/models/acc_direct/infer', step('1e300'))).status).toBe(400);
    expect((await rawHttp(url, 'POST', '/v2/models/acc_direct/infer', step('5'))).status).toBe(200);
    child.kill('SIGINT');
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(err).toBe('');
    expect(code).toBe(0);
    expect(out).toMatch(/1 requests, no violation; trace /);
    const verified = verifyTrace(trace);
    expect(verified.integrity).toEqual([]);
    expect(verified.header.options['front_end']).toBe('kserve-v2-http');
  }, 60_000);
});
