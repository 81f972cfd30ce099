import { UsageError } from '../../src/core/input-errors.ts';
import type { Argv } from 'yargs';
import { formatBytes, openOutput } from '../../viz/cli-options.ts';
import { writeChromeTrace } from '../../viz/chrome.ts';
import { readVizInput, timelineOfInput } from '../../viz/trace-input.ts';
import type { SeqsimCommand } from '../command.ts';
import { EXIT_OK } from '../exit-codes.ts';

/** trace.json → trace.part1.json, trace.part2.json, … */
export function partName(output: string, part: number): string {
  const dot = output.toLowerCase().endsWith('.json') ? output.length - 5 : output.length;
  return `${output.slice(0, dot)}.part${part}${output.slice(dot) || '.json'}`;
}

export const exportCommand: SeqsimCommand = {
  builder: (y: Argv) =>
    y
      .positional('trace', { type: 'string', describe: 'JSONL trace written by seqsim', demandOption: true })
      .option('format', { choices: ['chrome'] as const, default: 'chrome', describe: 'output format' })
      .option('output', { alias: 'o', type: 'string', demandOption: true, describe: 'JSON file to write' })
      .option('max-mb', { type: 'number', default: 95, describe: 'split into several files past this size (Perfetto fails on much larger JSON)' })
      .option('force', { type: 'boolean', default: false, describe: 'export a trace whose summary does not match its lines (marked as damaged)' }),
  async run(args, io) {
    const maxMb = args['max-mb'];
    if (typeof maxMb !== 'number' || !(maxMb >= 0.01 && maxMb <= 1000))
      throw new UsageError(`--max-mb must be a number from 0.01 to 1000, got ${JSON.stringify(maxMb)}`);
    const input = readVizInput(String(args['trace']), { force: args['force'] === true });
    if (input.damage !== undefined) io.err(`seqsim: warning: ${input.damage}\n`);
    const output = String(args['output']);
    // Streamed: the trace is read from its file, each part written as it fills.
    const written: { name: string; bytes: number }[] = [];
    const exported = writeChromeTrace(
      timelineOfInput(input, input.layout),
      {
        maxBytes: Math.round(maxMb * 1_000_000),
        header: input.header,
        ...(input.layout === undefined ? {} : { layout: input.layout }),
        ...(input.damage === undefined ? {} : { warning: input.damage }),
      },
      (part, parts) => {
        const name = parts === 1 ? output : partName(output, part + 1);
        const file = openOutput(name);
        return { write: (text) => file.write(text), close: () => written.push({ name, bytes: file.close() }) };
      },
    );
    for (const note of exported.notes) io.err(`seqsim: note: ${note}\n`);
    for (const { name, bytes } of written) io.out(`wrote ${name} (${formatBytes(bytes)})\n`);
    return EXIT_OK;
  },
};
