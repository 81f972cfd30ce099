import { packagePath } from '../../src/core/package-path.ts';
import type { Argv } from 'yargs';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { loadScenarioFile } from '../../src/scenario/load.ts';
import { simulate } from '../../sim/simulate.ts';
import type { SeqsimCommand } from '../command.ts';
import { EXIT_OK, EXIT_VIOLATION } from '../exit-codes.ts';
import { formatRunReport, summarizeRun, writeTrace, type RunReport } from '../run-summary.ts';
import { safeName } from './run.ts';

/** The scenarios shipped with seqsim. */
export const EXAMPLES_DIR = packagePath('sim/examples');

export function exampleFiles(): string[] {
  const inDir = (dir: string): string[] =>
    readdirSync(dir)
      .filter((name) => name.endsWith('.json'))
      .sort()
      .map((name) => join(dir, name));
  // Model switches (reload, update, unload, stop) live in their own folder.
  return [...inDir(EXAMPLES_DIR), ...inDir(join(EXAMPLES_DIR, 'lifecycle'))];
}

export const examplesCommand: SeqsimCommand = {
  builder: (y: Argv) =>
    y
      .option('out', { type: 'string', default: join('out', 'traces'), describe: 'folder for the traces' })
      .option('json', { type: 'boolean', default: false, describe: 'print a JSON array of results' }),
  async run(args, io) {
    const reports: RunReport[] = [];
    for (const file of exampleFiles()) {
      const scenario = loadScenarioFile(file);
      const seed = scenario.seed ?? 1;
      const run = simulate(scenario, { seed });
      const tracePath = join(String(args['out']), `${safeName(scenario.name)}-seed${seed}.jsonl`);
      writeTrace(tracePath, run);
      const report = summarizeRun(scenario.name, run, tracePath);
      reports.push(report);
      if (!args['json']) io.out(formatRunReport(report));
    }
    const violations = reports.reduce((sum, report) => sum + report.violations.length, 0);
    if (args['json']) io.out(`${JSON.stringify(reports)}\n`);
    else io.out(`${reports.length} scenarios, ${violations} violation(s)\n`);
    return violations > 0 ? EXIT_VIOLATION : EXIT_OK;
  },
};
