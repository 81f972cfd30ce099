import type { Argv } from 'yargs';
import { replayTraceFile } from '../../sim/replay-file.ts';
import type { SeqsimCommand } from '../command.ts';
import { EXIT_OK, EXIT_VIOLATION } from '../exit-codes.ts';

export const replayCommand: SeqsimCommand = {
  builder: (y: Argv) =>
    y
      .positional('trace', { type: 'string', describe: 'JSONL trace written by seqsim', demandOption: true })
      .option('json', { type: 'boolean', default: false, describe: 'print a JSON result on stdout' }),
  async run(args, io) {
    const file = String(args['trace']);
    const verdict = replayTraceFile(file);
    const violations = verdict.run.violations.length;
    if (args['json']) {
      io.out(
        `${JSON.stringify(
          verdict.identical
            ? { identical: true, hash: verdict.run.hash, violations }
            : { identical: false, line: verdict.line, recorded: verdict.recorded ?? null, replayed: verdict.replayed ?? null, violations },
        )}\n`,
      );
    } else if (verdict.identical) {
      io.out(`identical: ${verdict.run.lines.length} lines, hash ${verdict.run.hash}${violations ? `, ${violations} violation(s) reproduced` : ''}\n`);
    } else {
      io.out(`diverged at line ${verdict.line}\n  recorded: ${verdict.recorded ?? '(end of trace)'}\n  replayed: ${verdict.replayed ?? '(end of run)'}\n`);
    }
    const stale = verdict.run.scheduleDivergence;
    if (stale !== undefined && !args['json']) {
      io.out(
        `  recorded decision #${stale.point} (${JSON.stringify(stale.wanted)}) no longer applies: ` +
          `the options there are now ${stale.options.map((o) => JSON.stringify(o)).join(', ')}\n`,
      );
    }
    // A divergence means the reproducer no longer reproduces: report it like a violation.
    return !verdict.identical || violations > 0 ? EXIT_VIOLATION : EXIT_OK;
  },
};
