import type { Argv } from 'yargs';
import { parseTimelineOptions, formatBytes, writeOutput } from '../../viz/cli-options.ts';
import { renderReport } from '../../viz/report.ts';
import { referenceOutputs } from '../../sim/oracles/outputs.ts';
import { readVizInput } from '../../viz/trace-input.ts';
import type { SeqsimCommand } from '../command.ts';
import { EXIT_OK } from '../exit-codes.ts';
import { timelineOptions } from './viz.ts';

export const reportCommand: SeqsimCommand = {
  builder: (y: Argv) =>
    timelineOptions(
      y
        .positional('trace', { type: 'string', describe: 'JSONL trace written by seqsim', demandOption: true })
        .option('output', { alias: 'o', type: 'string', demandOption: true, describe: 'HTML file to write' }),
    ),
  async run(args, io) {
    const options = parseTimelineOptions(args);
    const input = readVizInput(String(args['trace']));
    const model = input.model;
    const html = renderReport(input.events, {
      ...options,
      header: input.header,
      ...(model === undefined ? {} : { model, referenceOutputs: referenceOutputs(input.events, model) }),
    });
    const output = String(args['output']);
    writeOutput(output, html);
    io.out(`wrote ${output} (${formatBytes(Buffer.byteLength(html))})\n`);
    return EXIT_OK;
  },
};
