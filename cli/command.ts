import type { Argv } from 'yargs';
import type { CliIO } from '../src/core/cli-io.ts';
import type { FastOptions } from './fast-args.ts';

export type { CliIO };

/**
 * What one `seqsim` subcommand does. `run` returns the exit code (design §5); it throws InputError
 * or UsageError for bad input, which main() turns into one line on stderr and exit 2.
 */
export interface SeqsimCommand {
  builder(yargs: Argv): Argv;
  run(args: Record<string, unknown>, io: CliIO): Promise<number>;
  /** Options the fast path parses without yargs (cli/fast-args.ts); yargs parses the rest. */
  readonly fast?: FastOptions;
}

/** A subcommand as `seqsim --help` lists it; its module loads only when it runs. */
export interface CommandEntry {
  readonly name: string;
  readonly usage: string;
  readonly describe: string;
  load(): Promise<SeqsimCommand>;
}
