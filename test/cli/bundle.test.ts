import { afterAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { main } from '../../cli/main.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const bundleDir = join(root, 'dist/bundle');

interface Metafile {
  readonly outputs: Record<string, { readonly imports: readonly { readonly path: string; readonly kind: string }[]; readonly inputs: Record<string, unknown> }>;
}

/**
 * Every source file in the outputs an entry loads before running anything (its static imports,
 * transitively), and the packages left outside the bundle that those outputs import.
 */
function staticallyLoaded(meta: Metafile, entry: string): string[] {
  const seen = new Set<string>();
  const external = new Set<string>();
  const visit = (output: string): void => {
    const imports = meta.outputs[output]?.imports;
    if (seen.has(output) || imports === undefined) return;
    seen.add(output);
    for (const imported of imports) {
      if (imported.kind !== 'import-statement') continue;
      if (meta.outputs[imported.path] === undefined) external.add(imported.path);
      else visit(imported.path);
    }
  };
  visit(entry);
  return [...[...seen].flatMap((output) => Object.keys(meta.outputs[output]!.inputs)), ...external];
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
  cpSync(join(root, 'cli/bin.mjs'), join(dir, 'cli/bin.mjs'));
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
    for (const file of ['main.js', 'main.js.map', 'worker.js', 'worker.js.map', 'meta.json']) expect(existsSync(join(bundleDir, file)), file).toBe(true);
    expect(readFileSync(join(bundleDir, 'main.js'), 'utf8')).toMatch(/\/\/# sourceMappingURL=main\.js\.map\s*$/);
  });

  it('keeps commands lazy: the entry loads no command module and none of their heavy dependencies before a command is chosen', () => {
    const meta = JSON.parse(readFileSync(join(bundleDir, 'meta.json'), 'utf8')) as Metafile;
    const loaded = staticallyLoaded(meta, 'dist/bundle/main.js');
    expect(loaded).toContain('cli/main.ts');
    expect(loaded).toContain('cli/registry.ts');
    expect(loaded.filter((input) => /^cli\/commands\/|^sim\/|^live\/|^viz\/|fast-check|ajv|tinypool/.test(input))).toEqual([]);
    // The run command's chunk does not load ONNX Runtime, gRPC, d3 or the worker pool either.
    const runChunk = Object.keys(meta.outputs).find((output) => Object.keys(meta.outputs[output]!.inputs).includes('cli/commands/run.ts'))!;
    const runLoads = staticallyLoaded(meta, runChunk);
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
