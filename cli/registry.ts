import type { SeqsimCommand } from './command.ts';
import { runCommand } from './commands/run.ts';
import { replayCommand } from './commands/replay.ts';
import { examplesCommand } from './commands/examples.ts';
import { benchCommand } from './commands/bench.ts';
import { exploreCommand } from './commands/explore.ts';
import { shrinkCommand } from './commands/shrink.ts';
import { mergeCommand } from './commands/merge.ts';
import { checkCommand } from './commands/check.ts';
import { vizCommand } from './commands/viz.ts';
import { reportCommand } from './commands/report.ts';
import { exportCommand } from './commands/export.ts';
import { liveCommand } from './commands/live.ts';
import { serveCommand } from './commands/serve.ts';
import { compareCommand } from './commands/compare.ts';

/** Every subcommand, in the order `seqsim --help` lists them. */
export const commands: readonly SeqsimCommand[] = [runCommand, replayCommand, exploreCommand, shrinkCommand, mergeCommand, checkCommand, compareCommand, vizCommand, reportCommand, exportCommand, liveCommand, serveCommand, examplesCommand, benchCommand];
