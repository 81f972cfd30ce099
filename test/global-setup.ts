import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

/**
 * Tests that start `cli/bin.mjs` run the bundled CLI, as users do: bring dist/ up to date first, as
 * `npm run build` does (tsc is incremental, about a second when nothing changed; the bundle and its
 * code caches take about three).
 */
export default function buildOnce(): void {
  const root = fileURLToPath(new URL('../', import.meta.url));
  const steps = [[join(root, 'node_modules/typescript/bin/tsc'), '-p', join(root, 'tsconfig.build.json')], [join(root, 'cli/bundle.mjs')]];
  for (const step of steps) {
    const run = spawnSync(process.execPath, step, { encoding: 'utf8' });
    if (run.status !== 0) throw new Error(`npm run build failed:\n${run.stdout}${run.stderr}`);
  }
}
