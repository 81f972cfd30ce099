// Loads a bundled CommonJS file of dist/bundle/ (built by cli/bundle.mjs: the CLI, cli.cjs, and
// explore's worker, worker.cjs) with V8's code cache when the build left one for this Node and
// these flags: the bytecode of every function that a few training commands ran
// (cli/code-cache.mjs), so a short command compiles almost none of its JavaScript. Node 20 caches
// no compiled code of its own (module.enableCompileCache came in Node 22).
import { isAscii } from 'node:buffer';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';

export const CLI_BUNDLE = fileURLToPath(new URL('../dist/bundle/cli.cjs', import.meta.url));
export const WORKER_BUNDLE = fileURLToPath(new URL('../dist/bundle/worker.cjs', import.meta.url));

/**
 * The cache file of `bundle` for this Node and these command-line flags: V8 rejects a cache made
 * by another V8 or under other flags (--max-semi-space-size, which the `seqsim` shebang passes, is
 * one), so the build makes one per flag set the CLI is started with, and each process picks its own.
 */
export function codeCachePath(bundle = CLI_BUNDLE, execArgv = process.execArgv) {
  const key = `${process.version} ${process.arch} ${execArgv.join(' ')}`;
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) hash = Math.imul(hash ^ key.charCodeAt(i), 0x01000193) >>> 0;
  return `${bundle}.${hash.toString(16).padStart(8, '0')}.cache`;
}

/**
 * The exports of `bundle` (the CLI's: { main }). Without a cache file (or with SEQSIM_DEBUG, whose
 * source-mapped stack traces want Node's own loader) it is required as any CommonJS file; with one
 * it is compiled as Node compiles CommonJS, from the cache: a rejected cache costs only the compile
 * the plain path does anyway. `train` compiles without a cache and returns the script, for
 * cli/code-cache.mjs to write the cache from once the training commands have run.
 */
export function loadBundle(bundle, { train = false } = {}) {
  const require = createRequire(bundle);
  const cachePath = codeCachePath(bundle);
  const cache = !train && !process.env.SEQSIM_DEBUG && existsSync(cachePath) ? readFileSync(cachePath) : undefined;
  if (!train && cache === undefined) return { exports: require(bundle), script: undefined };
  // esbuild writes ASCII (cli/bundle.mjs warns when it cannot): latin1 then reads the same text
  // several times faster than UTF-8 decoding does.
  const bytes = readFileSync(bundle);
  const source = bytes.toString(isAscii(bytes) ? 'latin1' : 'utf8');
  const script = new vm.Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, {
    filename: bundle,
    ...(cache ? { cachedData: cache } : {}),
  });
  const module = { exports: {} };
  script.runInThisContext()(module.exports, require, module, bundle, dirname(bundle));
  return { exports: module.exports, script };
}
