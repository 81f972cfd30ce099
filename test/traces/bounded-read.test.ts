import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { appendFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FileReadProblem, readBoundedFile, readFilePrefix } from '../../src/core/bounded-read.ts';
import { InputError } from '../../src/core/input-errors.ts';
import { loadScenarioFile } from '../../src/scenario/load.ts';
import { forEachLine } from '../../traces/line-reader.ts';
import { readTraceFile, verifyTrace } from '../../traces/read.ts';
import { readVizInput, timelineOfInput } from '../../viz/trace-input.ts';
import { replayTraceFile } from '../../sim/replay-file.ts';
import { readModel } from '../../cli/commands/live.ts';
import { cli } from '../helpers/cli.ts';

/**
 * Issue 18 §2: no read is unbounded. A device, pipe or folder is refused before reading (seqsim
 * run /dev/zero used to grow to 9 GB), sizes are checked before and while reading, and traces are
 * read line by line so a trace larger than one JavaScript string (~512 MiB) still reads. The
 * limits are parameters: these tests use small ones; test/tools/large-trace.mjs measures real sizes.
 */

const root = fileURLToPath(new URL('../../', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'seqsim-bounded-'));
const fifo = join(dir, 'pipe');
execFileSync('mkfifo', [fifo]);

describe('files that never end are refused before reading', () => {
  it.each([
    ['/dev/zero', 'a character device, not a regular file'],
    ['/dev/urandom', 'a character device, not a regular file'],
    [fifo, 'a pipe, not a regular file'],
    [dir, 'a folder, not a regular file'],
  ])('%s', async (path, problem) => {
    expect(() => readBoundedFile(path, 1024)).toThrow(new FileReadProblem(problem));
    expect(() => loadScenarioFile(path)).toThrow(`${path}: cannot read file (${problem})`);
    expect(() => forEachLine(path, 'trace', { maxBytes: 1024, maxLineBytes: 1024 }, () => {})).toThrow(`${path}: cannot read trace: ${problem}`);
    expect(() => readModel(path)).toThrow(`${path}: cannot read the ONNX model: ${problem}`);
    // Through the CLI: exit 2, one line.
    for (const argv of [
      ['run', path],
      ['viz', path, '-o', join(dir, 'x.svg')],
      ['replay', path],
      ['export', path, '-o', join(dir, 'x.json')],
    ]) {
      const result = await cli(...argv);
      expect(result.code, argv.join(' ')).toBe(2);
      expect(result.err).toBe(`seqsim: ${path}: cannot read ${argv[0] === 'run' ? `file (${problem})` : `trace: ${problem}`}\n`);
    }
  });

  it('a scenario whose model path is a device names the field and the problem', () => {
    const file = join(dir, 'urandom-model.json');
    writeFileSync(file, JSON.stringify({ model: '/dev/urandom', sequences: [] }));
    expect(() => loadScenarioFile(file)).toThrow(`${file}: model: cannot read model config /dev/urandom (a character device, not a regular file)`);
  });
});

describe('size limits, before and while reading', () => {
  it('a file over the limit is refused by its size; a prefix read reads only the prefix', () => {
    const file = join(dir, 'big.bin');
    writeFileSync(file, Buffer.alloc(10_000, 7));
    expect(() => readBoundedFile(file, 9_999)).toThrow('10000 bytes is larger than the 9999 bytes limit');
    expect(readBoundedFile(file, 10_000).length).toBe(10_000);
    const { prefix, size } = readFilePrefix(file, 4, 1 << 20);
    expect([prefix.length, size]).toEqual([4, 10_000]);
  });

  it('a trace line over the line limit is refused naming the line; a last line without newline is read', () => {
    const file = join(dir, 'long-line.jsonl');
    writeFileSync(file, `short\n${'x'.repeat(5000)}\nafter`);
    const seen: string[] = [];
    expect(() => forEachLine(file, 'trace', { maxBytes: 1 << 20, maxLineBytes: 4096 }, (line) => void seen.push(line))).toThrow(
      /long-line\.jsonl: line 2: longer than the 4 KiB a trace line may have/,
    );
    expect(seen).toEqual(['short']);
    const ok: string[] = [];
    forEachLine(file, 'trace', { maxBytes: 1 << 20, maxLineBytes: 8192 }, (line) => void ok.push(line.slice(0, 5)));
    expect(ok).toEqual(['short', 'xxxxx', 'after']);
  });
});

describe('traces larger than what one string holds are read as streams', () => {
  const trace = join(dir, 'run.jsonl');
  const scenario = join(root, 'sim/examples/backlog-fill.json');

  it('verify, draw and replay a trace whose whole text is over the in-memory limit, lines read one at a time', async () => {
    expect((await cli('run', scenario, '--trace', trace)).code).toBe(0);
    const text = readFileSync(trace, 'utf8');
    const longest = Math.max(...text.split('\n').map((line) => Buffer.byteLength(line)));
    // A "string limit" smaller than the trace: reading it whole fails, streaming it does not.
    const limits = { maxBytes: text.length * 2, maxLineBytes: longest };
    expect(() => readTraceFile(trace, { maxBytes: Math.floor(text.length / 2), maxLineBytes: longest })).toThrow(InputError);
    const verified = verifyTrace(trace, { limits });
    expect(verified.integrity).toEqual([]);
    expect(verified.eventCount).toBe(text.trimEnd().split('\n').length - 1);
    const input = readVizInput(trace, { limits });
    const timeline = timelineOfInput(input, input.layout);
    expect(timeline.requests.size).toBeGreaterThan(0);
    expect(replayTraceFile(trace, limits).identical).toBe(true);
  });

  it('a trace that grows while it is read past its limit is refused, not read on', () => {
    const growing = join(dir, 'growing.jsonl');
    writeFileSync(growing, readFileSync(trace));
    const size = readFileSync(growing).length;
    let appended = false;
    expect(() =>
      forEachLine(growing, 'trace', { maxBytes: size + 10, maxLineBytes: size }, () => {
        if (!appended) appendFileSync(growing, 'x'.repeat(8 * 1024 * 1024));
        appended = true;
      }),
    ).toThrow(/grew past the .* limit while being read/);
  });
});
