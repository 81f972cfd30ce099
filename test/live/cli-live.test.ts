import { describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cli } from '../helpers/cli.ts';

const examples = fileURLToPath(new URL('../../sim/examples/', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'seqsim-live-'));

describe('seqsim live', () => {
  it('runs a scenario, prints the figures, writes a trace and an SVG', async () => {
    const trace = join(dir, 'direct.jsonl');
    const svg = join(dir, 'direct.svg');
    const { code, out } = await cli('live', join(examples, 'direct-basic.json'), '--ep', 'cpu', '--trace', trace, '--svg', svg);
    expect(code).toBe(0);
    expect(out).toMatch(/^live direct-basic seed 1 on cpu \(requested cpu\): 12 requests, 12 responses \(0 errors\)/);
    expect(out).toMatch(/throughput \d+ infer\/s; latency p50 .*, p90 .*, p99 .*/);
    expect(out).toMatch(/batch sizes \(real rows × batches\): .*slot utilisation [\d.]+ %/);
    // 12 requests make a handful of batches: one-off costs would read as several hundred percent.
    expect(out).toMatch(/batcher overhead: not shown for \d+ batches \(one-off costs/);
    expect(out).not.toMatch(/overhead.*\d %/);
    expect(out).toMatch(/live vs simulator: 12 request outputs compared .* 0 differ/);
    const header = JSON.parse(readFileSync(trace, 'utf8').split('\n')[0]!) as { clock: string; options: Record<string, unknown> };
    expect(header.clock).toBe('real');
    expect(header.options['execution_provider']).toBe('cpu');
    const picture = readFileSync(svg, 'utf8');
    expect(picture).toMatch(/<svg[^>]*>/);
    // The picture says what clock the times are on, and names the run by what produced it.
    expect(picture).toContain('>real time (ms)<');
    expect(picture).not.toContain('virtual time');
    expect(picture).toContain('direct-basic · live, seed 1 on cpu');
    // A real-clock trace cannot be replayed: a clear error, exit 2.
    const replay = await cli('replay', trace);
    expect(replay.code).toBe(2);
    expect(replay.err).toMatch(/recorded by `seqsim live` on the real clock/);
  });

  it('--json prints the whole report; load mode flags drive perf_analyzer-style load', async () => {
    const { code, out } = await cli(
      'live',
      join(examples, 'oldest-basic.json'),
      '--ep',
      'cpu',
      '--sequences',
      '12',
      '--sequence-length',
      '3',
      '--concurrency',
      '3',
      '--trace',
      join(dir, 'load.jsonl'),
      '--json',
    );
    expect(code).toBe(0);
    const report = JSON.parse(out) as { stats: { requests: number; okResponses: number }; executionProvider: string; violations: unknown[] };
    expect(report.stats.requests).toBe(36);
    expect(report.stats.okResponses).toBe(36);
    expect(report.executionProvider).toBe('cpu');
    expect(report.violations).toEqual([]);
  });

  it('--write-model writes the generated model, which --model then runs as a user model', async () => {
    const model = join(dir, 'acc.onnx');
    const first = await cli('live', join(examples, 'oldest-basic.json'), '--ep', 'cpu', '--write-model', model, '--trace', join(dir, 'a.jsonl'));
    expect(first.code).toBe(0);
    expect(existsSync(model)).toBe(true);
    const second = await cli('live', join(examples, 'oldest-basic.json'), '--ep', 'cpu', '--model', model, '--trace', join(dir, 'b.jsonl'));
    expect(second.code).toBe(0);
    expect(second.out).not.toMatch(/live vs simulator/);
  });

  it('load mode says what it left out of the scenario (its lifecycle block)', async () => {
    const { code, out } = await cli(
      'live',
      join(examples, 'lifecycle', 'scale-2-4-3.json'),
      '--ep',
      'cpu',
      '--sequences',
      '4',
      '--sequence-length',
      '2',
      '--concurrency',
      '2',
      '--trace',
      join(dir, 'load-notes.jsonl'),
    );
    expect(code).toBe(0);
    expect(out).toMatch(/note: load mode left out the scenario's lifecycle block \(2 entries\)/);
  });

  it('--model-work adds synthetic work to the generated model, recorded in the header; misuse is refused', async () => {
    const trace = join(dir, 'work.jsonl');
    const run = await cli('live', join(examples, 'oldest-basic.json'), '--ep', 'cpu', '--model-work', '2', '--trace', trace);
    expect(run.code).toBe(0);
    expect(run.out).toMatch(/live vs simulator: .* 0 differ/);
    const header = JSON.parse(readFileSync(trace, 'utf8').split('\n')[0]!) as { options: Record<string, unknown> };
    expect(header.options['model_work_layers']).toBe(2);
    const withUserModel = await cli('live', join(examples, 'oldest-basic.json'), '--ep', 'cpu', '--model-work', '2', '--model', join(dir, 'any.onnx'));
    expect(withUserModel.code).toBe(2);
    expect(withUserModel.err).toMatch(/--model-work .* cannot change your own --model/);
    for (const bad of ['0', '2000', 'x']) {
      const refused = await cli('live', join(examples, 'oldest-basic.json'), '--ep', 'cpu', '--model-work', bad);
      expect(refused.code).toBe(2);
      expect(refused.err).toMatch(/--model-work/);
    }
  });

  it('bad input exits 2 with a message naming the problem', async () => {
    const broken = join(dir, 'broken.onnx');
    writeFileSync(broken, 'not a model');
    const model = await cli('live', join(examples, 'direct-basic.json'), '--ep', 'cpu', '--model', broken, '--trace', join(dir, 'c.jsonl'));
    expect(model.code).toBe(2);
    expect(model.err).toMatch(/broken\.onnx: onnxruntime cannot load this model/);
    const missing = await cli('live', join(examples, 'direct-basic.json'), '--ep', 'cpu', '--model', join(dir, 'nope.onnx'));
    expect(missing.code).toBe(2);
    expect(missing.err).toMatch(/nope\.onnx: cannot read the ONNX model/);
    const ep = await cli('live', join(examples, 'direct-basic.json'), '--ep', 'tpu');
    expect(ep.code).toBe(2);
    expect(ep.err).toMatch(/--ep|ep/);
    const duration = await cli('live', join(examples, 'direct-basic.json'), '--duration', 'soon');
    expect(duration.code).toBe(2);
    expect(duration.err).toMatch(/--duration: expected a duration/);
    const none = await cli('live');
    expect(none.code).toBe(2);
    expect(none.err).toMatch(/name a scenario file/);
    const concurrency = await cli('live', join(examples, 'direct-basic.json'), '--concurrency', '0');
    expect(concurrency.code).toBe(2);
    expect(concurrency.err).toMatch(/--concurrency must be a positive integer/);
  });

  it('asking for CUDA where it is absent names the install command (exit 2)', async () => {
    const { code, err } = await cli('live', join(examples, 'direct-basic.json'), '--ep', 'cuda', '--trace', join(dir, 'd.jsonl'));
    if (code === 2) expect(err).toMatch(/ONNXRUNTIME_NODE_INSTALL=cuda12/);
    else expect(code).toBe(0); // a GPU machine with the CUDA provider installed
  });

  it('--validate runs the validation suite on the CPU provider', async () => {
    const { code, out } = await cli('live', '--validate', '--ep', 'cpu');
    expect(code).toBe(0);
    expect(out).toMatch(/✓ model int32, CORRID uint64: \d+ rows \(\d+ padding\) equal the reference/);
    expect(out).toMatch(/✓ scenario direct-basic\.json/);
    expect(out).toMatch(/✓ scenario lifecycle\/direct-to-oldest-drain\.json/);
    expect(out).toMatch(/✓ load oldest-basic\.json/);
    expect(out).toMatch(/✓ model int32, CORRID uint64, 8 work layers: \d+ rows/);
    expect(out).toMatch(/✓ load direct-basic\.json \(200 sequences × 8, concurrency 8, 16 work layers\)/);
    expect(out).toMatch(/validation on cpu \(requested cpu\): 20 passed, 0 failed/);
    // A check mark never sits beside a comparison that compared nothing.
    expect(out).toMatch(
      /✓ scenario lifecycle\/unload-backlog\.json: \d+ responses, no violation; no output to compare with the simulator \(\d+ sequence\(s\) cut short/,
    );
    expect(out).not.toMatch(/\b0 outputs equal/);
  });
});
