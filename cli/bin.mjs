#!/usr/bin/env -S node --single-threaded-gc --max-semi-space-size=64
// The V8 flags: runs allocate a lot of short-lived objects; a larger young generation means fewer
// scavenges, and GC on the allocating thread only keeps two explore lanes from fighting over two
// cores with GC helper threads (see docs/numbers.md). `npm run` scripts pass the same.
// Runs the compiled CLI (dist/, built by `npm ci` through the prepare script): no TypeScript is
// compiled at start-up.
import { existsSync } from 'node:fs';

const main = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(main)) {
  process.stderr.write('seqsim: the compiled CLI (dist/) is missing: run `npm run build` (npm ci runs it for you)\n');
  process.exit(2);
}
// `seqsim … | head` closes the pipe early: that is the reader's choice, not an error.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
}
const cli = await import(main.href);
process.exitCode = await cli.main(process.argv.slice(2));
