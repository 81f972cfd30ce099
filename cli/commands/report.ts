import type { Argv } from 'yargs';
import { parseTimelineOptions, formatBytes, writeOutput } from '../../viz/cli-options.ts';
import { renderReport, renderReportWith } from '../../viz/report.ts';
import { EventDigester } from '../../viz/report/events-table.ts';
import type { TraceEvent } from '../../src/core/events.ts';
import { referenceOutputs } from '../../sim/oracles/outputs.ts';
import { readVizInput, timelineOfInput } from '../../viz/trace-input.ts';
import type { SeqsimCommand } from '../command.ts';
import { EXIT_OK } from '../exit-codes.ts';
import { timelineOptions } from './viz.ts';

/** Up to this many events a report holds them in memory and shows the reference outputs beside the real ones. */
export const REPORT_IN_MEMORY_EVENTS = 500_000;

export const reportCommand: SeqsimCommand = {
  builder: (y: Argv) =>
    timelineOptions(
      y
        .positional('trace', { type: 'string', describe: 'JSONL trace written by seqsim', demandOption: true })
        .option('output', { alias: 'o', type: 'string', demandOption: true, describe: 'HTML file to write' })
        .option('force', { type: 'boolean', default: false, describe: 'report on a trace whose summary does not match its lines (marked as damaged)' }),
    ),
  async run(args, io) {
    const options = parseTimelineOptions(args);
    const input = readVizInput(String(args['trace']), { force: args['force'] === true });
    if (input.damage !== undefined) io.err(`seqsim: warning: ${input.damage}\n`);
    const model = input.model;
    const reportOptions = {
      ...options,
      header: input.header,
      ...(model === undefined ? {} : { model }),
      ...(input.damage === undefined ? {} : { banner: input.damage }),
    };
    let html: string;
    if (input.eventCount <= REPORT_IN_MEMORY_EVENTS) {
      // A trace of this size is held as events: the reference outputs need every event at once.
      const events: TraceEvent[] = [];
      input.each((event) => events.push(event));
      html = renderReport(events, { ...reportOptions, ...(model === undefined ? {} : { referenceOutputs: referenceOutputs(events, model) }) });
    } else {
      // Larger ones are streamed: the timeline and the table's first rows in one pass, no reference outputs.
      io.err(`seqsim: note: ${input.eventCount} events: the report leaves out the reference outputs (computed up to ${REPORT_IN_MEMORY_EVENTS} events)\n`);
      const digest = new EventDigester();
      html = renderReportWith(
        (layout) => timelineOfInput(input, layout, (event) => digest.add(event)),
        () => digest,
        reportOptions,
      );
    }
    const output = String(args['output']);
    writeOutput(output, html);
    io.out(`wrote ${output} (${formatBytes(Buffer.byteLength(html))})\n`);
    return EXIT_OK;
  },
};
