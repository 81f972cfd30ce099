#!/usr/bin/env node
// Writes V8's code caches of the bundled CLI and explore's worker (cli/load-cli.mjs reads them):
// compiles dist/bundle/cli.cjs and worker.cjs, runs a few short commands and worker chunks in this
// process so that the functions they call get compiled, then saves the bytecode of all of them.
// cli/bundle.mjs runs it once per set of Node flags the CLI is started with (a cache is only valid
// under the flags it was made with); the files are named for this Node and this process's flags.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CLI_BUNDLE, WORKER_BUNDLE, codeCachePath, loadBundle } from './load-cli.mjs';

const root = fileURLToPath(new URL('../', import.meta.url));
const out = mkdtempSync(join(tmpdir(), 'seqsim-code-cache-'));
const silent = { out: () => true, err: () => true, interactive: false };
// What users run most, and what `seqsim bench --zoo` times: help, a small run, explore over
// generated scenarios, and explore finding, saving and shrinking a zoo bug.
const COMMANDS = [
  ['--help'],
  ['run', join(root, 'sim/examples/direct-basic.json'), '--trace', join(out, 'run.jsonl')],
  ['explore', '--generate', '--seeds', '50', '--workers', '1', '--out', join(out, 'real'), '--json'],
  ['explore', '--generate', '--batcher', 'bug:slot-leak-on-end', '--seeds', '1000', '--workers', '1', '--out', join(out, 'bug'), '--json'],
];
// What a worker thread runs: chunks of generated seeds (sim/explore/chunk.ts), on the real batcher
// and on a zoo bug.
const CHUNKS = [
  { from: 1, seeds: 50, batcher: 'real', maxEvents: 200_000, stopAtFirst: false, faultMode: 'swarm' },
  { from: 1, seeds: 50, batcher: 'bug:slot-leak-on-end', maxEvents: 200_000, stopAtFirst: true, faultMode: 'swarm' },
];
try {
  const cli = loadBundle(CLI_BUNDLE, { train: true });
  for (const argv of COMMANDS) await cli.exports.main(argv, silent);
  writeFileSync(codeCachePath(CLI_BUNDLE), cli.script.createCachedData());
  const worker = loadBundle(WORKER_BUNDLE, { train: true });
  for (const task of CHUNKS) worker.exports.default(task);
  writeFileSync(codeCachePath(WORKER_BUNDLE), worker.script.createCachedData());
} finally {
  rmSync(out, { recursive: true, force: true });
}
