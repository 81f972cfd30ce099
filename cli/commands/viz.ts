import type { Argv } from 'yargs';
import { parseTimelineOptions, formatBytes, writeOutput } from '../../viz/cli-options.ts';
import { timelineOfTraceWith } from '../../viz/run-svg.ts';
import { readVizInput, timelineOfInput } from '../../viz/trace-input.ts';
import type { SeqsimCommand } from '../command.ts';
import { EXIT_OK } from '../exit-codes.ts';

/** Options shared with `seqsim report` (the report embeds the same picture). */
export function timelineOptions(y: Argv): Argv {
  return y
    .option('from', { type: 'string', describe: 'window start: µs, or with a unit (250us, 1.5ms, 2s)' })
    .option('to', { type: 'string', describe: 'window end, same units' })
    .option('instances', { type: 'string', describe: 'instances to draw, e.g. 0,2 or 0-3' })
    .option('slots', { type: 'string', describe: 'slots to draw in each instance, e.g. 0-1' })
    .option('width', { type: 'number', describe: 'picture width in px (default 1200)' })
    .option('theme', { choices: ['light', 'dark'] as const, default: 'light', describe: 'colour theme' });
}

export const vizCommand: SeqsimCommand = {
  builder: (y: Argv) =>
    timelineOptions(
      y
        .positional('trace', { type: 'string', describe: 'JSONL trace written by seqsim', demandOption: true })
        .option('output', { alias: 'o', type: 'string', demandOption: true, describe: 'SVG file to write' })
        .option('force', { type: 'boolean', default: false, describe: 'draw a trace whose summary does not match its lines (marked as damaged)' }),
    ),
  async run(args, io) {
    const options = parseTimelineOptions(args);
    const input = readVizInput(String(args['trace']), { force: args['force'] === true });
    if (input.damage !== undefined) io.err(`seqsim: warning: ${input.damage}\n`);
    const rendered = timelineOfTraceWith(input.header, (layout) => timelineOfInput(input, layout), options, input.damage);
    const output = String(args['output']);
    writeOutput(output, rendered.svg);
    io.out(`wrote ${output} (${formatBytes(Buffer.byteLength(rendered.svg))})\n`);
    for (const note of rendered.notes) io.out(`  note: ${note}\n`);
    return EXIT_OK;
  },
};
