#!/usr/bin/env -S node --single-threaded-gc --max-semi-space-size=64
// The V8 flags: runs allocate a lot of short-lived objects; a larger young generation means fewer
// scavenges, and GC on the allocating thread only keeps two explore lanes from fighting over two
// cores with GC helper threads (see docs/numbers.md). `npm run` scripts pass the same.
// Runs the bundled CLI (dist/bundle/cli.cjs, built by `npm ci` through the prepare script, see
// cli/bundle.mjs) from V8's code cache (cli/load-cli.mjs): no TypeScript is compiled at start-up,
// one file loads instead of the hundreds tsc emits, and little of it is compiled at all.
import { existsSync } from 'node:fs';
import { CLI_BUNDLE, loadBundle } from './load-cli.mjs';

if (!existsSync(CLI_BUNDLE)) {
  process.stderr.write('seqsim: the bundled CLI (dist/bundle/) is missing: run `npm run build` (npm ci runs it for you)\n');
  process.exit(2);
}
// Stack traces (printed with SEQSIM_DEBUG=1) point into the TypeScript sources through the bundle's
// source maps; reading maps costs start-up time, so only when asked.
if (process.env.SEQSIM_DEBUG) process.setSourceMapsEnabled(true);
// `seqsim … | head` closes the pipe early: that is the reader's choice, not an error.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
}
process.exitCode = await loadBundle(CLI_BUNDLE).exports.main(process.argv.slice(2));
