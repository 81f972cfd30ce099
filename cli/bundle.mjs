#!/usr/bin/env node
// Bundles the compiled-from-TypeScript CLI into a few ES modules under dist/bundle/ (npm run build
// runs it after tsc). Node's ES-module loader spends a quarter of a second resolving and linking the
// hundreds of modules tsc emits one per source file; a bundle is a handful of files, so `seqsim`
// starts faster (docs/numbers.md). Esbuild reads the TypeScript sources directly.
//
// The layout is flat on purpose: every output (main.js, worker.js and the shared chunks) sits in one
// folder, so sim/explore/campaign.ts finds the worker entry as './worker.js' next to whichever chunk
// holds it. Commands stay lazy: cli/registry.ts imports each one with import(), which esbuild
// splits into its own chunk, loaded only when that command runs.
import { build } from 'esbuild';
import { rmSync, writeFileSync } from 'node:fs';
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

rmSync(BUNDLE_DIR, { recursive: true, force: true });
const result = await build({
  absWorkingDir: root,
  entryPoints: { main: 'cli/main.ts', worker: 'sim/explore/worker.ts' },
  outdir: BUNDLE_DIR,
  entryNames: '[name]',
  chunkNames: '[name]-[hash]',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  external: EXTERNAL,
  // CommonJS packages in the bundle (seedrandom, ajv, cli-progress) may require() Node's own modules.
  banner: { js: "import { createRequire as __seqsimCreateRequire } from 'node:module';\nconst require = __seqsimCreateRequire(import.meta.url);" },
  sourcemap: 'linked',
  sourcesContent: false,
  metafile: true,
  minifyWhitespace: true,
  minifySyntax: true,
  logLevel: 'warning',
});
// What went into which file, and which files import which (test/cli/bundle.test.ts reads it).
writeFileSync(join(BUNDLE_DIR, 'meta.json'), JSON.stringify(result.metafile));
