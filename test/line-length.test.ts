import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Biome wraps code at 160 columns but cannot wrap a long string or comment: this keeps every
 * TypeScript and .mjs line within the same width, counted in UTF-8 bytes as mawk counts them, so
 * `git ls-files '*.ts' '*.mjs' | xargs awk 'length > 160'` prints nothing with any awk.
 */
const MAX_LINE = 160;
const root = fileURLToPath(new URL('../', import.meta.url));
/** Installed, built or generated: not the project's own source. */
const SKIPPED = new Set(['node_modules', 'dist', 'out', '.venv', '.venv-triton', '.stryker-tmp', 'reports', 'coverage', '.git', 'scratch', 'tmp']);

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (SKIPPED.has(entry.name)) return [];
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return /\.(ts|mjs)$/.test(entry.name) ? [path] : [];
  });
}

describe('line length', () => {
  it(`no .ts or .mjs line is longer than ${MAX_LINE} bytes`, () => {
    const files = sourceFiles(root);
    expect(files.length).toBeGreaterThan(100);
    const long = files.flatMap((file) =>
      readFileSync(file, 'utf8')
        .split('\n')
        .flatMap((line, i) => (Buffer.byteLength(line) > MAX_LINE ? [`${relative(root, file)}:${i + 1} (${Buffer.byteLength(line)} bytes)`] : [])),
    );
    expect(long).toEqual([]);
  });
});
