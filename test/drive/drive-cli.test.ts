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

async function withServer<T>(file: string, batcher: string, task: (url: string) => Promise<T>): Promise<T> {
  const server = await startKserveServer(loadScenarioFile(file), { port: 0, host: '127.0.0.1', provider: 'cpu', drainMs: 5000, batcher });
  try {
    return await task(server.url);
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
    expect((await cli('drive', example('direct-basic'))).err).toMatch(/--url http:\/\/HOST:PORT/);
    expect((await cli('drive', '--url', 'http://x:1')).err).toMatch(/name a scenario file/);
    expect((await cli('drive', example('direct-basic'), '--url', 'ftp://x')).err).toMatch(/only http:\/\/ and https:\/\//);
    expect((await cli('drive', example('direct-basic'), '--url', 'http://x:1', '--time-scale', '0')).err).toMatch(/--time-scale must be a positive number/);
    expect((await cli('drive', example('direct-basic'), '--url', 'http://x:1', '--deadline', 'soon')).err).toMatch(/--deadline: expected a duration/);
    expect((await cli('drive', '--stress', '--threads', '0', '--url', 'http://x:1')).err).toMatch(/--threads must be a positive integer/);
    expect((await cli('drive', example('direct-basic'), '--write-scenario', 'x.json')).err).toMatch(/use it with --stress/);
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
