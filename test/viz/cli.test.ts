import { describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { partName } from '../../cli/commands/export.ts';
import { cli } from '../helpers/cli.ts';
import { directFixture } from './fixture.ts';
import { count, parseHtml, parseSvg } from './dom.ts';

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
    expect(
      (await cli('viz', trace, '-o', output, '--from', '4ms', '--to', '13000', '--instances', '1', '--slots', '0-1', '--width', '800', '--theme', 'dark')).code,
    ).toBe(0);
    const doc = parseSvg(readFileSync(output, 'utf8'));
    expect(doc.documentElement.getAttribute('width')).toBe('800');
    expect(count(doc, 'g.slot-row')).toBe(2);
    expect(count(doc, 'rect.occ')).toBe(1);
    expect(doc.querySelector('rect.background')?.getAttribute('fill')).toBe('#0d1117');
  });

  it('rejects bad options with a usage error', async () => {
    expect(await cli('viz', trace, '-o', join(dir, 'x.svg'), '--from', 'soon')).toMatchObject({ code: 2, err: expect.stringMatching(/^seqsim: .+\n$/) });
    expect(await cli('viz', trace, '-o', join(dir, 'x.svg'), '--width', '10')).toMatchObject({
      code: 2,
      err: expect.stringMatching(/--width must be an integer from 400/),
    });
    expect(await cli('viz', trace, '-o', join(dir, 'x.svg'), '--instances', '3-1')).toMatchObject({ code: 2, err: expect.stringMatching(/--instances/) });
    expect(await cli('viz', trace, '-o', join(dir, 'x.svg'), '--from', '5ms', '--to', '1ms')).toMatchObject({
      code: 2,
      err: expect.stringMatching(/--to must be later/),
    });
    expect(await cli('viz', trace)).toMatchObject({ code: 2, err: expect.stringMatching(/output/) });
  });

  it('names the file, line and problem for a malformed trace', async () => {
    const bad = join(dir, 'bad.jsonl');
    const lines = fixture.text.split('\n');
    lines[3] = '{"t": 5, "type": "assign", ';
    writeFileSync(bad, lines.join('\n'));
    expect(await cli('viz', bad, '-o', join(dir, 'bad.svg'))).toMatchObject({ code: 2, err: expect.stringMatching(/^seqsim: .+\n$/) });
    expect(await cli('viz', bad, '-o', join(dir, 'bad.svg'))).toMatchObject({ code: 2, err: expect.stringMatching(/bad\.jsonl: line 4: not valid JSON/) });
    expect(await cli('viz', join(dir, 'missing.jsonl'), '-o', join(dir, 'bad.svg'))).toMatchObject({
      code: 2,
      err: expect.stringMatching(/missing\.jsonl: cannot read trace: ENOENT/),
    });
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
    expect(await cli('export', trace, '--format', 'perfetto-proto', '-o', join(dir, 'x.json'))).toMatchObject({
      code: 2,
      // One line, like every other usage error (issue 18 §4).
      err: 'seqsim: --format must be one of "chrome", got "perfetto-proto"\n',
    });
  });
});
