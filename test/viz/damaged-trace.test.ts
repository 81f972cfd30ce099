import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cli } from '../helpers/cli.ts';
import { directFixture } from './fixture.ts';

/**
 * Issue 18 §3: the drawing commands check a trace before using it. An edited line is a clean
 * error naming the line and field (never `event.rows is not iterable`, exit 3); a trace whose
 * lines no longer match its summary is refused, or with --force drawn under a visible banner.
 */

const root = fileURLToPath(new URL('../../', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'seqsim-damaged-'));
const fixture = directFixture();
const lines = fixture.text.trimEnd().split('\n');
const at = (type: string): number => lines.findIndex((line) => JSON.parse(line).type === type);

function traceWith(name: string, edit: (lines: string[]) => void): string {
  const copy = [...lines];
  edit(copy);
  const file = join(dir, name);
  writeFileSync(file, `${copy.join('\n')}\n`);
  return file;
}

const commands = (file: string, force: string[] = []) =>
  [
    ['viz', file, '-o', join(dir, `${file.split('/').at(-1)}.svg`), ...force],
    ['report', file, '-o', join(dir, `${file.split('/').at(-1)}.html`), ...force],
    ['export', file, '-o', join(dir, `${file.split('/').at(-1)}.json`), ...force],
  ] as const;

describe('an edited trace line is a clean error naming the line and field (exit 2)', () => {
  it.each([
    ['rows that are not an array', 'execute', (line: Record<string, unknown>) => (line['rows'] = 5), /line (\d+): rows: must be array/],
    [
      'a row without its slot',
      'execute',
      (line: Record<string, unknown>) => delete (line['rows'] as Record<string, unknown>[])[0]!['slot'],
      /rows\[0\]\.slot: missing/,
    ],
    ['a string time', 'assign', (line: Record<string, unknown>) => (line['t'] = '5'), /line (\d+): t: missing or not an integer/],
    ['an unknown line type', 'assign', (line: Record<string, unknown>) => (line['type'] = 'teleport'), /type: unknown line type "teleport"/],
    [
      'a sequence id of the wrong kind',
      'backlog',
      (line: Record<string, unknown>) => (line['sequence'] = [1]),
      /line (\d+): sequence: not a value of any form/,
    ],
  ])('%s', async (_label, type, edit, message) => {
    const index = at(type) >= 0 ? at(type) : at('assign');
    const file = traceWith(`edited-${type}-${_label.replace(/\W+/g, '-')}.jsonl`, (copy) => {
      const line = JSON.parse(copy[index]!) as Record<string, unknown>;
      edit(line);
      copy[index] = JSON.stringify(line);
    });
    for (const argv of commands(file)) {
      const result = await cli(...argv);
      expect(result.code, `${argv[0]}: ${result.err}`).toBe(2);
      expect(result.err).toMatch(message);
      expect(result.err).toContain(`line ${index + 1}`);
      expect(result.err.split('\n')).toHaveLength(2);
    }
  });

  it('a second header, or a line after the summary, is refused', async () => {
    const twoHeaders = traceWith('two-headers.jsonl', (copy) => copy.splice(2, 0, copy[0]!));
    expect((await cli('viz', twoHeaders, '-o', join(dir, 'h.svg'))).err).toMatch(/line 3: type: a second header/);
    const after = traceWith('after-summary.jsonl', (copy) => copy.push(copy[1]!));
    expect((await cli('viz', after, '-o', join(dir, 'a.svg'))).err).toMatch(/a line after the summary/);
  });
});

describe('a trace that no longer matches its summary', () => {
  const tampered = traceWith('tampered.jsonl', (copy) => {
    const index = copy.findIndex((line) => line.includes('"type":"response"') && line.includes('"output":'));
    copy[index] = copy[index]!.replace(/"output":(-?\d+)/, (_, value: string) => `"output":${Number(value) + 1000}`);
  });

  it('is refused by viz, report and export (exit 2, hash mismatch, naming --force)', async () => {
    for (const argv of commands(tampered)) {
      const result = await cli(...argv);
      expect(result.code, argv[0]).toBe(2);
      expect(result.err).toMatch(/tampered\.jsonl: line \d+: hash mismatch: .*--force/);
    }
  });

  it('with --force is drawn under a visible "hash mismatch" banner', async () => {
    const [viz, report, exported] = commands(tampered, ['--force']);
    const svg = await cli(...viz);
    expect(svg.code).toBe(0);
    expect(svg.err).toMatch(/warning: DAMAGED TRACE, drawn with --force: hash mismatch/);
    expect(readFileSync(viz[3], 'utf8')).toMatch(/⚠ DAMAGED TRACE, drawn with --force: hash mismatch/);
    expect((await cli(...report)).code).toBe(0);
    expect(readFileSync(report[3], 'utf8')).toMatch(/<p class="bad banner" role="alert">⚠ DAMAGED TRACE, drawn with --force: hash mismatch/);
    expect((await cli(...exported)).code).toBe(0);
    expect(JSON.parse(readFileSync(exported[3], 'utf8')).otherData.warning).toMatch(/^DAMAGED TRACE, drawn with --force: hash mismatch/);
  });

  it('a summary whose counts were edited, or no summary at all, is refused too', async () => {
    const counts = traceWith('counts.jsonl', (copy) => {
      const summary = JSON.parse(copy.at(-1)!);
      summary.requests += 1;
      copy[copy.length - 1] = JSON.stringify(summary);
    });
    expect((await cli('viz', counts, '-o', join(dir, 'c.svg'))).err).toMatch(/the summary counts \d+ requests but the trace holds \d+/);
    const cut = traceWith('cut.jsonl', (copy) => copy.pop());
    expect((await cli('viz', cut, '-o', join(dir, 'cut.svg'))).err).toMatch(/no summary line: the trace is incomplete/);
    expect((await cli('viz', cut, '-o', join(dir, 'cut.svg'), '--force')).code).toBe(0);
  });
});

describe('CRLF line endings', () => {
  it('a trace saved with CRLF replays as identical and draws like the original', async () => {
    const original = join(dir, 'lf.jsonl');
    expect((await cli('run', join(root, 'sim/examples/direct-basic.json'), '--trace', original)).code).toBe(0);
    const crlf = join(dir, 'crlf.jsonl');
    writeFileSync(crlf, readFileSync(original, 'utf8').replace(/\n/g, '\r\n'));
    const replayed = await cli('replay', crlf);
    expect(replayed.err).toBe('');
    expect(replayed.out).toMatch(/^identical: /);
    expect((await cli('viz', crlf, '-o', join(dir, 'crlf.svg'))).code).toBe(0);
    expect((await cli('viz', original, '-o', join(dir, 'lf.svg'))).code).toBe(0);
    expect(readFileSync(join(dir, 'crlf.svg'), 'utf8')).toBe(readFileSync(join(dir, 'lf.svg'), 'utf8'));
  });
});
