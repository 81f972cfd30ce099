import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawn } from 'node:child_process';
import { loadScenarioFile } from '../../src/scenario/load.ts';
import { startKserveServer } from '../../live/http/kserve-server.ts';
import { parseInferBody, BadInferRequest } from '../../live/http/kserve-request.ts';

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
    expect(((await notJson.json()) as { error: string }).error).toMatch(/not valid JSON/);
    const huge = await fetch(`${server.url}/v2/models/${model}/infer`, { method: 'POST', body: 'x'.repeat(200_000) });
    expect(huge.status).toBe(400);
    expect(((await huge.json()) as { error: string }).error).toMatch(/larger than 65536 bytes/);
    const unknown = await infer(server.url, 'nope', 1, 1, { start: true });
    expect(unknown.status).toBe(404);
    expect(String(unknown.body['error'])).toMatch(/unknown model: 'nope'/);

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

  it('refuses malformed bodies with a message naming the problem', () => {
    expect(() => parseInferBody({ inputs: [] }, 'INPUT')).toThrow(BadInferRequest);
    expect(() => parseInferBody({ inputs: [{ name: 'X', data: [1] }] }, 'INPUT')).toThrow(/unexpected inference input 'X'/);
    expect(() => parseInferBody({ inputs: [{ name: 'INPUT', data: [1, 2] }] }, 'INPUT')).toThrow(/exactly one number/);
    expect(() => parseInferBody({ inputs: [{ name: 'INPUT', data: [1] }], parameters: { sequence_id: -4 } }, 'INPUT')).toThrow(/unsigned 64-bit/);
    expect(() => parseInferBody({ inputs: [{ name: 'INPUT', data: [1] }], parameters: { sequence_start: 'yes' } }, 'INPUT')).toThrow(
      /'sequence_start' must be a boolean/,
    );
    expect(parseInferBody({ inputs: [{ name: 'INPUT', data: [[7]] }], parameters: { sequence_id: 'tenant/1', sequence_start: true } }, 'INPUT')).toEqual({
      id: undefined,
      sequence: 'tenant/1',
      start: true,
      end: false,
      input: 7,
    });
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
