#!/usr/bin/env node
// Bundles the CLI into dist/bundle/ (npm run build runs it after tsc): `cli.cjs`, the whole command
// line in one CommonJS file, and `worker.cjs`, explore's worker thread, with `worker.js`, the small
// ES module tinypool loads it through. Node's ES-module loader spends a quarter of a second resolving and linking the
// hundreds of modules tsc emits one per source file; one file starts faster (docs/numbers.md).
// Esbuild reads the TypeScript sources directly.
//
// CommonJS, not ES modules, because Node 20 can start CommonJS from V8's code cache (vm.Script's
// cachedData; it has no such thing for ES modules): after bundling, cli/code-cache.mjs runs a few
// commands (and worker chunks) and saves the bytecode they compiled, once per set of flags the CLI
// starts with (cli/load-cli.mjs picks the one made for the running process).
//
// Commands stay lazy: cli/registry.ts imports each one with import(), which esbuild turns into a
// deferred initialiser inside the file; a command's modules (and its packages) are evaluated only
// when that command runs. test/cli/bundle.test.ts checks on the metafile that nothing heavy is
// imported statically. Both outputs sit in one folder, so sim/explore/campaign.ts finds the worker
// entry as './worker.js' next to the file that holds it.
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../', import.meta.url));
const BUNDLE_DIR = join(root, 'dist', 'bundle');

/**
 * Left as imports of node_modules: native add-ons (onnxruntime-node), packages that find their own
 * files next to their modules (tinypool's worker, protobufjs' dynamic requires, playwright-core),
 * and d3 with d3-node (viz shares d3's objects with d3-node's own copy). Only the commands that
 * need them load them.
 */
const EXTERNAL = ['onnxruntime-node', 'playwright-core', '@grpc/grpc-js', '@grpc/proto-loader', 'protobufjs', 'tinypool', 'd3', 'd3-node', 'tsx'];

const COMMON = {
  absWorkingDir: root,
  outdir: BUNDLE_DIR,
  entryNames: '[name]',
  bundle: true,
  platform: 'node',
  target: 'node20',
  external: EXTERNAL,
  sourcemap: 'linked',
  sourcesContent: false,
  metafile: true,
  minifyWhitespace: true,
  minifySyntax: true,
  logLevel: 'warning',
};

rmSync(BUNDLE_DIR, { recursive: true, force: true });
/** CommonJS, for cli/load-cli.mjs to start from V8's code cache. */
const COMMONJS = {
  ...COMMON,
  outExtension: { '.js': '.cjs' },
  format: 'cjs',
  // import() of a package left outside (tinypool) becomes require(): Node (≥ 20.19) requires ES
  // modules too, and code compiled through vm.Script (cli/load-cli.mjs) has no import() of its own.
  supported: { 'dynamic-import': false },
  // The sources are ES modules: import.meta.url (which finds the package root and the worker entry)
  // becomes the bundle file's own URL.
  define: { 'import.meta.url': '__seqsimModuleUrl' },
  banner: { js: "const __seqsimModuleUrl = require('node:url').pathToFileURL(__filename).href;" },
};
const cli = await build({ ...COMMONJS, entryPoints: { cli: 'cli/main.ts' } });
await build({ ...COMMONJS, entryPoints: { worker: 'sim/explore/worker.ts' } });
// tinypool imports the worker entry as an ES module: this one loads worker.cjs from its cache.
writeFileSync(
  join(BUNDLE_DIR, 'worker.js'),
  "// explore's worker-thread entry (cli/bundle.mjs wrote it): the bundled worker, from V8's code cache.\n" +
    "import { WORKER_BUNDLE, loadBundle } from '../../cli/load-cli.mjs';\n\n" +
    'export default loadBundle(WORKER_BUNDLE).exports.default;\n',
);
// cli/load-cli.mjs reads an ASCII bundle several times faster than UTF-8 text: esbuild escapes
// non-ASCII characters in strings, not in regular expressions (write \u00b5 there, not µ).
for (const file of ['cli.cjs', 'worker.cjs']) {
  const nonAscii = [...readFileSync(join(BUNDLE_DIR, file), 'utf8').matchAll(/.{0,30}[^\x00-\x7f].{0,10}/g)].map(([context]) => context);
  if (nonAscii.length > 0) process.stderr.write(`cli/bundle.mjs: dist/bundle/${file} is not ASCII, so it loads slower: ${nonAscii.join(' | ')}\n`);
}
// What went into the CLI and which source imports which, statically or with import()
// (test/cli/bundle.test.ts reads it).
writeFileSync(join(BUNDLE_DIR, 'meta.json'), JSON.stringify(cli.metafile));

// The flags `seqsim` starts Node with (cli/bin.mjs's shebang line; `npm run` scripts pass the same),
// and none, as `node cli/bin.mjs` and the tests start it.
const shebang = readFileSync(join(root, 'cli/bin.mjs'), 'utf8').split('\n', 1)[0];
const binFlags = shebang
  .replace(/^#!.*?\bnode\b\s*/, '')
  .split(/\s+/)
  .filter(Boolean);
for (const flags of [[], binFlags]) {
  const made = spawnSync(process.execPath, [...flags, join(root, 'cli/code-cache.mjs')], { encoding: 'utf8', stdio: ['ignore', 'ignore', 'pipe'] });
  // No cache is no failure: the CLI compiles as it would without one.
  if (made.status !== 0)
    process.stderr.write(`cli/bundle.mjs: no code cache for flags [${flags.join(' ')}]: ${made.stderr.trim().split('\n').slice(-3).join(' ')}\n`);
}
