import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../cli/main.ts';
import type { CliIO } from '../../cli/command.ts';
import type { CampaignSummary } from '../../sim/explore/summary.ts';

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CliIO = { out: (t) => (out += t), err: (t) => (err += t), interactive: false };
  const code = await main(argv, io);
  return { code, out, err };
}

const dir = mkdtempSync(join(tmpdir(), 'seqsim-merge-'));
/** A campaign with findings of three oracles, fault and lifecycle accounting: every summary field has something in it. */
const CAMPAIGN = ['--generate', '--lifecycle', '--batcher', 'bug:destroys-busy-instance', '--seeds', '150', '--keep-going', '--no-shrink', '--workers', '1'];

/** What may differ between a sharded and an unsharded campaign: how it was run, not what it found. */
function results(summary: CampaignSummary): Omit<CampaignSummary, 'workers' | 'wall_ms' | 'seeds_per_s'> {
  const { workers: _workers, wall_ms: _wall, seeds_per_s: _speed, ...rest } = summary;
  return rest;
}

const read = (file: string): CampaignSummary => JSON.parse(readFileSync(file, 'utf8')) as CampaignSummary;

describe('seqsim merge', () => {
  it('the merge of explore --shard 1/3, 2/3, 3/3 equals the unsharded campaign (fault counts and findings included)', async () => {
    const out = join(dir, 'campaign');
    expect((await cli('explore', ...CAMPAIGN, '--out', out)).code).toBe(1);
    for (const k of [1, 2, 3]) await cli('explore', ...CAMPAIGN, '--out', out, '--shard', `${k}/3`);
    const whole = read(join(out, 'summary-1-of-1.json'));
    const shards = [1, 2, 3].map((k) => join(out, `summary-${k}-of-3.json`));
    // The campaign's findings come from more than one shard: the merge has to pick each oracle's first.
    const ranges = shards.map((file) => read(file));
    const shardOf = (seed: number): number => ranges.findIndex((s) => seed >= s.from && seed < s.from + s.seeds);
    expect(new Set(whole.findings.map((finding) => shardOf(finding.seed))).size).toBeGreaterThan(1);
    expect(ranges.some((s) => s.findings.some((f) => !whole.findings.some((w) => w.seed === f.seed && w.oracle === f.oracle)))).toBe(true);
    expect(Object.keys(whole.faults_fired).length).toBeGreaterThan(0);
    expect(whole.findings.length).toBeGreaterThanOrEqual(2);

    const merged = await cli('merge', ...shards.reverse(), '--json');
    expect(merged.code).toBe(1);
    const summary = JSON.parse(merged.out) as CampaignSummary;
    expect(results(summary)).toEqual(results(whole));
    expect(summary.workers).toBe(3);

    const text = await cli('merge', ...shards);
    expect(text.out).toMatch(
      new RegExp(
        String.raw`^merged 3 shard\(s\) \(the whole campaign\): seeds 1…150, 150 run with the bug:destroys-busy-instance batcher: ` +
          String.raw`\d+ violating run\(s\), \d+ distinct oracle\(s\)`,
      ),
    );
    expect(text.out).toMatch(/faults: .*fired \d+×/);
    expect(text.out).toMatch(/✗ lifecycle at seed \d+: .*\n {4}reproduce: npx seqsim /);
  }, 120_000);

  it('merges a merge: (1/3 + 2/3) + 3/3 equals 1/3 + 2/3 + 3/3', async () => {
    const out = join(dir, 'campaign');
    const first = await cli('merge', join(out, 'summary-1-of-3.json'), join(out, 'summary-2-of-3.json'), '--json');
    const partial = JSON.parse(first.out) as CampaignSummary;
    expect(partial.shard).toBe('1/3+2/3');
    writeFileSync(join(dir, 'partial.json'), first.out);
    const again = JSON.parse((await cli('merge', join(dir, 'partial.json'), join(out, 'summary-3-of-3.json'), '--json')).out) as CampaignSummary;
    const direct = JSON.parse((await cli('merge', ...[1, 2, 3].map((k) => join(out, `summary-${k}-of-3.json`)), '--json')).out) as CampaignSummary;
    expect(results(again)).toEqual(results(direct));
  });

  it('says where shards leave a gap', async () => {
    const out = join(dir, 'campaign');
    const gap = await cli('merge', join(out, 'summary-1-of-3.json'), join(out, 'summary-3-of-3.json'), '--json');
    const summary = JSON.parse(gap.out) as CampaignSummary;
    expect(summary.contiguous).toBe(false);
    expect(summary.shard).toBe('1/3+3/3');
    expect(summary.seeds).toBe(100);
    expect((await cli('merge', join(out, 'summary-1-of-3.json'), join(out, 'summary-3-of-3.json'))).out).toMatch(/with gaps: 100 covered/);
  });

  it('refuses overlapping ranges, mixed batchers and files that are not summaries, in one line (exit 2)', async () => {
    const out = join(dir, 'campaign');
    const overlap = await cli('merge', join(out, 'summary-1-of-1.json'), join(out, 'summary-2-of-3.json'));
    expect(overlap.code).toBe(2);
    expect(overlap.err).toMatch(/summary-2-of-3\.json: from: seed range overlaps .*summary-1-of-1\.json \(1…150\)/);

    const other = { ...read(join(out, 'summary-3-of-3.json')), batcher: 'real' };
    writeFileSync(join(dir, 'other.json'), JSON.stringify(other));
    const mixed = await cli('merge', join(out, 'summary-1-of-3.json'), join(dir, 'other.json'));
    expect(mixed.code).toBe(2);
    expect(mixed.err).toMatch(/different batchers: bug:destroys-busy-instance, real/);

    writeFileSync(join(dir, 'not-a-summary.json'), JSON.stringify({ type: 'header' }));
    const wrong = await cli('merge', join(dir, 'not-a-summary.json'));
    expect(wrong.code).toBe(2);
    expect(wrong.err.trim().split('\n')).toHaveLength(1);
    expect(wrong.err).toMatch(/not-a-summary\.json: from: missing or not a non-negative integer/);

    writeFileSync(join(dir, 'bad-counts.json'), JSON.stringify({ ...read(join(out, 'summary-1-of-3.json')), faults_fired: { request_drop: -1 } }));
    const counts = await cli('merge', join(dir, 'bad-counts.json'));
    expect(counts.code).toBe(2);
    expect(counts.err).toMatch(/bad-counts\.json: faults_fired: missing or not an object of counts/);
  });
});
