import { InputError, SetupError, UsageError } from '../src/core/input-errors.ts';
import { EXIT_BAD_INPUT } from './exit-codes.ts';
import type { CliIO, SeqsimCommand } from './command.ts';
import { SEQSIM_VERSION } from '../traces/version.ts';
import { commands } from './registry.ts';
import { errorMessage } from '../src/core/error-message.ts';
import { oneLine, terminalText } from '../src/core/terminal-text.ts';
import { fastParse } from './fast-args.ts';
import type { Argv } from 'yargs';

/**
 * yargs' usage messages on one line, like every other usage error: a choice flag's
 * "Invalid values:\n  Argument: x, Given: …, Choices: …" becomes "--x must be one of …, got …".
 */
export function usageLine(message: string): string {
  const choices = [...message.matchAll(/Argument: ([^,\n]+), Given: (.*?), Choices: ([^\n]*)/g)];
  if (choices.length > 0) return choices.map(([, flag, given, allowed]) => `--${flag} must be one of ${allowed}, got ${given}`).join('; ');
  const missing = /^Not enough arguments following: (.+)$/.exec(message.trim());
  if (missing !== null) return `--${missing[1]} needs a value`;
  return message.replace(/\s*\n\s*/g, ' ').trim();
}

/** Everything printed goes through terminalText: no file, trace or flag can send control sequences. */
const processIO: CliIO = {
  out: (text) => process.stdout.write(terminalText(text)),
  err: (text) => process.stderr.write(terminalText(text)),
  interactive: process.stderr.isTTY === true,
};

function asksForHelp(argv: readonly string[]): boolean {
  return argv.some((arg) => arg === '--help' || arg === '-h' || arg === 'help');
}

/** Parses argv, runs one subcommand, returns the exit code. Never lets a stack trace reach users. */
export async function main(argv: readonly string[], io: CliIO = processIO): Promise<number> {
  try {
    // Only the command being run is loaded (with its builder's options); the others are listed.
    const requested = argv.find((arg) => !arg.startsWith('-'));
    const entry = commands.find((candidate) => candidate.name === requested);
    const command = entry === undefined ? undefined : await entry.load();
    // The fast path: a command line with one plain reading runs without loading yargs at all.
    const fast = command?.fast !== undefined && argv[0] === requested ? fastParse(argv.slice(1), command.fast) : undefined;
    if (command !== undefined && fast !== undefined) return await command.run({ _: [requested], ...fast }, io);
    const chosen = await parseWithYargs(argv, requested, command);
    if (typeof chosen === 'number') return chosen;
    return await chosen.command.run(chosen.args, io);
  } catch (error) {
    return reportFailure(error, io);
  }
}

/** yargs parses `argv` (and prints help, the version and its usage errors): the command to run with its arguments, or an exit code. */
async function parseWithYargs(
  argv: readonly string[],
  requested: string | undefined,
  command: SeqsimCommand | undefined,
): Promise<{ command: SeqsimCommand; args: Record<string, unknown> } | number> {
  let chosen: { command: SeqsimCommand; args: Record<string, unknown> } | undefined;
  const { default: yargs } = await import('yargs');
  const parser = yargs([...argv])
    .scriptName('seqsim')
    .strict()
    .help()
    .version(SEQSIM_VERSION)
    // yargs lays out a command's help after every run, in case it must print it on a failure;
    // ours throw instead (below), so only a run that asks for help pays for wrapping its lines.
    .wrap(asksForHelp(argv) ? Math.min(110, process.stdout.columns ?? 110) : null)
    .demandCommand(1, 'name a command: seqsim <command> --help')
    .exitProcess(false)
    // English whatever the locale: usageLine reads yargs' messages, and the bundle (cli/bundle.mjs)
    // does not carry yargs' translation files.
    .detectLocale(false)
    .fail((message, error) => {
      // yargs reports some usage errors (a flag without its value) as its own YError.
      if (error !== undefined && error !== null && error.name !== 'YError') throw error;
      throw new UsageError(usageLine(message ?? error?.message ?? 'bad command line'));
    });
  for (const entry of commands) {
    const loaded = entry.name === requested ? command : undefined;
    parser.command(
      entry.usage,
      entry.describe,
      (y) => (loaded === undefined ? y : valuesRequired(loaded.builder(y))),
      (args) => {
        if (loaded !== undefined) chosen = { command: loaded, args: args as Record<string, unknown> };
      },
    );
  }
  const parsed = await parser.parseAsync();
  // --help or --version printed by yargs.
  if (chosen === undefined) return parsed['help'] || parsed['version'] ? 0 : EXIT_BAD_INPUT;
  return chosen;
}

/**
 * A number or string flag given without its value (`--seeds` at the end of the line, or followed by
 * another flag) is a usage error: yargs would otherwise leave it unset, and the command would run
 * with the default the user meant to change.
 */
function valuesRequired(y: Argv): Argv {
  // getOptions is yargs' own (v17 and v18) but missing from its type declarations.
  const options = (y as Argv & { getOptions(): Record<'number' | 'string' | 'array', string[]> }).getOptions();
  const takesValue = [...options.number, ...options.string].filter((key) => !options.array.includes(key));
  return takesValue.length === 0 ? y : y.requiresArg(takesValue);
}

function reportFailure(error: unknown, io: CliIO): number {
  // A trace written to a pipe (`--trace /dev/stdout | head`) whose reader left: the reader's choice,
  // as for the CLI's own output (cli/bin.mjs).
  if ((error as NodeJS.ErrnoException | undefined)?.code === 'EPIPE') return 0;
  if (error instanceof InputError || error instanceof UsageError || error instanceof SetupError) {
    io.err(`seqsim: ${oneLine(error.message)}\n`);
    return EXIT_BAD_INPUT;
  }
  const message = errorMessage(error);
  io.err(`seqsim: internal error: ${oneLine(message)}\n`);
  if (process.env['SEQSIM_DEBUG'] && error instanceof Error && error.stack) io.err(`${error.stack}\n`);
  return 3;
}
