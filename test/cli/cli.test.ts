import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { exampleFiles } from '../../cli/commands/examples.ts';
import { cli } from '../helpers/cli.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));

const dir = mkdtempSync(join(tmpdir(), 'seqsim-cli-'));
const example = exampleFiles().find((f) => f.endsWith('backlog-fill.json'))!;

/** The Triton cancel-release leak (test/conformance/known-triton-leak.test.ts): a real violation. */
const leakScenario = join(dir, 'leak.json');
writeFileSync(
  leakScenario,
  JSON.stringify({
    name: 'leak',
    model: { name: 'm', max_batch_size: 1, sequence_batching: { max_sequence_idle_microseconds: 5000 } },
    executor: { latency_us: 1000 },
    sequences: [
      {
        id: 7,
        mode: 'stream',
        steps: [
          { value: 1, start: true },
          { value: 2, gap_us: 10, end: true, cancel_after_us: 0 },
        ],
      },
      { id: 7, start_us: 20, steps: [{ value: 4, start: true }] },
    ],
  }),
);
/** A regular file where a trace path needs a directory. */
writeFileSync(join(dir, 'not-a-dir.json'), '{}');

describe('seqsim run', () => {
  it('exits 0 without violations, writes the trace, prints JSON with --json', async () => {
    const trace = join(dir, 'ok.jsonl');
    const result = await cli('run', example, '--seed', '4', '--trace', trace, '--json');
    expect(result.code).toBe(0);
    const report = JSON.parse(result.out);
    expect(report).toMatchObject({ scenario: 'backlog-fill', seed: 4, outcome: 'quiescent', violations: [], trace });
    expect(readFileSync(trace, 'utf8').split('\n')[0]).toContain('"format":"seqsim-trace"');
  });

  it('exits 1 on a violation and prints the replay command', async () => {
    const trace = join(dir, 'leak.jsonl');
    const result = await cli('run', leakScenario, '--trace', trace);
    expect(result.code).toBe(1);
    expect(result.out).toContain('✗ slot-accounting: 1 slot(s) still held after the run went quiescent (slot leak)');
    expect(result.out).toContain(`replay: npx seqsim replay ${trace}`);
  });

  it.each([
    [['run', join(dir, 'missing.json')], /missing\.json: cannot read file \(ENOENT\)/],
    [['run', example, '--seed', 'abc'], /--seed must be an integer/],
    [['run', example, '--max-events', '0'], /--max-events must be a positive integer/],
    [['run'], /Not enough non-option arguments/],
    [['frobnicate'], /Unknown argument|name a command/],
    // The trace streams to disk as the run goes: a path it cannot write is refused before the run.
    [['run', example, '--trace', join(dir, 'not-a-dir.json', 'x.jsonl')], /not-a-dir\.json\/x\.jsonl: cannot write the trace: (ENOTDIR|EEXIST)/],
  ])('bad input %j exits 2 with one line on stderr', async (argv, message) => {
    const result = await cli(...argv);
    expect(result.code).toBe(2);
    expect(result.err).toMatch(message);
    expect(result.err.trim().split('\n')).toHaveLength(1);
    expect(result.err).not.toMatch(/\bat .*\.ts:\d+/);
  });

  it('--svg keeps the run in memory to draw it: the same trace bytes as the streamed run', async () => {
    const streamed = join(dir, 'streamed.jsonl');
    const kept = join(dir, 'kept.jsonl');
    expect((await cli('run', example, '--seed', '5', '--trace', streamed)).code).toBe(0);
    expect((await cli('run', example, '--seed', '5', '--trace', kept, '--svg', join(dir, 'kept.svg'))).code).toBe(0);
    expect(readFileSync(streamed, 'utf8')).toBe(readFileSync(kept, 'utf8'));
    expect(readFileSync(join(dir, 'kept.svg'), 'utf8')).toContain('<svg');
  });

  it('a malformed scenario names the file and the field', async () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ model: { name: 'm', sequence_batching: {} }, sequences: [{ id: 1, steps: [{ value: 1, strat: true }] }] }));
    const result = await cli('run', bad);
    expect(result.code).toBe(2);
    expect(result.err).toBe(`seqsim: ${bad}: sequences[0].steps[0].strat: unknown field (allowed: value, start, end, gap_us, timeout_us, cancel_after_us)\n`);
  });
});

