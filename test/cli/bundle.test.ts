import { afterAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { main } from '../../cli/main.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const bundleDir = join(root, 'dist/bundle');

interface Metafile {
  readonly inputs: Record<string, { readonly imports: readonly { readonly path: string; readonly kind: string; readonly external?: boolean }[] }>;
}

/**
 * Every source file evaluated as soon as `entry` is (its static imports and requires,
 * transitively), and the packages left outside the bundle among them. An import() is a deferred
 * initialiser in the bundle: what only it reaches is evaluated when that command runs.
 */
function staticallyLoaded(meta: Metafile, entry: string): string[] {
  const seen = new Set<string>();
  const external = new Set<string>();
  const visit = (input: string): void => {
    const imports = meta.inputs[input]?.imports;
    if (seen.has(input) || imports === undefined) return;
    seen.add(input);
    for (const imported of imports) {
      if (imported.kind === 'dynamic-import') continue;
      if (imported.external) external.add(imported.path);
      else visit(imported.path);
    }
  };
  visit(entry);
  return [...seen, ...external];
}

/**
 * A package with the bundle and nothing else of dist/: cli/bin.mjs, package.json and the bundle
 * copied (Node follows symlinks to a module's real path, so the code itself must be a copy), the
 * resources and node_modules linked. A bundle that still imported one of tsc's modules fails here.
 */
function bundleOnlyPackage(): string {
  const dir = mkdtempSync(join(tmpdir(), 'seqsim-bundle-'));
  cpSync(join(root, 'package.json'), join(dir, 'package.json'));
  mkdirSync(join(dir, 'cli'));
  for (const file of ['bin.mjs', 'load-cli.mjs']) cpSync(join(root, 'cli', file), join(dir, 'cli', file));
  cpSync(bundleDir, join(dir, 'dist/bundle'), { recursive: true });
  for (const linked of ['node_modules', 'sim', 'traces', 'src', 'live']) symlinkSync(join(root, linked), join(dir, linked), 'dir');
  return dir;
}

const packages: string[] = [];
afterAll(() => {
  for (const dir of packages) rmSync(dir, { recursive: true, force: true });
});

function seqsim(dir: string, ...args: string[]) {
  return spawnSync(process.execPath, [join(dir, 'cli/bin.mjs'), ...args], { cwd: dir, encoding: 'utf8' });
}

describe('the bundled CLI (cli/bundle.mjs → dist/bundle/)', () => {
  it('the build wrote the entries, their source maps and the metafile', () => {
    for (const file of ['cli.cjs', 'cli.cjs.map', 'worker.cjs', 'worker.cjs.map', 'worker.js', 'meta.json'])
      expect(existsSync(join(bundleDir, file)), file).toBe(true);
    expect(readFileSync(join(bundleDir, 'cli.cjs'), 'utf8')).toMatch(/\/\/# sourceMappingURL=cli\.cjs\.map\s*$/);
  });

  it("starts from V8's code cache: the build made the CLI's and the worker's for plain `node` and for the shebang's flags, and V8 accepts each", () => {
    const shebangFlags = readFileSync(join(root, 'cli/bin.mjs'), 'utf8')
      .split('\n', 1)[0]!
      .replace(/^#!.*?\bnode\b\s*/, '')
      .split(/\s+/);
    // A file, not -e: the cache is picked by the process's flags, and -e is one.
    const dir = mkdtempSync(join(tmpdir(), 'seqsim-cache-'));
    packages.push(dir);
    const probe = join(dir, 'probe.mjs');
    const loader = pathToFileURL(join(root, 'cli/load-cli.mjs')).href;
    writeFileSync(
      probe,
      `import { CLI_BUNDLE, WORKER_BUNDLE, loadBundle } from '${loader}';\n` +
        'console.log([CLI_BUNDLE, WORKER_BUNDLE].map((file) => loadBundle(file).script?.cachedDataRejected).join(" "));\n',
    );
    for (const flags of [[], shebangFlags]) {
      const loaded = spawnSync(process.execPath, [...flags, probe], { encoding: 'utf8' });
      // undefined: no cache file for these flags (loaded without one); true: V8 rejected it.
      expect(loaded.stdout.trim(), `flags [${flags.join(' ')}] ${loaded.stderr}`).toBe('false false');
    }
  });

  it('keeps commands lazy: the entry loads no command module and none of their heavy dependencies before a command is chosen', () => {
    const meta = JSON.parse(readFileSync(join(bundleDir, 'meta.json'), 'utf8')) as Metafile;
    const loaded = staticallyLoaded(meta, 'cli/main.ts');
    expect(loaded).toContain('cli/main.ts');
    expect(loaded).toContain('cli/registry.ts');
    expect(loaded.filter((input) => /^cli\/commands\/|^sim\/|^live\/|^viz\/|fast-check|ajv|tinypool/.test(input))).toEqual([]);
    // Nor yargs: explore's fast path (cli/fast-args.ts) runs without it.
    expect(loaded.filter((input) => /node_modules\/yargs/.test(input))).toEqual([]);
    // The run command does not load ONNX Runtime, gRPC, d3 or the worker pool either.
    const runLoads = staticallyLoaded(meta, 'cli/commands/run.ts');
    expect(runLoads).toContain('sim/simulate.ts');
    expect(runLoads.filter((input) => /onnxruntime|grpc|protobufjs|playwright|d3|tinypool/.test(input))).toEqual([]);
  });

  it('runs --help, a run and a two-worker explore from the bundle alone, with no other module of dist/', () => {
    const dir = bundleOnlyPackage();
    packages.push(dir);
    const help = seqsim(dir, '--help');
    expect(help.stderr).toBe('');
    expect(help.status).toBe(0);
    for (const command of ['run', 'explore', 'live', 'bench']) expect(help.stdout).toContain(`seqsim ${command}`);
    const run = seqsim(dir, 'run', 'sim/examples/direct-basic.json', '--trace', join(dir, 'x.jsonl'));
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('no violation');
    expect(readFileSync(join(dir, 'x.jsonl'), 'utf8')).toMatch(/^\{"type":"header"/);
    // --workers 2 starts a worker thread: it must find and load the bundled worker.js.
    const explore = seqsim(dir, 'explore', '--generate', '--seeds', '40', '--workers', '2', '--out', join(dir, 'out'));
    expect(explore.status, explore.stderr).toBe(0);
    expect(explore.stdout).toMatch(/explored 40 seeds .* on 2 worker\(s\)/);
  }, 60_000);

  it('falls back silently when a code cache is rejected (another build, another V8) or missing', () => {
    const dir = bundleOnlyPackage();
    packages.push(dir);
    const bundle = join(dir, 'dist/bundle');
    const caches = readdirSync(bundle).filter((file) => file.endsWith('.cache'));
    expect(caches.length).toBeGreaterThanOrEqual(2);
    const shebangFlags = readFileSync(join(root, 'cli/bin.mjs'), 'utf8')
      .split('\n', 1)[0]!
      .replace(/^#!.*?\bnode\b\s*/, '')
      .split(/\s+/);
    const works = (flags: readonly string[]): void => {
      const run = spawnSync(process.execPath, [...flags, join(dir, 'cli/bin.mjs'), 'run', 'sim/examples/direct-basic.json', '--trace', join(dir, 'x.jsonl')], {
        cwd: dir,
        encoding: 'utf8',
      });
      expect(run.stderr).toBe('');
      expect(run.stdout).toContain('no violation');
      const explore = spawnSync(
        process.execPath,
        [...flags, join(dir, 'cli/bin.mjs'), 'explore', '--generate', '--seeds', '20', '--workers', '2', '--out', join(dir, 'out')],
        {
          cwd: dir,
          encoding: 'utf8',
        },
      );
      expect(explore.status, explore.stderr).toBe(0);
      expect(explore.stdout).toMatch(/explored 20 seeds .* on 2 worker\(s\)/);
    };
    // Garbage V8 rejects, for the CLI and the worker thread.
    for (const cache of caches) writeFileSync(join(bundle, cache), Buffer.alloc(4096, 7));
    works([]);
    // No cache at all.
    for (const cache of caches) rmSync(join(bundle, cache));
    works(shebangFlags);
  }, 60_000);

  it('without the bundle, the binary says how to build it (exit 2)', () => {
    const dir = bundleOnlyPackage();
    packages.push(dir);
    rmSync(join(dir, 'dist'), { recursive: true });
    const missing = seqsim(dir, '--help');
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/^seqsim: the bundled CLI \(dist\/bundle\/\) is missing: run `npm run build`/);
  });

  it("prints yargs' messages in English whatever the locale (the bundle carries no translations, usageLine reads English)", async () => {
    const saved = process.env['LC_ALL'];
    process.env['LC_ALL'] = 'de_DE.UTF-8';
    try {
      let err = '';
      const code = await main(['run'], {
        out: () => {},
        err: (text) => {
          err += text;
        },
        interactive: false,
      });
      expect(code).toBe(2);
      expect(err).toMatch(/^seqsim: Not enough non-option arguments/);
    } finally {
      if (saved === undefined) delete process.env['LC_ALL'];
      else process.env['LC_ALL'] = saved;
    }
  });
});
