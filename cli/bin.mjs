#!/usr/bin/env -S node --single-threaded-gc --max-semi-space-size=64
// The V8 flags: runs allocate a lot of short-lived objects; a larger young generation means fewer
// scavenges, and GC on the allocating thread only keeps two explore lanes from fighting over two
// cores with GC helper threads (see README, Spreading a campaign). `npm run` scripts pass the same.
// Runs the TypeScript CLI through tsx, so `npx seqsim` works right after `npm ci` with no build step.
import { register } from 'tsx/esm/api';

register();
// `seqsim … | head` closes the pipe early: that is the reader's choice, not an error.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
}
const { main } = await import('./main.ts');
process.exitCode = await main(process.argv.slice(2));
