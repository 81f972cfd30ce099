#!/usr/bin/env node
/**
 * CLI start-up time (issue 19): runs three short commands N times each, a fresh process every time,
 * through the bundle (cli/bin.mjs → dist/bundle/) and through tsc's unbundled modules
 * (dist/cli/main.js), interleaved so both see the same machine load. Prints the median wall and CPU
 * (user + system, all threads) time of each. Wall time is noisy on a busy machine; CPU time less so.
 *
 *   npm run build && node test/tools/startup-time.mjs [runs, default 10]
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const runs = Number(process.argv[2] ?? 10);
const dir = mkdtempSync(join(tmpdir(), 'seqsim-startup-'));
// The flags cli/bin.mjs's shebang line passes when run as `seqsim`.
const V8_FLAGS = ['--single-threaded-gc'];
// What cli/bin.mjs did before the bundle: import tsc's dist/cli/main.js.
const unbundledBin = join(dir, 'unbundled-bin.mjs');
const tscMain = JSON.stringify(pathToFileURL(join(root, 'dist/cli/main.js')).href);
writeFileSync(unbundledBin, `const cli = await import(${tscMain});\nprocess.exitCode = await cli.main(process.argv.slice(2));\n`);
const variants = {
  bundle: (args) => [...V8_FLAGS, join(root, 'cli/bin.mjs'), ...args],
  unbundled: (args) => [...V8_FLAGS, unbundledBin, ...args],
};
const commands = [
  ['--help'],
  ['run', join(root, 'sim/examples/direct-basic.json'), '--trace', join(dir, 'x.jsonl')],
  ['explore', '--generate', '--seeds', '1'],
];

/** Wall and CPU seconds of one run, as GNU time reports them. */
function timed(argv) {
  const timesFile = join(dir, 'time.txt');
  const run = spawnSync('/usr/bin/time', ['-o', timesFile, '-f', '%e %U %S', process.execPath, ...argv], { cwd: dir, encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`${argv.join(' ')} exited ${run.status}: ${run.stderr}`);
  const [wall, user, system] = readFileSync(timesFile, 'utf8').trim().split(/\s+/).map(Number);
  return { wallMs: wall * 1000, cpuMs: (user + system) * 1000 };
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
try {
  const bare = Array.from({ length: runs }, () => timed([...V8_FLAGS, '-e', '0']));
  process.stdout.write(
    `node -e 0 (Node alone): median wall ${median(bare.map((s) => s.wallMs)).toFixed(0)} ms, median CPU ${median(bare.map((s) => s.cpuMs)).toFixed(0)} ms\n`,
  );
  for (const args of commands) {
    const samples = Object.fromEntries(Object.keys(variants).map((name) => [name, []]));
    for (let i = 0; i < runs; i++) for (const [name, argv] of Object.entries(variants)) samples[name].push(timed(argv(args)));
    const label = `seqsim ${args.join(' ').replaceAll(root, '').replaceAll(dir, '<tmp>')}`;
    for (const [name, list] of Object.entries(samples)) {
      const wall = median(list.map((s) => s.wallMs)).toFixed(0);
      const cpu = median(list.map((s) => s.cpuMs)).toFixed(0);
      process.stdout.write(`${label} [${name}]: median wall ${wall} ms, median CPU ${cpu} ms (${runs} runs)\n`);
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
