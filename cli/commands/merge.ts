import type { Argv } from 'yargs';
import { loadJsonFile } from '../../src/scenario/load.ts';
import type { SeqsimCommand } from '../command.ts';
import { EXIT_OK, EXIT_VIOLATION } from '../exit-codes.ts';
import { mergeSummaries, parseSummary } from '../../sim/explore/summary.ts';
import { formatMerged } from './explore-summary.ts';

/**
 * Combines the summaries of `explore --shard k/n` runs (one per machine or job) into one campaign
 * summary, in the same format (docs/summary-format.md), so merged summaries merge again.
 */
export const mergeCommand: SeqsimCommand = {
  builder: (y: Argv) =>
    y
      .positional('summaries', { type: 'string', array: true, describe: 'summary JSON files written by explore (or merge --json)', demandOption: true })
      .option('json', { type: 'boolean', default: false, describe: 'print the merged summary as JSON on stdout' }),
  async run(args, io) {
    const files = (args['summaries'] as string[] | undefined) ?? [];
    const merged = mergeSummaries(files.map((file) => ({ file, summary: parseSummary(loadJsonFile(file), file) })));
    io.out(args['json'] ? `${JSON.stringify(merged)}\n` : formatMerged(merged, files.length));
    return merged.findings.length > 0 ? EXIT_VIOLATION : EXIT_OK;
  },
};
