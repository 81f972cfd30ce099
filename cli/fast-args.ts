import type { Options } from 'yargs';

/** An option as both yargs (help, the full parser) and the fast path read it: typed, or a choice among strings. */
export type FastOption = Options & ({ readonly type: 'boolean' | 'string' | 'number' } | { readonly type?: undefined; readonly choices: readonly string[] });

/** A command's options for the fast path: its one optional positional and its flags. */
export interface FastOptions {
  readonly positional?: string;
  readonly options: Readonly<Record<string, FastOption>>;
}

const NUMBER = /^\d{1,15}$/;

/**
 * Parses `<command> …` without yargs when every argument has one plain reading: `--flag value`,
 * `--flag=value`, `--flag` / `--no-flag` for a boolean, at most one positional, each flag once,
 * numbers as plain digits, choices among the allowed. The result holds what yargs would give the
 * command for the keys it reads (every flag, kebab-case, with its default; the positional).
 * Anything else (help, an unknown or repeated flag, a short or camelCase alias, a value that starts
 * with '-', `--`) returns undefined, and yargs parses it: errors and help stay yargs' own.
 * Loading yargs and laying out the help it keeps for a failure costs more than a short explore
 * campaign (docs/numbers.md).
 */
export function fastParse(args: readonly string[], spec: FastOptions): Record<string, unknown> | undefined {
  const parsed: Record<string, unknown> = {};
  const seen = new Set<string>();
  let positional: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (!arg.startsWith('--')) {
      // yargs reads `--flag true` as the boolean's value and `help` as a request for help.
      if (arg.startsWith('-') || positional !== undefined || spec.positional === undefined || ['true', 'false', 'help'].includes(arg)) return undefined;
      positional = arg;
      continue;
    }
    const eq = arg.indexOf('=');
    let name = eq < 0 ? arg.slice(2) : arg.slice(2, eq);
    let value = eq < 0 ? undefined : arg.slice(eq + 1);
    let option = Object.hasOwn(spec.options, name) ? spec.options[name] : undefined;
    let negated = false;
    if (option === undefined && name.startsWith('no-') && value === undefined) {
      name = name.slice(3);
      option = Object.hasOwn(spec.options, name) ? spec.options[name] : undefined;
      negated = true;
    }
    if (option === undefined || seen.has(name) || (negated && option.type !== 'boolean')) return undefined;
    seen.add(name);
    if (option.type === 'boolean') {
      if (value !== undefined) return undefined;
      parsed[name] = !negated;
      continue;
    }
    if (value === undefined) {
      value = args[++i];
      if (value === undefined || value.startsWith('-')) return undefined;
    }
    if (option.type === 'number') {
      if (!NUMBER.test(value)) return undefined;
      parsed[name] = Number(value);
    } else {
      if (value === '' || (option.choices !== undefined && !option.choices.includes(value))) return undefined;
      parsed[name] = value;
    }
  }
  for (const [name, option] of Object.entries(spec.options)) if (!(name in parsed) && option.default !== undefined) parsed[name] = option.default;
  if (spec.positional !== undefined && positional !== undefined) parsed[spec.positional] = positional;
  return parsed;
}