describe('seqsim replay', () => {
  it('says identical for a fresh trace and reproduces its violations with exit 1', async () => {
    const trace = join(dir, 'replay-ok.jsonl');
    await cli('run', example, '--trace', trace);
    const ok = await cli('replay', trace);
    expect(ok.code).toBe(0);
    expect(ok.out).toMatch(/^identical: \d+ lines, hash [0-9a-f]{64}\n$/);
    const leakTrace = join(dir, 'leak2.jsonl');
    await cli('run', leakScenario, '--trace', leakTrace);
    const leak = await cli('replay', leakTrace, '--json');
    expect(leak.code).toBe(1);
    expect(JSON.parse(leak.out)).toMatchObject({ identical: true, violations: 1 });
  });

  it('reports the first divergent line with both versions', async () => {
    const trace = join(dir, 'replay-div.jsonl');
    await cli('run', example, '--trace', trace);
    const lines = readFileSync(trace, 'utf8').trimEnd().split('\n');
    const target = lines.findIndex((l) => l.includes('"type":"response"'));
    lines[target] = lines[target]!.replace('"output":', '"output":9');
    writeFileSync(trace, `${lines.join('\n')}\n`);
    const result = await cli('replay', trace);
    expect(result.code).toBe(1);
    expect(result.out).toContain(`diverged at line ${target + 1}`);
    expect(result.out).toMatch(/recorded: .*"output":9/);
  });

  it('a malformed trace is bad input (exit 2)', async () => {
    const trace = join(dir, 'garbage.jsonl');
    writeFileSync(trace, '{"type":"header"}\n');
    const result = await cli('replay', trace);
    expect(result.code).toBe(2);
    expect(result.err).toMatch(/garbage\.jsonl: line 1: format: expected "seqsim-trace"/);
  });
});

describe('the binary', () => {
  it('streams a trace to a pipe (--trace /dev/stdout): its temporary events file goes to the system temporary folder', () => {
    const leftovers = (): string[] => readdirSync(tmpdir()).filter((f) => f.startsWith('seqsim-trace-'));
    const before = leftovers();
    // Through `| cat`: the CLI's stdout is then a pipe (a socket, as spawnSync makes, cannot be opened by path).
    const command = `"${process.execPath}" cli/bin.mjs run "${example}" --seed 4 --trace /dev/stdout --json | cat`;
    const run = spawnSync('sh', ['-c', command], { cwd: root, encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(0);
    const lines = run.stdout.trim().split('\n');
    expect(JSON.parse(lines[0]!)).toMatchObject({ type: 'header', seed: 4 });
    expect(JSON.parse(lines[lines.length - 2]!)).toMatchObject({ type: 'summary', requests: 8 });
    expect(JSON.parse(lines[lines.length - 1]!)).toMatchObject({ scenario: 'backlog-fill', trace: '/dev/stdout' });
    expect(leftovers()).toEqual(before);
  });

  it('runs through tsx with no build step and never prints a stack trace for bad input', () => {
    const help = spawnSync(process.execPath, ['cli/bin.mjs', '--help'], { cwd: root, encoding: 'utf8' });
    expect(help.status).toBe(0);
    for (const command of ['run', 'replay', 'examples', 'bench']) expect(help.stdout).toContain(`seqsim ${command}`);
    const bad = spawnSync(process.execPath, ['cli/bin.mjs', 'run', 'nope.json'], { cwd: root, encoding: 'utf8' });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toBe('seqsim: nope.json: cannot read file (ENOENT)\n');
  });

  it('examples (npm start) runs every shipped scenario without violations', async () => {
    const result = await cli('examples', '--out', join(dir, 'examples'), '--json');
    expect(result.code).toBe(0);
    const reports = JSON.parse(result.out) as { scenario: string; violations: unknown[] }[];
    expect(reports.map((r) => r.scenario).sort()).toEqual([
      'backlog-fill',
      'cancel-and-stop',
      'direct-basic',
      'direct-to-oldest-drain',
      'direct-to-oldest-triton',
      'idle-timeout',
      'oldest-basic',
      'scale-2-4-3',
      'scale-down-3-to-1',
      'stop-exit-timeout',
      'unload-backlog',
    ]);
    expect(reports.every((r) => r.violations.length === 0)).toBe(true);
  });
});

describe('seqsim shrink', () => {
  it('writes its reproducer under out/shrink by default, never beside its input', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'seqsim-shrink-'));
    const input = join(folder, 'leak.json');
    writeFileSync(input, readFileSync(leakScenario, 'utf8'));
    const result = await cli('shrink', input, '--seed', '1', '--json');
    expect(result.code).toBe(1);
    const report = JSON.parse(result.out) as { reproducer: string; trace: string; replay: string };
    expect(report.reproducer).toBe(join('out', 'shrink', 'leak.min.json'));
    expect(report.trace).toBe(join('out', 'shrink', 'leak.min.jsonl'));
    expect(report.replay).toBe(`npx seqsim run ${report.reproducer} --seed 1`);
    expect(readdirSync(folder)).toEqual(['leak.json']);
    expect((await cli('run', report.reproducer, '--seed', '1', '--trace', join(folder, 'rerun', 'min.jsonl'))).code).toBe(1);
  });

  it('--out names the reproducer; its trace goes beside it under its own name', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'seqsim-shrink-'));
    const result = await cli('shrink', leakScenario, '--seed', '1', '--out', join(folder, 'repro'), '--json');
    expect(result.code).toBe(1);
    expect(readdirSync(folder).sort()).toEqual(['repro', 'repro.jsonl']);
  });
});
