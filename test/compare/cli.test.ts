import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli } from '../helpers/cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'seqsim-compare-cli-'));
const backlog = join('sim', 'examples', 'backlog-fill.json');

describe('seqsim compare', () => {
  it('exits 0 and says what was compared and excluded', async () => {
    const r = await cli('compare', backlog, '--variant', 'strategy=oldest', '--variant', 'instances=2');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toBe(
      'compare backlog-fill, seed 3: baseline vs strategy=oldest | instances=2\n' +
        '  4 sequences: 3 compared, 1 excluded (expired 1)\n' +
        '  no difference: every compared sequence got the same responses in every configuration\n',
    );
  });

  it('takes one value per --variant, so the scenario may come after it', async () => {
    const r = await cli('compare', '--variant', 'strategy=oldest', backlog, '--variant', 'instances=2', '--json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out).configs).toEqual(['baseline', 'strategy=oldest', 'instances=2']);
  });

  it('--seeds N --from S runs that range and aggregates; --json is machine-readable', async () => {
    const r = await cli('compare', backlog, '--seeds', '4', '--from', '10', '--variant', 'strategy=oldest,instances=2', '--json');
    expect(r.code).toBe(0);
    const json = JSON.parse(r.out);
    expect(json).toMatchObject({
      scenario: 'backlog-fill',
      ok: true,
      seeds: [10, 11, 12, 13],
      sequences: 16,
      compared: 12,
      excludedTotal: 4,
      violationCount: 0,
      reproduce: null,
    });
    expect(json.excluded.expired).toBe(4);
    expect(json.configs).toEqual(['baseline', 'strategy=oldest,instances=2']);
  });

  it('a difference exits 1, names sequence, step, variants and values, and --out writes both traces', async () => {
    const out = join(dir, 'diff');
    const r = await cli('compare', backlog, '--variant', 'batcher=bug:state-not-reset-on-start', '--out', out);
    expect(r.code).toBe(1);
    expect(r.out).toContain('✗ cross-config, seed 3: sequence 2 (sequences[1]) step 0: baseline output 8, batcher=bug:state-not-reset-on-start output 15');
    expect(r.out).toContain('✗ outputs in batcher=bug:state-not-reset-on-start, seed 3:');
    expect(r.out).toContain('reproduce: npx seqsim compare sim/examples/backlog-fill.json --seed 3 --variant batcher=bug:state-not-reset-on-start');
    const base = join(out, 'backlog-fill-seed3-baseline.jsonl');
    const variant = join(out, 'backlog-fill-seed3-batcher_bug_state-not-reset-on-start.jsonl');
    expect(r.out).toContain(`trace ${base}`);
    for (const file of [base, variant]) {
      const lines = readFileSync(file, 'utf8')
        .trimEnd()
        .split('\n')
        .map((l) => JSON.parse(l));
      expect(lines[0]).toMatchObject({ type: 'header', seed: 3 });
      expect(lines.at(-1).type).toBe('summary');
    }
    expect(JSON.parse(readFileSync(variant, 'utf8').split('\n')[0]!).options.batcher).toBe('bug:state-not-reset-on-start');
    // The written traces replay as they are.
    expect((await cli('replay', variant)).out).toMatch(/^identical/);
  });

  it('per-run oracle violations of a variant fail the comparison even when responses agree', async () => {
    const r = await cli('compare', join('sim', 'examples', 'direct-basic.json'), '--variant', 'batcher=bug:padding-ready', '--json');
    expect(r.code).toBe(1);
    const json = JSON.parse(r.out);
    expect(json.violationCount).toBe(0);
    expect(json.runViolationCount).toBeGreaterThan(0);
    expect(json.runViolations[0]).toMatchObject({ config: 'batcher=bug:padding-ready', seed: 1 });
  });

  it('nothing comparable is an error, not a pass', async () => {
    const file = join(dir, 'all-reaped.json');
    writeFileSync(
      file,
      JSON.stringify({
        name: 'all-reaped',
        model: { name: 'm', max_batch_size: 1, sequence_batching: { max_sequence_idle_microseconds: 20_000 } },
        executor: { latency_us: 1000 },
        sequences: [
          {
            id: 7,
            steps: [
              { value: 1, start: true },
              { value: 2, gap_us: 50_000, end: true },
            ],
          },
        ],
      }),
    );
    const r = await cli('compare', file, '--variant', 'strategy=oldest');
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err).toBe(`seqsim: ${file}: nothing to compare: 0 compared, 1 excluded (idle-timeout 1) — every sequence's outcome depends on timing here\n`);
  });

  it('bad variants and usage are exit 2 with one line naming the problem', async () => {
    const invalid = await cli('compare', join('sim', 'examples', 'oldest-basic.json'), '--variant', 'max_batch_size=2');
    expect(invalid.code).toBe(2);
    expect(invalid.err).toMatch(/^seqsim: --variant "max_batch_size=2": makes an invalid scenario: .*preferred batch size must be <= max batch size/);
    expect((await cli('compare', backlog)).err).toContain('compare needs at least one --variant');
    expect((await cli('compare', backlog, '--variant', 'strategy=lifo')).code).toBe(2);
    expect((await cli('compare', backlog, '--variant', 'instances=2', '--seed', '1', '--seeds', '3')).err).toContain('give --seed or --seeds, not both');
    expect((await cli('compare', backlog, '--variant', 'instances=2', '--from', '3')).err).toContain('--from goes with --seeds');
  });
});
