import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The folder holding seqsim's package.json. Code runs from its TypeScript sources (tests, tsx) or
 * from the compiled copy under dist/, so a path relative to one module's own file would differ
 * between the two; every shipped resource (examples, zoo reproducers, schemas) is found from here.
 */
function findPackageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, 'package.json');
    if (existsSync(candidate) && (JSON.parse(readFileSync(candidate, 'utf8')) as { name?: unknown }).name === 'seqsim') return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`seqsim: cannot find its own package.json above ${fileURLToPath(import.meta.url)}`);
    dir = parent;
  }
}

const PACKAGE_ROOT = findPackageRoot();

/** An absolute path to a file shipped with the package, given relative to the package root. */
export function packagePath(...parts: readonly string[]): string {
  return join(PACKAGE_ROOT, ...parts);
}
