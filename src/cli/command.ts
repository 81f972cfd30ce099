import type { Argv } from 'yargs';

/** Where a command writes; tests pass buffers, the binary passes process streams. */
export interface CliIO {
  out(text: string): void;
  err(text: string): void;
  /** True when stderr is an interactive terminal (progress bars), false in CI and tests. */
  readonly interactive: boolean;
}

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
