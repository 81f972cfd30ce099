import { describe, expect, it } from 'vitest';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { docCommands, outputMatches, shellWords, type DocCommand } from './doc-commands.ts';

/**
 * The documentation's commands run as printed (from the repository root, outputs under out/), with
 * the exit codes and output the pages show: a stale hash, flag or file name fails here.
 */
const root = fileURLToPath(new URL('../../', import.meta.url));

/** The pages whose commands this test runs, in the order a reader meets them. */
const PAGES = [
  'README.md',
  'docs/cli.md',
  'docs/scenario-format.md',
  'docs/trace-format.md',
  'docs/oracles.md',
  'docs/faults.md',
  'docs/finding-bugs.md',
  'docs/model-checking.md',
  'docs/lifecycle.md',
  'docs/compare.md',
  'docs/pictures.md',
  'docs/live-and-gpu.md',
  'docs/triton-semantics.md',
  'docs/numbers.md',
  'docs/library.md',
  'docs/architecture.md',
  'docs/summary-format.md',
  'docs/model-repository.md',
  'docs/known-triton-behaviour.md',
  'docs/zoo.md',
  'docs/config-corpus.md',
];

/** Pages whose commands the suite does not run as printed, and why (every other page is in PAGES). */
const UNRUN_PAGES: Readonly<Record<string, string>> = {
  'docs/serve.md': 'starts a server that runs until Ctrl-C (test/live/kserve.test.ts and the gRPC tests drive it)',
  'docs/drive.md': 'drives a running server (test/drive/*.test.ts start one)',
  'docs/real-triton.md': 'needs the real Triton environment (triton/test.sh, run by .ci/triton)',
  'docs/robustness.md': 'pipes traces through sed to forge hostile inputs (test/tools/hostile-campaign.mjs runs the same attacks)',
};

/** A page runs its commands one after another (explore campaigns included): seconds each, more on a busy machine. */
const PAGE_TIMEOUT_MS = 300_000;

/** Commands a test cannot run, and why; everything else in a sh or console block runs. */
const NOT_RUN: readonly (readonly [RegExp, string])[] = [
  [/^npm ci$/, 'installs the project'],
  [/^npm test$/, 'is this test suite'],
  [/^npm run (build|typecheck|lint|format)$/, 'the suite builds, type-checks and lints in its own steps'],
  [/^npm run validate:gpu$/, 'needs an NVIDIA GPU with CUDA 12'],
  [/^ONNXRUNTIME_NODE_INSTALL=/, 'downloads the CUDA provider'],
  [/^npm run (bench|bench:live|mutate|mutate:report)$/, 'takes minutes'],
  [/^npx seqsim bench\b/, 'takes a quarter of a minute or more (test/cli/bench.test.ts covers it)'],
  [/^npx seqsim live --validate\b/, 'takes seconds per provider (test/live/cli-live.test.ts runs it)'],
  [/^npx seqsim serve\b/, 'serves until Ctrl-C (test/live/kserve.test.ts drives it)'],
  [/^curl\b/, 'talks to a running seqsim serve'],
  [/^(tritonserver|docker run)\b/, 'starts a Triton server (.ci/triton runs the real one: triton/test.sh)'],
  [/^\.venv\/bin\/python\b/, "runs the Python checkers (test/python's tests run them)"],
];

function notRun(command: DocCommand): string | undefined {
  return NOT_RUN.find(([pattern]) => pattern.test(command.text))?.[1];
}

/** `npx seqsim …` and `npm start` run the compiled CLI, as users do (the global setup built it). */
function argvOf(command: DocCommand): string[] {
  const words = shellWords(command.text);
  if (words === undefined) throw new Error(`${command.file}:${command.line}: shell syntax the doc test cannot run: ${command.text}`);
  if (words[0] === 'npx' && words[1] === 'seqsim') return words.slice(2);
  if (words.join(' ') === 'npm start') return ['examples'];
  throw new Error(`${command.file}:${command.line}: not a seqsim command (add it to NOT_RUN with a reason?): ${command.text}`);
}

