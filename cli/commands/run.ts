import { InputError, UsageError } from '../../src/core/input-errors.ts';
import type { Argv } from 'yargs';
import { join } from 'node:path';
import { prepareTracePath } from '../trace-path.ts';
import { loadScenarioFile } from '../../src/scenario/load.ts';
import { simulate, simulateToFile } from '../../sim/simulate.ts';
import { makeScheduler, UnknownBatcherError } from '../../sim/pipeline/batcher-choice.ts';
import type { SeqsimCommand } from '../command.ts';
import { EXIT_OK, EXIT_VIOLATION } from '../exit-codes.ts';
import { parsePositiveInt, parseSeed } from '../options.ts';
import { seqsimCommandLine } from '../../src/core/command-line.ts';
import { formatRunReport, summarizeRun, writeSvg, writeTrace, type ReportedRun } from '../run-summary.ts';

export const runCommand: SeqsimCommand = {
  builder: (y: Argv) =>
    y
      .positional('scenario', { type: 'string', describe: 'scenario JSON file', demandOption: true })
      .option('seed', { type: 'string', describe: "seed (default: the scenario's seed, else 1)" })
      .option('trace', { type: 'string', describe: 'trace output path (default out/traces/<name>-seed<N>.jsonl)' })
      .option('json', { type: 'boolean', default: false, describe: 'print a JSON result on stdout' })
      .option('max-events', { type: 'number', describe: 'event budget of the run' })
      .option('slot-order', { choices: ['triton-heap', 'instance-major'] as const, describe: 'free-slot tie-break' })
      .option('batcher', { type: 'string', default: 'real', describe: 'real, or bug:<name> from the bug zoo (npx seqsim explore --list-bugs)' })
      .option('svg', { type: 'string', describe: 'also write the slot-timeline picture here' })
      .option('strict-lifecycle', { type: 'boolean', default: false, describe: 'every sequence a reload or unload interrupts is a violation' })
      .option('choose-draws', {
        type: 'boolean',
        default: false,
        describe: "fault decisions and latency draws are choice points (as in check --choose-draws), decided like same-instant ties by the seed's ties stream",
      }),
  async run(args, io) {
    const scenario = loadScenarioFile(String(args['scenario']));
    const seed = args['seed'] !== undefined ? parseSeed(args['seed']) : (scenario.seed ?? 1);
    const maxEvents = args['max-events'] !== undefined ? parsePositiveInt(args['max-events'], '--max-events') : undefined;
    const slotOrder = args['slot-order'] as 'triton-heap' | 'instance-major' | undefined;
    const batcher = checkBatcher(String(args['batcher']));
    const strictLifecycle = args['strict-lifecycle'] === true;
    const chooseDraws = args['choose-draws'] === true;
    const settings = {
      seed,
      batcher,
      ...(maxEvents ? { maxEvents } : {}),
      ...(slotOrder ? { slotOrder } : {}),
      ...(strictLifecycle ? { strictLifecycle } : {}),
      ...(chooseDraws ? { chooseDraws } : {}),
    };
    const tracePath = typeof args['trace'] === 'string' ? args['trace'] : join('out', 'traces', `${safeName(scenario.name)}-seed${seed}.jsonl`);
    const svgPath = typeof args['svg'] === 'string' ? args['svg'] : undefined;
    let run: ReportedRun;
    if (svgPath === undefined) {
      // Streamed: the trace goes to disk as the run goes and the oracles check it online, so
      // memory holds the world's live state, not the run's history.
      prepareTracePath(tracePath);
      run = simulateToFile(scenario, settings, tracePath);
    } else {
      // The picture is drawn from the events, so this run keeps them.
      const kept = simulate(scenario, settings);
      writeTrace(tracePath, kept);
      await writeSvg(svgPath, kept);
      run = kept;
    }
    const report = summarizeRun(scenario.name, run, tracePath);
    if (args['json']) io.out(`${JSON.stringify(report)}\n`);
    else {
      io.out(formatRunReport(report));
      if (report.violations.length > 0) io.out(`  replay: ${seqsimCommandLine('replay', tracePath)}\n`);
    }
    return report.violations.length > 0 ? EXIT_VIOLATION : EXIT_OK;
  },
};

/** Validates --batcher up front so a typo is a usage error, not an internal one. */
export function checkBatcher(batcher: string, from?: { readonly file: string; readonly field: string }): string {
  try {
    makeScheduler(batcher);
  } catch (error) {
    // Name where the bad name came from: the flag, or the file (a trace header) that recorded it.
    if (error instanceof UnknownBatcherError)
      throw from === undefined ? new UsageError(`--batcher: ${error.message}`) : new InputError(from.file, from.field, error.message);
    throw error;
  }
  return batcher;
}

/** A scenario name as a file name: user strings never become paths unescaped. */
export function safeName(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 80) || 'scenario';
}
