import { InputError, UsageError } from '../../src/core/input-errors.ts';
import { describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import yargs from 'yargs';
import type { CliIO, SeqsimCommand } from '../../cli/command.ts';
import { vizCommand } from '../../cli/commands/viz.ts';
import { reportCommand } from '../../cli/commands/report.ts';
import { exportCommand, partName } from '../../cli/commands/export.ts';
import { directFixture } from './fixture.ts';
import { count, parseHtml, parseSvg } from './dom.ts';

/** Parses argv with the commands' own builders (as main() does) and runs the chosen one. */
async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CliIO = { out: (t) => (out += t), err: (t) => (err += t), interactive: false };
  let chosen: { command: SeqsimCommand; args: Record<string, unknown> } | undefined;
  const parser = yargs(argv).strict().exitProcess(false).fail((message, error) => {
    throw error ?? new UsageError(message);
  });
  for (const command of [vizCommand, reportCommand, exportCommand]) {
    parser.command(command.usage, command.describe, (y) => command.builder(y), (args) => {
      chosen = { command, args: args as Record<string, unknown> };
    });
  }
  await parser.parseAsync();
  const code = await chosen!.command.run(chosen!.args, io);
  return { code, out, err };
}

const dir = mkdtempSync(join(tmpdir(), 'seqsim-viz-cli-'));
const fixture = directFixture();
const trace = join(dir, 'fixture.jsonl');
writeFileSync(trace, fixture.text);

describe('seqsim viz', () => {
  it('writes the timeline SVG with the slots from the header', async () => {
    const output = join(dir, 'out', 'timeline.svg');
    const result = await cli('viz', trace, '-o', output);
    expect(result.code).toBe(0);
    expect(result.out).toMatch(/^wrote .*timeline\.svg \(\d+\.\d KiB\)\n$/);
    const doc = parseSvg(readFileSync(output, 'utf8'));
    expect(count(doc, 'g.slot-row')).toBe(4);
    expect(doc.querySelector('text.heading')?.textContent).toBe('viz-fixture · seed 7');
  });

  it('applies window, filters, width and theme', async () => {
    const output = join(dir, 'window.svg');
    expect((await cli('viz', trace, '-o', output, '--from', '4ms', '--to', '13000', '--instances', '1', '--slots', '0-1', '--width', '800', '--theme', 'dark')).code).toBe(0);
    const doc = parseSvg(readFileSync(output, 'utf8'));
    expect(doc.documentElement.getAttribute('width')).toBe('800');
    expect(count(doc, 'g.slot-row')).toBe(2);
    expect(count(doc, 'rect.occ')).toBe(1);
    expect(doc.querySelector('rect.background')?.getAttribute('fill')).toBe('#0d1117');
  });

  it('rejects bad options with a usage error', async () => {
    await expect(cli('viz', trace, '-o', join(dir, 'x.svg'), '--from', 'soon')).rejects.toThrow(UsageError);
    await expect(cli('viz', trace, '-o', join(dir, 'x.svg'), '--width', '10')).rejects.toThrow(/--width must be an integer from 400/);
    await expect(cli('viz', trace, '-o', join(dir, 'x.svg'), '--instances', '3-1')).rejects.toThrow(/--instances/);
    await expect(cli('viz', trace, '-o', join(dir, 'x.svg'), '--from', '5ms', '--to', '1ms')).rejects.toThrow(/--to must be later/);
    await expect(cli('viz', trace)).rejects.toThrow(/output/);
  });

  it('names the file, line and problem for a malformed trace', async () => {
    const bad = join(dir, 'bad.jsonl');
    const lines = fixture.text.split('\n');
    lines[3] = '{"t": 5, "type": "assign", ';
    writeFileSync(bad, lines.join('\n'));
    await expect(cli('viz', bad, '-o', join(dir, 'bad.svg'))).rejects.toThrow(InputError);
    await expect(cli('viz', bad, '-o', join(dir, 'bad.svg'))).rejects.toThrow(/bad\.jsonl: line 4: not valid JSON/);
    await expect(cli('viz', join(dir, 'missing.jsonl'), '-o', join(dir, 'bad.svg'))).rejects.toThrow(/missing\.jsonl: cannot read trace: ENOENT/);
    expect(existsSync(join(dir, 'bad.svg'))).toBe(false);
  });
});

describe('seqsim report', () => {
  it('writes one self-contained HTML file', async () => {
    const output = join(dir, 'report.html');
    const result = await cli('report', trace, '-o', output, '--theme', 'dark');
    expect(result.code).toBe(0);
    const doc = parseHtml(readFileSync(output, 'utf8'));
    expect(doc.body.className).toBe('theme-dark');
    expect(count(doc, '#timeline svg rect.occ')).toBe(5);
    expect(count(doc, '#events tbody tr')).toBe(fixture.events.length);
    // The header's model gives the reference column.
    expect(doc.querySelector('details.sequence table.steps tbody tr td:nth-child(10)')?.textContent).toMatch(/^\d+$/);
  });
});

describe('seqsim export', () => {
  it('writes Chrome trace-event JSON', async () => {
    const output = join(dir, 'trace.json');
    const result = await cli('export', trace, '--format', 'chrome', '-o', output);
    expect(result.code).toBe(0);
    expect(result.err).toBe('');
    const doc = JSON.parse(readFileSync(output, 'utf8')) as { traceEvents: unknown[] };
    expect(doc.traceEvents.length).toBeGreaterThan(50);
  });

  it('splits into numbered files past --max-mb, with a note on stderr', async () => {
    const output = join(dir, 'split.json');
    const result = await cli('export', trace, '-o', output, '--max-mb', '0.01');
    expect(result.code).toBe(0);
    expect(result.err).toMatch(/^seqsim: note: the Chrome trace would exceed 0.01 MB, so it is split by time into \d+ files/);
    expect(existsSync(join(dir, 'split.part1.json'))).toBe(true);
    expect(existsSync(join(dir, 'split.part2.json'))).toBe(true);
    expect(existsSync(output)).toBe(false);
    expect(partName('a/b.json', 3)).toBe('a/b.part3.json');
    expect(partName('trace', 1)).toBe('trace.part1.json');
  });

  it('refuses an unknown format', async () => {
    await expect(cli('export', trace, '--format', 'perfetto-proto', '-o', join(dir, 'x.json'))).rejects.toThrow(/Invalid values/);
  });
});