function runCommand(command: DocCommand): { code: number | null; out: string; err: string } {
  const result = spawnSync(process.execPath, ['--single-threaded-gc', 'cli/bin.mjs', ...argvOf(command)], {
    cwd: root,
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { code: result.status, out: result.stdout, err: result.stderr };
}

function lines(text: string): string[] {
  const all = text.split('\n');
  if (all[all.length - 1] === '') all.pop();
  return all;
}

describe('documentation commands', () => {
  it.each(PAGES.map((page) => [page]))(
    '%s: every command runs as printed, with the exit code and output shown',
    (page) => {
      const commands = docCommands(page, readFileSync(join(root, page), 'utf8'));
      for (const command of commands) {
        if (notRun(command) !== undefined) continue;
        const where = `${command.file}:${command.line}: ${command.text}`;
        const result = runCommand(command);
        expect(result.code, `${where}\nstdout:\n${result.out}\nstderr:\n${result.err}`).toBe(command.exitCode);
        if (command.output === undefined) continue;
        const shown = command.exitCode === 2 ? result.err : result.out;
        const matched = outputMatches(command.output, lines(shown));
        expect(matched, `${where}\nexpected:\n${command.output.join('\n')}\nactual:\n${shown}`).toBe(true);
      }
    },
    PAGE_TIMEOUT_MS,
  );

  it("README's picture is what its command draws", () => {
    // The README test above ran `npx seqsim viz … -o out/race.svg`.
    expect(readFileSync(join(root, 'out/race.svg'), 'utf8')).toBe(readFileSync(join(root, 'docs/images/race.svg'), 'utf8'));
  });
});

describe('documentation pages', () => {
  const docsDir = join(root, 'docs');
  const pages = [
    'README.md',
    ...readdirSync(docsDir)
      .filter((f) => f.endsWith('.md'))
      .map((f) => `docs/${f}`),
  ];

  it('README is short: what a user needs first', () => {
    expect(readFileSync(join(root, 'README.md'), 'utf8').split('\n').length).toBeLessThan(150);
  });

  it('every page runs its commands as a test, or says why it cannot', () => {
    for (const page of pages) expect(PAGES.includes(page) || UNRUN_PAGES[page] !== undefined, `${page}: add it to PAGES or UNRUN_PAGES`).toBe(true);
  });

  it('README links every docs page', () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    for (const page of pages.filter((p) => p !== 'README.md')) expect(readme).toContain(`(${page})`);
  });

  it('every relative link resolves; nothing links into the shared references outside the repository', () => {
    for (const page of [...pages, 'traces/README.md', 'viz/README.md', 'traces/regressions/README.md']) {
      const text = readFileSync(join(root, page), 'utf8');
      expect(text, page).not.toMatch(/\.\.\/shared|\/work\/shared/);
      for (const match of text.matchAll(/\]\(([^)#\s]+)(?:#[^)]*)?\)/g)) {
        const target = match[1]!;
        if (/^[a-z]+:/.test(target)) continue;
        const path = relative(root, resolve(dirname(join(root, page)), target));
        expect(existsSync(join(root, path)), `${page} links ${target}`).toBe(true);
      }
    }
  });

  it('shows hashes only where a test checks them (console transcripts, the library example output)', () => {
    for (const page of pages) {
      let fence: string | undefined;
      readFileSync(join(root, page), 'utf8')
        .split('\n')
        .forEach((line, i) => {
          const opening = /^```(\w*)/.exec(line);
          if (opening !== null) {
            fence = fence === undefined ? opening[1] : undefined;
            return;
          }
          const checked = fence === 'console' || (page === 'docs/library.md' && fence === 'text');
          if (!checked) expect(line, `${page}:${i + 1} shows a hash no test checks`).not.toMatch(/\b(?=[0-9a-f]*[a-f])[0-9a-f]{16,}\b/);
        });
    }
  });

  it('every command the pages show is runnable or says why not', () => {
    for (const page of PAGES) {
      for (const command of docCommands(page, readFileSync(join(root, page), 'utf8'))) {
        if (notRun(command) === undefined) expect(() => argvOf(command)).not.toThrow();
      }
    }
    expect(PAGES.filter((page) => !existsSync(join(root, page)))).toEqual([]);
  });
});
