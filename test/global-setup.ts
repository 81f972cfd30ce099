import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

/**
 * Tests that start `cli/bin.mjs` run the compiled CLI, as users do: bring dist/ up to date first
 * (incremental, about a second when nothing changed).
 */
export default function buildOnce(): void {
  const root = fileURLToPath(new URL('../', import.meta.url));
  const tsc = spawnSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(root, 'tsconfig.build.json')], {
    encoding: 'utf8',
  });
  if (tsc.status !== 0) throw new Error(`npm run build failed:\n${tsc.stdout}${tsc.stderr}`);
}
