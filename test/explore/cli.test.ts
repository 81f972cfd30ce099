import { describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../cli/main.ts';
import type { CliIO } from '../../cli/command.ts';
import { LIFECYCLE_ZOO, ZOO } from '../../sim/zoo/variants.ts';
import { HARD_ZOO } from '../../sim/zoo/hard-variants.ts';

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CliIO = { out: (t) => (out += t), err: (t) => (err += t), interactive: false };
  const code = await main(argv, io);
  return { code, out, err };
}

const dir = mkdtempSync(join(tmpdir(), 'seqsim-explore-'));

describe('seqsim explore: lifecycle and metamorphic', () => {
  it('--list-bugs prints one name per line, the lifecycle and the hard bugs after a note on stderr each', async () => {
    const { code, out, err } = await cli('explore', '--list-bugs');
    expect(code).toBe(0);
    expect(out.trim().split('\n')).toEqual([...ZOO, ...LIFECYCLE_ZOO, ...HARD_ZOO].map((bug) => bug.name));
    expect(err).toMatch(/lifecycle bugs .*--lifecycle/);
    expect(err).toMatch(/hard bugs .*docs\/zoo\.md/);
  });

  it('--lifecycle needs --generate; a lifecycle bug without --lifecycle is refused', async () => {
    expect((await cli('explore', 'sim/examples/backlog-fill.json', '--lifecycle')).code).toBe(2);
    const refused = await cli('explore', '--generate', '--batcher', 'bug:destroys-busy-instance');
    expect(refused.code).toBe(2);
    expect(refused.err).toMatch(/lifecycle bug.*--lifecycle/);
    expect((await cli('explore', '--generate', '--batcher', 'bug:reload-abandons-backlog')).code).toBe(2);
  });

  it('--generate --lifecycle finds a lifecycle bug (exit 1) and writes its shrunk reproducer', async () => {
    const out = join(dir, 'lc');
    const { code, out: text } = await cli(
      'explore',
      '--generate',
      '--lifecycle',
      '--seeds',
      '200',
      '--workers',
      '1',
      '--batcher',
      'bug:destroys-busy-instance',
      '--out',
      out,
    );
    expect(code).toBe(1);
    expect(text).toMatch(/✗ lifecycle at seed \d+: instance \d+ was destroyed while/);
    expect(text).toMatch(/reproduce: npx seqsim run .*\.min\.json --seed \d+ --batcher bug:destroys-busy-instance/);
  });

  it(
    '--metamorphic: clean for the real batcher (exit 0, counts what it compared); ' +
      'a planted bug gives a cross-config finding that seqsim compare reproduces',
    async () => {
      const clean = await cli('explore', '--generate', '--metamorphic', '--seeds', '300', '--workers', '1', '--out', join(dir, 'm0'), '--json');
      expect(clean.code).toBe(0);
      const summary = JSON.parse(clean.out) as { metamorphic: { seeds_compared: number; sequences_compared: number } };
      expect(summary.metamorphic.seeds_compared).toBe(300);
      expect(summary.metamorphic.sequences_compared).toBeGreaterThan(0);

      const out = join(dir, 'm1');
      const found = await cli(
        'explore',
        '--generate',
        '--metamorphic',
        '--seeds',
        '300',
        '--workers',
        '1',
        '--keep-going',
        '--batcher',
        'bug:state-not-reset-on-start',
        '--out',
        out,
      );
      expect(found.code).toBe(1);
      const line = found.out.split('\n').find((l) => l.includes('reproduce: npx seqsim compare'));
      expect(line).toBeDefined();
      const args = line!.trim().replace('reproduce: npx seqsim ', '').split(' ');
      expect(existsSync(args[1]!)).toBe(true);
      expect(readFileSync(join(out, 'summary-1-of-1.json'), 'utf8')).toContain('cross-config');
      const replayed = await cli(...args);
      expect(replayed.code).toBe(1);
      expect(replayed.out).toContain('✗ cross-config');
    },
  );
});
