import { UsageError } from '../../src/core/input-errors.ts';
import type { Argv } from 'yargs';
import { formatBytes, writeOutput } from '../../viz/cli-options.ts';
import { exportChromeTrace } from '../../viz/chrome.ts';
import { readVizInput } from '../../viz/trace-input.ts';
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
      .option('max-mb', { type: 'number', default: 95, describe: 'split into several files past this size (Perfetto fails on much larger JSON)' }),
  async run(args, io) {
    const maxMb = args['max-mb'];
    if (typeof maxMb !== 'number' || !(maxMb >= 0.01 && maxMb <= 1000))
      throw new UsageError(`--max-mb must be a number from 0.01 to 1000, got ${JSON.stringify(maxMb)}`);
    const input = readVizInput(String(args['trace']));
    const exported = exportChromeTrace(input.events, {
      maxBytes: Math.round(maxMb * 1_000_000),
      header: input.header,
      ...(input.layout === undefined ? {} : { layout: input.layout }),
    });
    const output = String(args['output']);
    const names = exported.parts.length === 1 ? [output] : exported.parts.map((_, i) => partName(output, i + 1));
    for (const [i, part] of exported.parts.entries()) writeOutput(names[i]!, part);
    for (const note of exported.notes) io.err(`seqsim: note: ${note}\n`);
    for (const [i, name] of names.entries()) io.out(`wrote ${name} (${formatBytes(Buffer.byteLength(exported.parts[i]!))})\n`);
    return EXIT_OK;
  },
};
