import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const REAL_TIME = /\b(Date\.now|Math\.random|performance\.now|setTimeout|setImmediate|setInterval)\b/;

/**
 * The only files allowed to touch real time or real randomness, each for a reason: live mode's
 * wall clock and its real-time loop; the explorer yielding to its progress bar between chunks of
 * seeds (outside any run); the fake-timers benchmark, whose setTimeout is the fake clock's.
 */
const ALLOWED = new Set(['live/wall-clock.ts', 'live/real-loop.ts', 'sim/explore/campaign.ts', 'bench/fake-timers-loop.ts']);

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return /\.(ts|mts|mjs)$/.test(name) ? [path] : [];
  });
}

describe('determinism by construction', () => {
  it('nothing under src/, traces/, sim/ or viz/ reads real time, randomness or timers outside the allowed files', () => {
    const offenders = ['src', 'traces', 'sim', 'viz']
      .flatMap((dir) => sources(join(root, dir)))
      .map((path) => relative(root, path).split('\\').join('/'))
      .filter((path) => !ALLOWED.has(path) && REAL_TIME.test(readFileSync(join(root, path), 'utf8')));
    expect(offenders).toEqual([]);
  });

  it('the allowed list stays honest: each allowed file really needs it', () => {
    for (const path of ALLOWED) expect(REAL_TIME.test(readFileSync(join(root, path), 'utf8')), path).toBe(true);
  });
});
