import type { Argv } from 'yargs';
import type { CliIO } from '../src/core/cli-io.ts';

export type { CliIO };

/**
 * One `seqsim` subcommand. `run` returns the exit code (design §5); it throws InputError or
 * UsageError for bad input, which main() turns into one line on stderr and exit 2.
 */
export interface SeqsimCommand {
  readonly name: string;
  readonly usage: string;
  readonly describe: string;
  builder(yargs: Argv): Argv;
  run(args: Record<string, unknown>, io: CliIO): Promise<number>;
}
