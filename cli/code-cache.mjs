#!/usr/bin/env node
// Writes V8's code cache of the bundled CLI (cli/load-cli.mjs reads it): compiles dist/bundle/cli.cjs,
// runs a few short commands in this process so that the functions they call get compiled, then
// saves the bytecode of all of them. cli/bundle.mjs runs it once per set of Node flags the CLI is
// started with (the cache is only valid under the flags it was made with); the file is named for
// this Node and this process's flags.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { codeCachePath, loadCli } from './load-cli.mjs';

const root = fileURLToPath(new URL('../', import.meta.url));
const out = mkdtempSync(join(tmpdir(), 'seqsim-code-cache-'));
const silent = { out: () => true, err: () => true, interactive: false };
// What users run most, and what `seqsim bench --zoo` times: help, a small run, explore over
// generated scenarios, and explore finding, saving and shrinking a zoo bug.
const TRAINING = [
  ['--help'],
  ['run', join(root, 'sim/examples/direct-basic.json'), '--trace', join(out, 'run.jsonl')],
  ['explore', '--generate', '--seeds', '50', '--workers', '1', '--out', join(out, 'real'), '--json'],
  ['explore', '--generate', '--batcher', 'bug:slot-leak-on-end', '--seeds', '1000', '--workers', '1', '--out', join(out, 'bug'), '--json'],
];
try {
  const { cli, script } = loadCli({ train: true });
  for (const argv of TRAINING) await cli.main(argv, silent);
  writeFileSync(codeCachePath(), script.createCachedData());
} finally {
  rmSync(out, { recursive: true, force: true });
}
