import { UsageError } from '../../src/core/input-errors.ts';
import type { Argv } from 'yargs';
import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { loadJsonFile } from '../../src/scenario/load.ts';
import { readTraceHeader } from '../../traces/read.ts';
import { optionsFromHeader } from '../../sim/replay.ts';
import { parseScenario } from '../../src/scenario/load.ts';
import { shrinkScenario } from '../../sim/explore/shrink.ts';
import { simulate } from '../../sim/simulate.ts';
import type { SeqsimCommand } from '../command.ts';
import { EXIT_VIOLATION } from '../exit-codes.ts';
import { parseSeed } from '../options.ts';
import { writeSvg, writeTrace } from '../run-summary.ts';
import { checkBatcher } from './run.ts';
import { seqsimCommandLine } from '../../src/core/command-line.ts';

export const shrinkCommand: SeqsimCommand = {
  builder: (y: Argv) =>
    y
      .positional('input', { type: 'string', describe: 'a trace with a violation, or a scenario file with --seed', demandOption: true })
      .option('seed', { type: 'string', describe: 'seed (with a scenario file)' })
      .option('batcher', { type: 'string', describe: 'real or bug:<name> (a trace records its own)' })
      .option('oracle', { type: 'string', describe: 'which failing oracle to keep (default: the first that fails)' })
      .option('out', { type: 'string', describe: 'reproducer path (default out/shrink/<input name>.min.json; its trace goes beside it)' })
      .option('svg', { type: 'boolean', default: false, describe: 'also write the shrunk run as a slot-timeline SVG' })
      .option('json', { type: 'boolean', default: false, describe: 'print a JSON result on stdout' }),
  async run(args, io) {
    const input = String(args['input']);
    let json: Record<string, unknown>;
    let seed: number;
    let batcher: string;
    if (input.endsWith('.jsonl')) {
      const trace = { header: readTraceHeader(input), events: [], lines: [] };
      const options = optionsFromHeader(trace, input);
      // The run the trace records: a pinned schedule (a check counterexample's) and chosen draws
      // become the scenario's own, so the shrinker starts from the failing run and its reproducer
      // keeps them (a header schedule wins over the scenario's, as in simulate).
      json = {
        ...(trace.header.scenario as Record<string, unknown>),
        ...(options.schedule !== undefined ? { schedule: [...options.schedule] } : {}),
        ...(options.chooseDraws === true ? { draws: 'chosen' } : {}),
      };
      seed = options.seed;
      batcher =
        args['batcher'] !== undefined
          ? checkBatcher(String(args['batcher']))
          : checkBatcher(String(options.batcher ?? 'real'), { file: input, field: 'line 1: options.batcher' });
    } else {
      if (args['seed'] === undefined) throw new UsageError('shrinking a scenario needs --seed (or give a trace)');
      json = parseScenario(loadJsonFile(input), input, dirname(input)).normalized as Record<string, unknown>;
      seed = parseSeed(args['seed']);
      batcher = checkBatcher(String(args['batcher'] ?? 'real'));
    }
    const first = simulate(parseScenario(json, input, dirname(input)), { seed, batcher });
    const oracle = typeof args['oracle'] === 'string' ? args['oracle'] : first.violations[0]?.oracle;
    if (oracle === undefined || !first.violations.some((v) => v.oracle === oracle)) {
      throw new UsageError(`${input} with seed ${seed} does not fail ${oracle === undefined ? 'any oracle' : `oracle ${oracle}`}: nothing to shrink`);
    }
    const result = shrinkScenario(json, { seed, batcher, oracle });
    const out = typeof args['out'] === 'string' ? args['out'] : defaultReproducerPath(input);
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, `${JSON.stringify(result.scenarioJson, null, 2)}\n`);
    // Beside the reproducer, never over it (an --out without .json would otherwise be both).
    const stem = out.replace(/\.json$/, '');
    const tracePath = `${stem}.jsonl`;
    writeTrace(tracePath, result.run);
    if (args['svg']) await writeSvg(`${stem}.svg`, result.run);
    const batcherFlag = batcher === 'real' ? [] : ['--batcher', batcher];
    const report = {
      oracle,
      seed,
      before: result.before,
      after: result.after,
      attempts: result.attempts,
      reproducer: out,
      trace: tracePath,
      replay: seqsimCommandLine('run', out, '--seed', seed, ...batcherFlag),
      message: result.run.violations.find((v) => v.oracle === oracle)?.message ?? '',
    };
    if (args['json']) io.out(`${JSON.stringify(report)}\n`);
    else {
      io.out(
        `shrunk ${oracle} (seed ${seed}) in ${result.attempts} runs: ${result.before.sequences} sequences / ${result.before.requests} ` +
          `requests / ${result.before.instances} instances / ${result.before.faults} faults / ${result.before.choices} non-default orderings → ` +
          `${result.after.sequences} / ${result.after.requests} / ${result.after.instances} / ${result.after.faults} / ` +
          `${result.after.choices}\n  ✗ ${report.message}\n  reproducer ${out}, trace ${tracePath}\n  reproduce: ${report.replay}\n`,
      );
    }
    return EXIT_VIOLATION;
  },
};

/**
 * Where a reproducer goes without --out: under out/, never beside its input (a shipped example's
 * folder would then hold it, and `npm start` would run it as one more example).
 */
export function defaultReproducerPath(input: string): string {
  return join('out', 'shrink', `${basename(input).replace(/\.jsonl?$/, '')}.min.json`);
}
