import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** docs/library.md's example runs in a user's project that depends on seqsim, and prints what the page says. */
const root = fileURLToPath(new URL('../../', import.meta.url));
const page = readFileSync(join(root, 'docs/library.md'), 'utf8');

describe('docs/library.md', () => {
  it('its example runs against the package imported by name and prints the output shown', () => {
    const example = /```js\n\/\/ example\.mjs\n([\s\S]*?)```/.exec(page)?.[1];
    const expected = /`node example\.mjs` prints:\n\n```text\n([\s\S]*?)```/.exec(page)?.[1];
    expect(example).toBeDefined();
    expect(expected).toBeDefined();
    const dir = mkdtempSync(join(tmpdir(), 'seqsim-library-'));
    try {
      mkdirSync(join(dir, 'node_modules'));
      symlinkSync(root, join(dir, 'node_modules', 'seqsim'), 'dir');
      writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'user', type: 'module', private: true }));
      writeFileSync(join(dir, 'example.mjs'), example!);
      const out = execFileSync(process.execPath, ['example.mjs'], { cwd: dir, encoding: 'utf8' });
      expect(out).toBe(expected);
      expect(readFileSync(join(dir, 'race.svg'), 'utf8')).toMatch(/^<\?xml/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it('lists only names the package exports', async () => {
    const main = await import('../../index.ts');
    const live = await import('../../live/index.ts');
    const table = page.slice(page.indexOf('## What the package exports'), page.indexOf('## Your own properties'));
    const named = [...table.matchAll(/`([A-Za-z_]+)(?:\(|`)/g)].map((m) => m[1]!).filter((name) => /^[a-zA-Z]/.test(name));
    const known = new Set([...Object.keys(main), ...Object.keys(live)]);
    const types = new Set([
      'Scenario',
      'ScenarioSequence',
      'ScenarioStep',
      'ModelConfig',
      'RunResult',
      'StreamedRunResult',
      'Violation',
      'OracleName',
      'OracleContext',
      'TraceVerdict',
    ]);
    // Fields and methods of what those return, named in the table.
    const members = ['lines', 'events', 'violations', 'hash', 'header', 'outcome', 'path', 'counts', 'observe', 'finish'];
    expect(named.filter((name) => !known.has(name) && !types.has(name) && !members.includes(name))).toEqual([]);
  });
});
