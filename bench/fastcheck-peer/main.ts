/*
 * The fast-check peer as its own command, as its author would run it from a test runner:
 *   node dist/bench/fastcheck-peer/main.js <batcher> <seed> <budget-ms>
 * It stops at the first failing run and lets fast-check shrink it, then prints one JSON line
 * (PeerResult). `seqsim bench --zoo` spawns it and times the whole command.
 */
import { runPeer } from './run-peer.ts';

if (process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1].split(/[\\/]/).slice(-3).join('/'))) {
  const [batcher = 'real', seed = '1', budgetMs = '60000'] = process.argv.slice(2);
  const result = await runPeer(batcher, Number(seed), Number(budgetMs));
  process.stdout.write(`${JSON.stringify(result)}\n`);
}
