import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../', import.meta.url));
const FLOORS = ['src', 'traces', 'sim', 'viz', 'live', 'bench', 'cli'];

interface Violation {
  readonly rule: { readonly name: string };
  readonly from: string;
  readonly to: string;
}

/** Runs dependency-cruiser with the project's rules over `dir` and returns what it found. */
function cruise(dir: string, floors: readonly string[]): Violation[] {
  const bin = join(root, 'node_modules/dependency-cruiser/bin/dependency-cruise.mjs');
  const config = join(root, '.dependency-cruiser.cjs');
  const run = spawnSync(process.execPath, [bin, ...floors, '--config', config, '--output-type', 'json'], {
    cwd: dir,
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  expect(run.stdout, run.stderr).toMatch(/^\{/);
  return (JSON.parse(run.stdout) as { summary: { violations: Violation[] } }).summary.violations;
}

describe('the import graph (.dependency-cruiser.cjs)', () => {
  it('the import graph breaks no rule: nothing points up a floor, no import cycle, no product import of tests', () => {
    const violations = cruise(root, FLOORS).map((v) => `${v.rule.name}: ${v.from} → ${v.to}`);
    expect(violations).toEqual([]);
  }, 60_000);

  it('the rules catch an upward import and a cycle (so the check above can fail)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'seqsim-layers-'));
    try {
      cpSync(join(root, 'tsconfig.json'), join(dir, 'tsconfig.json'));
      for (const floor of ['src', 'sim', 'cli']) mkdirSync(join(dir, floor));
      writeFileSync(join(dir, 'src/low.ts'), "import { top } from '../cli/top.ts';\nexport const low = top;\n");
      writeFileSync(join(dir, 'cli/top.ts'), 'export const top = 1;\n');
      writeFileSync(join(dir, 'sim/a.ts'), "import { b } from './b.ts';\nexport const a = () => b;\n");
      writeFileSync(join(dir, 'sim/b.ts'), "import { a } from './a.ts';\nexport const b = () => a;\n");
      const names = cruise(dir, ['src', 'sim', 'cli']).map((v) => v.rule.name);
      expect(names).toContain('src-points-up');
      expect(names).toContain('no-cycles');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
