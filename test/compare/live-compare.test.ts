import { InputError } from '../../src/core/input-errors.ts';
import { describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sameOutcome } from '../../sim/compare/outcomes.ts';
import { loadVariant, parseVariant } from '../../sim/compare/variants.ts';
import { cli } from '../helpers/cli.ts';

const examples = fileURLToPath(new URL('../../sim/examples/', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'seqsim-live-compare-'));

describe('compare --live', () => {
  it('Direct, Oldest and one-sequence-at-a-time agree on ONNX Runtime', async () => {
    const { code, out } = await cli(
      'compare',
      join(examples, 'direct-basic.json'),
      '--live',
      '--ep',
      'cpu',
      '--variant',
      'strategy=oldest',
      '--variant',
      'one_at_a_time=true',
    );
    expect(out).toMatch(/^compare direct-basic \(live\), seed 1: baseline vs strategy=oldest \| one_at_a_time=true/);
    expect(out).toMatch(/4 sequences: 4 compared, 0 excluded/);
    expect(code).toBe(0);
  });

  it("a user's own model (no reference function) is compared across configurations within --tolerance", async () => {
    const model = join(dir, 'acc.onnx');
    expect((await cli('live', join(examples, 'oldest-basic.json'), '--ep', 'cpu', '--write-model', model, '--trace', join(dir, 'w.jsonl'))).code).toBe(0);
    const { code, out } = await cli(
      'compare',
      join(examples, 'oldest-basic.json'),
      '--live',
      '--ep',
      'cpu',
      '--model',
      model,
      '--tolerance',
      '1e-6',
      '--variant',
      'strategy=direct',
      '--variant',
      'one_at_a_time=1',
      '--json',
    );
    const summary = JSON.parse(out) as { live: boolean; compared: number; violationCount: number; ok: boolean };
    expect(summary).toMatchObject({ live: true, violationCount: 0, ok: true });
    expect(summary.compared).toBeGreaterThan(0);
    expect(code).toBe(0);
  });

  it("a variant's own oracle violations fail the live comparison (exit 1)", async () => {
    const { code, out } = await cli('compare', join(examples, 'direct-basic.json'), '--live', '--ep', 'cpu', '--variant', 'batcher=bug:padding-ready');
    expect(out).toMatch(/✗ control-signals in batcher=bug:padding-ready, seed 1: padding row/);
    expect(out).toMatch(/reproduce: npx seqsim compare .* --live --ep cpu$/m);
    expect(code).toBe(1);
  });

  it('bad combinations are usage errors (exit 2)', async () => {
    const model = await cli('compare', join(examples, 'direct-basic.json'), '--model', 'x.onnx', '--variant', 'strategy=oldest');
    expect(model.code).toBe(2);
    expect(model.err).toMatch(/--model goes with --live/);
    const tolerance = await cli('compare', join(examples, 'direct-basic.json'), '--tolerance', '-1', '--variant', 'strategy=oldest');
    expect(tolerance.code).toBe(2);
    expect(tolerance.err).toMatch(/--tolerance must be a non-negative number/);
  });
});

describe('tolerance and the one_at_a_time axis', () => {
  it('numeric outputs agree within a relative tolerance, never across kinds', () => {
    const a = { kind: 'output', output: 1000 } as const;
    const b = { kind: 'output', output: 1000.0005 } as const;
    expect(sameOutcome(a, b)).toBe(false);
    expect(sameOutcome(a, b, 1e-6)).toBe(true);
    expect(sameOutcome(a, { kind: 'output', output: 1001 }, 1e-6)).toBe(false);
    expect(sameOutcome(a, { kind: 'error', code: 'INTERNAL' }, 1)).toBe(false);
  });

  it('one_at_a_time leaves one slot in all (Direct, one instance, max_batch_size 1)', () => {
    const config = loadVariant(join(examples, 'oldest-basic.json'), parseVariant('one_at_a_time=true'));
    expect(config.scenario.model.strategy.kind).toBe('direct');
    expect(config.scenario.model.instanceCount * config.scenario.model.slotsPerInstance).toBe(1);
    expect(() => parseVariant('one_at_a_time=yes')).toThrow(InputError);
  });
});
