import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawn } from 'node:child_process';
import { gzipSync } from 'node:zlib';
import { loadScenarioFile } from '../../src/scenario/load.ts';
import { startKserveServer } from '../../live/http/kserve-server.ts';
import { parseInferRequest } from '../../live/http/kserve-request.ts';
import { decodeSequenceInfer } from '../../live/kserve/infer-request.ts';
import { KserveError } from '../../live/kserve/kserve-error.ts';
import { ServedModel } from '../../live/kserve/served-model.ts';
import { liveTensorSpec } from '../../live/tensor-spec.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const examples = join(root, 'sim/examples');

function infer(url: string, model: string, sequenceId: number | string, value: number, flags: { start?: boolean; end?: boolean } = {}) {
  return fetch(`${url}/v2/models/${model}/infer`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      inputs: [{ name: 'INPUT', shape: [1, 1], datatype: 'INT32', data: [value] }],
      parameters: { sequence_id: sequenceId, sequence_start: flags.start ?? false, sequence_end: flags.end ?? false },
    }),
  }).then(async (response) => ({ status: response.status, body: (await response.json()) as Record<string, unknown> }));
}

const outputOf = (body: Record<string, unknown>) => (body['outputs'] as { data: number[] }[])[0]!.data[0];

describe('KServe v2 HTTP front end', () => {
  it('drives sequences over real HTTP with Triton sequence parameters; the oracles check the trace', async () => {
    const scenario = loadScenarioFile(join(examples, 'oldest-basic.json'));
    const server = await startKserveServer(scenario, { port: 0, host: '127.0.0.1', provider: 'cpu', drainMs: 5000 });
    const model = scenario.model.name;
    expect((await fetch(`${server.url}/v2/health/ready`)).status).toBe(200);
    const metadata = (await (await fetch(`${server.url}/v2/models/${model}`)).json()) as { name: string; inputs: { name: string }[] };
    expect(metadata.name).toBe(model);
    expect(metadata.inputs[0]!.name).toBe('INPUT');

    // Two sequences in parallel, each in order, as two HTTP clients would send them.
    const run = async (id: number, values: number[]) => {
      const outputs: unknown[] = [];
      for (let step = 0; step < values.length; step++) {
        const { status, body } = await infer(server.url, model, id, values[step]!, { start: step === 0, end: step === values.length - 1 });
        expect(status).toBe(200);
        outputs.push(outputOf(body));
      }
      return outputs;
    };
    const [a, b] = await Promise.all([run(52, [1, 2, 3, 4]), run(77, [10, 20, 30])]);
    // The model has a uint64 CORRID control: the END output adds the id (Triton's dyna models).
    expect(a).toEqual([1, 3, 6, 10 + 52]);
    expect(b).toEqual([10, 30, 60 + 77]);

    // A continuing request for an id with no sequence: Triton's START-flag error, HTTP 400.
    const orphan = await infer(server.url, model, 999, 5);
    expect(orphan.status).toBe(400);
    expect(String(orphan.body['error'])).toMatch(/START flag/);
    const notJson = await fetch(`${server.url}/v2/models/${model}/infer`, { method: 'POST', body: '{"inputs": [' });
    expect(notJson.status).toBe(400);
    expect(((await notJson.json()) as { error: string }).error).toMatch(/^failed to parse the request JSON buffer: /);
    const huge = await fetch(`${server.url}/v2/models/${model}/infer`, { method: 'POST', body: 'x'.repeat(200_000) });
    expect(huge.status).toBe(400);
    expect(((await huge.json()) as { error: string }).error).toMatch(/exceeds the maximum allowed input size of 65536 bytes/);
    const unknown = await infer(server.url, 'nope', 1, 1, { start: true });
    expect(unknown.status).toBe(404);
    expect(unknown.body['error']).toBe("Request for unknown model: 'nope' is not found");

    const result = await server.close();
    expect(result.requests).toBe(8);
    expect(result.violations).toEqual([]);
    expect(result.header.clock).toBe('real');
    expect(result.header.options['front_end']).toBe('kserve-v2-http');
    expect(result.events.filter((e) => e.type === 'execute').length).toBeGreaterThan(0);
  });

  it('serves a model that computes (--model-work): same answers, only OUTPUT in the response, recorded in the header', async () => {
    const scenario = loadScenarioFile(join(examples, 'oldest-basic.json'));
    const server = await startKserveServer(scenario, { port: 0, host: '127.0.0.1', provider: 'cpu', drainMs: 5000, modelWorkLayers: 2 });
    const model = scenario.model.name;
    const first = await infer(server.url, model, 5, 3, { start: true });
    const second = await infer(server.url, model, 5, 4, { end: true });
    expect([first.status, second.status]).toEqual([200, 200]);
    expect([outputOf(first.body), outputOf(second.body)]).toEqual([3, 7 + 5]);
    expect((first.body['outputs'] as { name: string }[]).map((o) => o.name)).toEqual(['OUTPUT']);
    const result = await server.close();
    expect(result.violations).toEqual([]);
    expect(result.header.options['model_work_layers']).toBe(2);
  });

  it("speaks what Triton's Python client sends: the binary tensor extension, gzip bodies, config, stats and Triton's routes", async () => {
    const scenario = loadScenarioFile(join(examples, 'oldest-basic.json'));
    const server = await startKserveServer(scenario, { port: 0, host: '127.0.0.1', provider: 'cpu', drainMs: 5000 });
    const model = scenario.model.name;
    /** A JSON header then the INT32 input's 4 raw bytes, as tritonclient.http sends by default. */
    const binaryInfer = (id: number, value: number, flags: Record<string, boolean>, gzip = false) => {
      const header = Buffer.from(
        JSON.stringify({
          inputs: [{ name: 'INPUT', shape: [1, 1], datatype: 'INT32', parameters: { binary_data_size: 4 } }],
          parameters: { sequence_id: id, ...flags, binary_data_output: true },
        }),
      );
      const raw = Buffer.concat([header, Buffer.from(new Int32Array([value]).buffer)]);
      return fetch(`${server.url}/v2/models/${model}/infer`, {
        method: 'POST',
        headers: { 'inference-header-content-length': String(header.byteLength), ...(gzip ? { 'content-encoding': 'gzip' } : {}) },
        body: gzip ? gzipSync(raw) : raw,
      });
    };
    const binaryOutput = async (response: Response) => {
      expect(response.status).toBe(200);
      const body = Buffer.from(await response.arrayBuffer());
      const length = Number(response.headers.get('inference-header-content-length'));
      const json = JSON.parse(body.subarray(0, length).toString()) as { model_version: string; outputs: { parameters: { binary_data_size: number } }[] };
      expect(json.model_version).toBe('1');
      expect(json.outputs[0]!.parameters.binary_data_size).toBe(4);
      expect(body.byteLength).toBe(length + 4);
      return body.readInt32LE(length);
    };
    expect(await binaryOutput(await binaryInfer(31, 4, { sequence_start: true }))).toBe(4);
    expect(await binaryOutput(await binaryInfer(31, 5, {}, true))).toBe(9);
    expect(await binaryOutput(await binaryInfer(31, 6, { sequence_end: true }))).toBe(15 + 31);
    // Bytes the header does not account for, and a header length past the body, are refused.
    const extra = Buffer.from(JSON.stringify({ inputs: [{ name: 'INPUT', shape: [1, 1], datatype: 'INT32', data: [1] }] }));
    const leftover = await fetch(`${server.url}/v2/models/${model}/infer`, {
      method: 'POST',
      headers: { 'inference-header-content-length': String(extra.byteLength) },
      body: Buffer.concat([extra, Buffer.from([0, 0])]),
    });
    expect([leftover.status, ((await leftover.json()) as { error: string }).error]).toEqual([400, `unexpected additional input data for model '${model}'`]);
    const short = await fetch(`${server.url}/v2/models/${model}/infer`, {
      method: 'POST',
      headers: { 'inference-header-content-length': '9999' },
      body: extra,
    });
    expect(((await short.json()) as { error: string }).error).toBe(`inference header size should be in range (0, ${extra.byteLength}), got: 9999`);

    const config = (await (await fetch(`${server.url}/v2/models/${model}/config`)).json()) as Record<string, unknown>;
    expect(config).toMatchObject({ name: model, max_batch_size: 4, platform: 'onnxruntime_onnx', version_policy: { latest: { num_versions: 1 } } });
    expect(config['sequence_batching']).toMatchObject({
      max_sequence_idle_microseconds: 5000000,
      oldest: { max_candidate_sequences: 6, preferred_batch_size: [2, 4] },
    });
    expect((config['input'] as Record<string, unknown>[])[0]).toMatchObject({ name: 'INPUT', data_type: 'TYPE_INT32', dims: [1], optional: false });

    const stats = (await (await fetch(`${server.url}/v2/models/${model}/stats`)).json()) as { model_stats: Record<string, unknown>[] };
    expect(stats.model_stats[0]).toMatchObject({ name: model, version: '1', inference_count: 3, execution_count: 3 });
    expect((stats.model_stats[0]!['batch_stats'] as { batch_size: number }[]).map((batch) => batch.batch_size)).toEqual([1]);
    expect((await fetch(`${server.url}/v2/models/nope/stats`)).status).toBe(400);

    expect(await (await fetch(`${server.url}/v2`)).json()).toMatchObject({ name: 'seqsim' });
    expect((await fetch(`${server.url}/v2/health/live`, { method: 'POST' })).status).toBe(405);
    expect((await fetch(`${server.url}/v2/models/${model}/ready`)).status).toBe(200);
    expect((await fetch(`${server.url}/v2/models/${model}/versions/2/ready`)).status).toBe(404);
    const unknownPath = await fetch(`${server.url}/v3/whatever`);
    expect([unknownPath.status, await unknownPath.json()]).toEqual([404, { error: 'Not Found' }]);
    const result = await server.close();
    expect(result.violations).toEqual([]);
  });

  it('refuses malformed bodies with the message Triton gives', () => {
    const scenario = loadScenarioFile(join(examples, 'oldest-basic.json'));
    const normalized = scenario.normalized['model'] as Record<string, unknown>;
    const served = new ServedModel(scenario.model, normalized, liveTensorSpec(scenario.model, normalized));
    const decode = (body: unknown) => {
      const bytes = Buffer.from(JSON.stringify(body));
      return decodeSequenceInfer(parseInferRequest(bytes, bytes.byteLength, served).wire, served);
    };
    const input = (fields: Record<string, unknown>) => ({ name: 'INPUT', datatype: 'INT32', shape: [1, 1], data: [1], ...fields });
    expect(() => decode({ inputs: [] })).toThrow(KserveError);
    expect(() => decode({ inputs: [] })).toThrow(
      "[request id: <id_unknown>] expected 1 inputs but got 0 inputs for model 'acc_oldest'. Got input(s) [], but missing required input(s) ['INPUT']. Please provide all required input(s).",
    );
    expect(() => decode({ inputs: [input({ name: 'X' })] })).toThrow("unexpected inference input 'X' for model 'acc_oldest'");
    expect(() => decode({ inputs: [input({ shape: [1, 2], data: [1, 2] })] })).toThrow(
      "[request id: <id_unknown>] unexpected shape for input 'INPUT' for model 'acc_oldest'. Expected [-1,1], got [1,2]. NOTE: Setting a non-zero max_batch_size",
    );
    expect(() => decode({ inputs: [input({ datatype: 'FP32', data: [1.5] })] })).toThrow(
      "[request id: <id_unknown>] inference input 'INPUT' data-type is 'FP32', but model 'acc_oldest' expects 'INT32'",
    );
    expect(() => decode({ inputs: [input({})], parameters: { sequence_id: -4 } })).toThrow(
      "Unable to parse 'sequence_id': attempt to access JSON non-string as string",
    );
    expect(() => decode({ inputs: [input({})], parameters: { sequence_start: 'yes' } })).toThrow(
      "Unable to parse 'sequence_start': attempt to access JSON non-boolean as boolean",
    );
    // The model's CORRID control is TYPE_UINT64: a string id is refused as Triton refuses it.
    expect(() => decode({ id: 'r1', inputs: [input({})], parameters: { sequence_id: 'tenant/1', sequence_start: true } })).toThrow(
      "[request id: r1] sequence batching control 'CORRID' data-type is 'BYTES', but model 'acc_oldest' expects 'UINT64'",
    );
    expect(decode({ id: 'r1', inputs: [input({ data: [[7]] })], parameters: { sequence_id: 12, sequence_start: true } })).toMatchObject({
      clientId: 'r1',
      sequence: 12,
      start: true,
      end: false,
      input: 7,
      batchSize: 1,
    });
    // A uint64 id above 2^53 stays exact: JSON integers are read as bigint.
    const big = Buffer.from('{"inputs":[{"name":"INPUT","datatype":"INT32","shape":[1,1],"data":[1]}],"parameters":{"sequence_id":18446744073709551615}}');
    expect(decodeSequenceInfer(parseInferRequest(big, big.byteLength, served).wire, served).sequence).toEqual({ u64: '18446744073709551615' });
  });

  it('`seqsim serve` listens, answers, and on SIGTERM checks the oracles and writes the trace', async () => {
    const trace = join(root, 'out', 'test-serve.jsonl');
    const child = spawn(
      process.execPath,
      [join(root, 'cli/bin.mjs'), 'serve', join(examples, 'direct-basic.json'), '--port', '0', '--ep', 'cpu', '--trace', trace],
      { cwd: root },
    );
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`server did not start: ${out}`)), 20_000);
      child.stdout.on('data', () => {
        const match = /on (http:\/\/[^ ]+) /.exec(out);
        if (match) {
          clearTimeout(timer);
          resolve(match[1]!);
        }
      });
    });
    const first = await infer(url, 'acc_direct', 5, 2, { start: true });
    const second = await infer(url, 'acc_direct', 5, 3, { end: true });
    expect([outputOf(first.body), outputOf(second.body)]).toEqual([2, 5]);
    child.kill('SIGTERM');
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(out).toMatch(/2 requests, no violation; trace /);
    expect(code).toBe(0);
  });
});
