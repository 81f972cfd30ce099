import { describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../', import.meta.url));
const packageJson = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };

/** A user's project with seqsim installed (linked, as `npm install <path>` does) and nothing else. */
function userProject(): string {
  const dir = mkdtempSync(join(tmpdir(), 'seqsim-user-'));
  mkdirSync(join(dir, 'node_modules'));
  symlinkSync(root, join(dir, 'node_modules', 'seqsim'), 'dir');
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'user', type: 'module', private: true }));
  return dir;
}

describe('the package, imported by name as a user would', () => {
  it('simulates a shipped example, checks the oracles and replays the trace through `seqsim`', () => {
    const dir = userProject();
    try {
      const example = join(root, 'sim/examples/backlog-fill.json');
      writeFileSync(
        join(dir, 'use.mjs'),
        `import { loadScenarioFile, simulate, parseTrace, replayTrace, renderTimelineSvg, SEQSIM_VERSION, ZOO } from 'seqsim';
const scenario = loadScenarioFile(${JSON.stringify(example)});
const run = simulate(scenario, { seed: 1 });
const trace = parseTrace(run.lines.join('\\n') + '\\n', 'mem.jsonl');
const verdict = replayTrace(trace, 'mem.jsonl');
const svg = renderTimelineSvg(run.events);
const svgOk = svg.startsWith('<?xml') || svg.startsWith('<svg');
const verdictText = verdict.identical ? 'identical' : 'diverged';
const result = { version: SEQSIM_VERSION, violations: run.violations.length, hash: run.hash, verdict: verdictText, svg: svgOk, zoo: ZOO.length > 0 };
console.log(JSON.stringify(result));
`,
      );
      const out = JSON.parse(execFileSync(process.execPath, ['use.mjs'], { cwd: dir, encoding: 'utf8' })) as Record<string, unknown>;
      expect(out).toMatchObject({ version: packageJson.version, violations: 0, verdict: 'identical', svg: true, zoo: true });
      expect(out['hash']).toMatch(/^[0-9a-f]{16,}$/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it('type-checks a TypeScript user of `seqsim` and `seqsim/live` against the shipped declarations', () => {
    const dir = userProject();
    try {
      writeFileSync(
        join(dir, 'use.ts'),
        `import { simulate, decodeSimOptions, mergeSummaries, type CampaignSummary, type RunResult, type Scenario, type Violation } from 'seqsim';
import type { LiveOptions } from 'seqsim/live';
export function violationsOf(scenario: Scenario): readonly Violation[] {
  const run: RunResult = simulate(scenario, { seed: 7 });
  const recorded = decodeSimOptions(run.header.options, 'mem.jsonl');
  return recorded.settings.maxEvents > 0 ? run.violations : [];
}
export const merged = (parts: readonly CampaignSummary[]): CampaignSummary => mergeSummaries(parts.map((summary, i) => ({ file: String(i), summary })));
export type Live = LiveOptions;
`,
      );
      writeFileSync(
        join(dir, 'tsconfig.json'),
        JSON.stringify({
          compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, noEmit: true, skipLibCheck: true, types: [] },
          files: ['use.ts'],
        }),
      );
      const tsc = spawnSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', dir], { encoding: 'utf8' });
      expect(tsc.stdout + tsc.stderr).toBe('');
      expect(tsc.status).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it('`seqsim --version` prints the package version', () => {
    const version = spawnSync(process.execPath, [join(root, 'cli/bin.mjs'), '--version'], { encoding: 'utf8' });
    expect(version.status).toBe(0);
    expect(version.stdout).toBe(`${packageJson.version}\n`);
  });
});
