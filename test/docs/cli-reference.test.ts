import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import yargs from 'yargs';
import { commands } from '../../cli/registry.ts';

const reference = readFileSync(fileURLToPath(new URL('../../docs/cli.md', import.meta.url)), 'utf8');

/** The part of docs/cli.md under `## seqsim <name>`. */
function section(name: string): string | undefined {
  const start = reference.indexOf(`\n## seqsim ${name}\n`);
  if (start < 0) return undefined;
  const end = reference.indexOf('\n## ', start + 1);
  return reference.slice(start, end < 0 ? undefined : end);
}

interface YargsOptions {
  readonly key: Record<string, unknown>;
  readonly alias: Record<string, string[]>;
  readonly boolean: string[];
}

/** Every option yargs knows for a command: what its builder declares, less positionals, aliases and yargs' own. */
async function optionsOf(entry: (typeof commands)[number]): Promise<{ name: string; boolean: boolean }[]> {
  const parser = yargs([]);
  (await entry.load()).builder(parser);
  // getOptions() is yargs' own view of what it parses; its typings leave it out.
  const options = (parser as unknown as { getOptions(): YargsOptions }).getOptions();
  const positionals = new Set([...entry.usage.matchAll(/[<[]([\w-]+)(?:\.\.)?[>\]]/g)].map((m) => m[1]!));
  const aliases = new Set(Object.values(options.alias).flat());
  return Object.keys(options.key)
    .filter((name) => !positionals.has(name) && !aliases.has(name) && name !== 'help' && name !== 'version')
    .map((name) => ({ name, boolean: options.boolean.includes(name) }));
}

describe('docs/cli.md', () => {
  it.each(commands.map((entry) => [entry.name, entry]))('documents seqsim %s and every option yargs knows for it', async (name, entry) => {
    const text = section(name);
    expect(text, `docs/cli.md has no "## seqsim ${name}" section`).toBeDefined();
    const missing = (await optionsOf(entry)).filter(
      (option) => !text!.includes(`--${option.name}`) && !(option.boolean && text!.includes(`--no-${option.name}`)),
    );
    expect(missing.map((option) => `--${option.name}`)).toEqual([]);
  });

  it('lists the commands in the order seqsim --help does, and no command that does not exist', () => {
    const documented = [...reference.matchAll(/^## seqsim (\S+)$/gm)].map((m) => m[1]);
    expect(documented).toEqual(commands.map((entry) => entry.name));
  });
});
