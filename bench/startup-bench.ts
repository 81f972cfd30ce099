import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packagePath } from '../src/core/package-path.ts';
import { percentileOf } from '../src/core/percentile.ts';
import { wallClockMs } from '../live/wall-clock.ts';

/** The V8 flags cli/bin.mjs's shebang line passes when it runs as `seqsim`. */
const SEQSIM_V8_FLAGS = ['--single-threaded-gc'];

export interface StartupRow {
  /** The figure's name: node, help, run or peer. */
  readonly key: string;
  /** What was run, as a user would type it. */
  readonly command: string;
  readonly runs: number;
  readonly wallMsMedian: number;
  /** User + system CPU of the process (all its threads); NaN where /proc is not there to ask. */
  readonly cpuMsMedian: number;
}

/**
 * Start-up time of whole commands, a fresh process each (issue 19's §2): `seqsim --help` and a
 * small `seqsim run` through the bundled CLI (cli/bin.mjs, with its shebang's V8 flags), and the
 * fast-check peer's command doing no work (a 1 ms budget) — what each side of the zoo race pays
 * before its first seed. test/tools/startup-time.mjs is the longer, bundle-vs-unbundled version.
 */
export function benchStartup(runs: number): StartupRow[] {
  const dir = mkdtempSync(join(tmpdir(), 'seqsim-startup-'));
  try {
    const bin = packagePath('cli/bin.mjs');
    const commands: { key: string; command: string; argv: string[] }[] = [
      { key: 'node', command: 'node <an empty script> (the floor of both sides)', argv: [emptyScript(dir)] },
      { key: 'help', command: 'seqsim --help', argv: [...SEQSIM_V8_FLAGS, bin, '--help'] },
      {
        key: 'run',
        command: 'seqsim run sim/examples/direct-basic.json --trace <tmp>',
        argv: [...SEQSIM_V8_FLAGS, bin, 'run', packagePath('sim/examples/direct-basic.json'), '--trace', join(dir, 'trace.jsonl')],
      },
    ];
    const peer = packagePath('dist/bench/fastcheck-peer/main.js');
    if (existsSync(peer)) commands.push({ key: 'peer', command: 'fast-check peer, 1 ms budget', argv: [peer, 'real', '1', '1'] });
    const samples = commands.map(() => [] as { wallMs: number; cpuMs: number }[]);
    // Interleaved, so every command sees the same machine load.
    for (let r = 0; r < runs; r++) for (const [i, c] of commands.entries()) samples[i]!.push(timedRun(c.argv, dir));
    return commands.map((c, i) => ({
      key: c.key,
      command: c.command,
      runs,
      wallMsMedian: percentileOf(
        samples[i]!.map((s) => s.wallMs),
        0.5,
      ),
      cpuMsMedian: percentileOf(
        samples[i]!.map((s) => s.cpuMs),
        0.5,
      ),
    }));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Wall ms of one fresh Node on an empty script in `dir`: the floor under every whole command. */
export function nodeAloneMs(dir: string): number {
  return timedRun([emptyScript(dir)], dir).wallMs;
}

/** An empty script in `dir` (written once). */
function emptyScript(dir: string): string {
  const path = join(dir, 'empty.mjs');
  if (!existsSync(path)) writeFileSync(path, '');
  return path;
}

function timedRun(argv: readonly string[], cwd: string): { wallMs: number; cpuMs: number } {
  const cpuBefore = childrenCpuMs();
  const started = wallClockMs();
  const run = spawnSync(process.execPath, argv, { cwd, encoding: 'utf8' });
  const wallMs = wallClockMs() - started;
  if (run.status !== 0) throw new Error(`bench: \`node ${argv.join(' ')}\` exited ${run.status}: ${run.stderr.trim().split('\n').slice(-3).join(' ')}`);
  return { wallMs, cpuMs: childrenCpuMs() - cpuBefore };
}

/** Clock ticks per second of /proc's times (USER_HZ: 100 on every Linux that matters). */
const USER_HZ = 100;

/**
 * CPU time of this process's waited-for children so far, in ms (/proc/self/stat's cutime + cstime,
 * 10 ms resolution): spawnSync waits for its child, so the difference around one is that child's.
 */
function childrenCpuMs(): number {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    // Fields after the command name (which may hold spaces): state is field 3, cutime 16, cstime 17.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[13]) + Number(fields[14])) * 1000) / USER_HZ;
  } catch {
    return Number.NaN;
  }
}
