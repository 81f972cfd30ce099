import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadScenarioFile } from '../../src/scenario/load.ts';
import { startKserveServer } from '../../live/http/kserve-server.ts';
import { cli } from '../helpers/cli.ts';
import { root } from './helpers.ts';

const dir = mkdtempSync(join(tmpdir(), 'seqsim-drive-cli-'));
const example = (name: string) => join(root, 'sim/examples', `${name}.json`);

async function withServer<T>(file: string, batcher: string, task: (url: string, grpcAddress: string) => Promise<T>): Promise<T> {
  const server = await startKserveServer(loadScenarioFile(file), { port: 0, grpcPort: 0, host: '127.0.0.1', provider: 'cpu', drainMs: 5000, batcher });
  try {
    return await task(server.url, server.grpcAddress!);
  } finally {
    await server.close();
  }
}

describe('seqsim drive (CLI)', () => {
  it('exit 0 with a report, the trace and the client timeline written; --json prints the same facts', async () => {
    await withServer(example('direct-basic'), 'real', async (url) => {
      const trace = join(dir, 'basic.jsonl');
      const svg = join(dir, 'basic.svg');
      const text = await cli('drive', example('direct-basic'), '--url', url, '--trace', trace, '--svg', svg);
      expect(text.code).toBe(0);
      expect(text.out).toMatch(
        new RegExp(
          String.raw`^drive direct-basic \(scenario\) seed 1 against model 'acc_direct' at http:\/\/127\.0\.0\.1:\d+ \(kserve-v2-http\): ` +
            '20 requests, 20 outputs, 0 errors, .* — no violation',
        ),
      );
      expect(text.out).toMatch(/slot-leak probe: 4 of 4 new sequences got a slot/);
      expect(text.out).toMatch(/not observable from a client: affinity, order, control-signals/);
      expect(readFileSync(svg, 'utf8')).toMatch(/^<svg /);
      const json = await cli('drive', example('direct-basic'), '--url', url, '--trace', trace, '--json', '--seed', '9');
      const report = JSON.parse(json.out) as Record<string, unknown>;
      expect(report).toMatchObject({ seed: 9, requests: 20, outputs: 20, violations: [], frontEnd: 'kserve-v2-http', trace });
      expect((report['notObservable'] as { oracle: string }[]).map((n) => n.oracle)).toContain('control-signals');
    });
  }, 60_000);

  it('exit 1 when the server breaks an oracle (a slot leaks)', async () => {
    await withServer(join(root, 'sim/examples/drive/slot-leak.json'), 'bug:slot-leak-on-end', async (url) => {
      const result = await cli(
        'drive',
        join(root, 'sim/examples/drive/slot-leak.json'),
        '--url',
        url,
        '--trace',
        join(dir, 'leak.jsonl'),
        '--deadline',
        '500ms',
      );
      expect(result.code).toBe(1);
      expect(result.out).toMatch(/✗ slot-accounting: slot-leak probe: only 0 of 1 new sequences got a slot/);
    });
  }, 60_000);

  it('exit 2 with one line: no server, a model it does not serve, bad options', async () => {
    const unreachable = await cli('drive', example('direct-basic'), '--url', 'http://127.0.0.1:9', '--trace', join(dir, 'x.jsonl'));
    expect(unreachable.code).toBe(2);
    expect(unreachable.err).toMatch(/^seqsim: cannot reach the server at http:\/\/127\.0\.0\.1:9: .*\n$/);
    await withServer(example('direct-basic'), 'real', async (url) => {
      const other = await cli('drive', example('direct-basic'), '--url', url, '--model', 'acc_other');
      expect(other.code).toBe(2);
      expect(other.err).toMatch(/does not serve model 'acc_other'/);
      const differs = await cli('drive', example('backlog-fill'), '--url', url, '--model', 'acc_direct');
      expect(differs.code).toBe(2);
      expect(differs.err).toMatch(/^seqsim: the server's config of model 'acc_direct' differs from the scenario's: max_batch_size: server "2", scenario "1"/);
    });
    expect((await cli('drive', example('direct-basic'))).err).toMatch(/name the server: --url http:\/\/HOST:PORT or --grpc HOST:PORT/);
    expect((await cli('drive', '--url', 'http://x:1')).err).toMatch(/name a scenario file/);
    expect((await cli('drive', example('direct-basic'), '--url', 'ftp://x')).err).toMatch(/only http:\/\/ and https:\/\//);
    expect((await cli('drive', example('direct-basic'), '--url', 'http://x:1', '--time-scale', '0')).err).toMatch(/--time-scale must be a positive number/);
    expect((await cli('drive', example('direct-basic'), '--url', 'http://x:1', '--deadline', 'soon')).err).toMatch(/--deadline: expected a duration/);
    expect((await cli('drive', '--stress', '--threads', '0', '--url', 'http://x:1')).err).toMatch(/--threads must be a positive integer/);
    expect((await cli('drive', example('direct-basic'), '--write-scenario', 'x.json')).err).toMatch(/use it with --stress/);
  }, 60_000);

  it('--grpc: the same run over gRPC (exit 0, front end kserve-v2-grpc), a zoo bug found (exit 1), and exit 2 with one line', async () => {
    await withServer(example('oldest-basic'), 'real', async (_url, address) => {
      const report = await cli('drive', example('oldest-basic'), '--grpc', address, '--trace', join(dir, 'grpc.jsonl'), '--json');
      expect(report.code).toBe(0);
      expect(JSON.parse(report.out)).toMatchObject({ frontEnd: 'kserve-v2-grpc', server: address, requests: 24, outputs: 24, violations: [], notes: [] });
      const text = await cli('drive', example('oldest-basic'), '--grpc', address, '--trace', join(dir, 'grpc.jsonl'));
      expect(text.out).toMatch(/^drive oldest-basic \(scenario\) seed \d+ against model 'acc_oldest' at 127\.0\.0\.1:\d+ \(kserve-v2-grpc\): /);
      const other = await cli('drive', example('oldest-basic'), '--grpc', address, '--model', 'acc_other');
      expect(other.code).toBe(2);
      expect(other.err).toMatch(/^seqsim: the server at 127\.0\.0\.1:\d+ does not serve model 'acc_other' \(gRPC 5 NOT_FOUND: .*\); name it with --model\n$/);
      const differs = await cli('drive', example('direct-basic'), '--grpc', address, '--model', 'acc_oldest');
      expect(differs.code).toBe(2);
      expect(differs.err).toMatch(/^seqsim: the server's config of model 'acc_oldest' differs from the scenario's: max_batch_size: server "4", scenario "2"/);
    });
    await withServer(example('oldest-basic'), 'bug:oldest-two-per-batch', async (_url, address) => {
      const found = await cli('drive', example('oldest-basic'), '--grpc', address, '--trace', join(dir, 'grpc-bug.jsonl'));
      expect(found.code).toBe(1);
      expect(found.out).toMatch(/✗ outputs: request \S+ \(sequence \d+ step \d+.*\): output \d+, expected output \d+/);
    });
    const unreachable = await cli('drive', example('direct-basic'), '--grpc', '127.0.0.1:9', '--trace', join(dir, 'x.jsonl'));
    expect(unreachable.code).toBe(2);
    expect(unreachable.err).toMatch(/^seqsim: cannot reach the server at 127\.0\.0\.1:9: 14 UNAVAILABLE: .*\n$/);
    const both = await cli('drive', example('direct-basic'), '--url', 'http://x:1', '--grpc', 'x:2');
    expect([both.code, both.err]).toEqual([2, 'seqsim: --url and --grpc both name the server: give one\n']);
    for (const bad of ['grpc://x:8001', 'x', 'x:0', 'x:70000', ':8001', '']) {
      const malformed = await cli('drive', example('direct-basic'), '--grpc', bad);
      expect(malformed.code, bad).toBe(2);
      expect(malformed.err).toBe(`seqsim: --grpc: expected HOST:PORT like localhost:8001, got ${JSON.stringify(bad)}\n`);
    }
  }, 60_000);

  it('--stress --write-scenario writes the workload (no server needed) and seqsim run simulates it', async () => {
    const file = join(dir, 'stress.json');
    const written = await cli('drive', '--stress', '--seed', '3', '--threads', '2', '--iterations', '10', '--write-scenario', file);
    expect(written.code).toBe(0);
    expect(written.out).toMatch(/wrote the stress workload \(seed 3, 2 threads × 10 iterations\)/);
    const scenario = JSON.parse(readFileSync(file, 'utf8')) as { model: { name: string }; sequences: unknown[] };
    expect(scenario.model.name).toBe('sequence_stress');
    expect(scenario.sequences).toHaveLength(20);
    const run = await cli('run', file, '--trace', join(dir, 'stress-run.jsonl'));
    expect(run.code).toBe(0);
    expect(run.out).toMatch(/no violation/);
  }, 60_000);
});
