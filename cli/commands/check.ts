import type { Argv } from 'yargs';
import { join } from 'node:path';
import { loadScenarioFile } from '../../src/scenario/load.ts';
import { checkExhaustive, type CheckResult } from '../../sim/check/dfs.ts';
import type { CliIO, SeqsimCommand } from '../command.ts';
import type { Scenario } from '../../src/scenario/types.ts';
import { checkRandom } from '../../sim/check/random-schedules.ts';
import { checkPct } from '../../sim/check/pct.ts';
import { EXIT_OK, EXIT_VIOLATION } from '../exit-codes.ts';
import { parsePositiveInt, parseSeed } from '../options.ts';
import { writeTrace } from '../run-summary.ts';
import { checkBatcher, safeName } from './run.ts';
import { wallClockMs } from '../../live/wall-clock.ts';
import { seqsimCommandLine } from '../../src/core/command-line.ts';

export const checkCommand: SeqsimCommand = {
  builder: (y: Argv) =>
    y
      .positional('scenario', { type: 'string', describe: 'scenario JSON (keep it small: 2-3 slots, a few sequences)', demandOption: true })
      .option('strategy', {
        choices: ['dfs', 'pct', 'random'] as const,
        default: 'dfs',
        describe: 'dfs: every ordering within --depth; pct: --runs randomised priority schedules; random: --runs uniformly random orderings',
      })
      .option('depth', { type: 'number', default: 8, describe: 'dfs: branch at the first D choice points of each run' })
      .option('runs', { type: 'number', default: 1000, describe: 'pct, random: number of runs' })
      .option('bug-depth', { type: 'number', default: 2, describe: 'pct: priority change points + 1 (the bug depth targeted)' })
      .option('max-schedules', { type: 'number', default: 100_000, describe: 'dfs: bound on complete runs' })
      .option('max-states', { type: 'number', describe: 'dfs: bound on states expanded (default: none)' })
      .option('reduction', { type: 'boolean', default: true, describe: 'dfs: state hashing and sleep sets (--no-reduction: every ordering, for comparison)' })
      .option('choose-draws', {
        type: 'boolean',
        default: false,
        describe: 'fault decisions (skip / fire) and latency draws (min / mid / max of the range) are choice points too, instead of the seed drawing them',
      })
      .option('seed', { type: 'string', describe: "seed for latencies and faults (default: the scenario's, else 1)" })
      .option('batcher', { type: 'string', default: 'real', describe: 'real, or bug:<name>' })
      .option('out', { type: 'string', default: join('out', 'check'), describe: 'folder for a counterexample trace' })
      .option('json', { type: 'boolean', default: false, describe: 'print a JSON result on stdout' }),
  async run(args, io) {
    const scenario = loadScenarioFile(String(args['scenario']));
    const seed = args['seed'] !== undefined ? parseSeed(args['seed']) : (scenario.seed ?? 1);
    const depth = parsePositiveInt(args['depth'], '--depth');
    const maxSchedules = parsePositiveInt(args['max-schedules'], '--max-schedules');
    const batcher = checkBatcher(String(args['batcher']));
    // A scenario's `"draws": "chosen"` turns the mode on as well (simulate reads it).
    const chooseDraws = args['choose-draws'] === true || scenario.draws === 'chosen';
    if (args['strategy'] === 'pct') return runPct(scenario, { seed, batcher, chooseDraws }, args, io);
    if (args['strategy'] === 'random') return runRandom(scenario, { seed, batcher, chooseDraws }, args, io);
    const maxStates = args['max-states'] !== undefined ? parsePositiveInt(args['max-states'], '--max-states') : undefined;
    const started = wallClockMs();
    const reduction = args['reduction'] !== false;
    const result = checkExhaustive(scenario, { seed, batcher, depth, maxSchedules, reduction, chooseDraws, ...(maxStates !== undefined ? { maxStates } : {}) });
    const wallMs = wallClockMs() - started;
    let trace: string | null = null;
    if (result.counterexample !== undefined) {
      trace = join(String(args['out']), `${safeName(scenario.name)}-counterexample.jsonl`);
      writeTrace(trace, result.counterexample.run);
    }
    const verdict =
      result.counterexample !== undefined
        ? 'counterexample'
        : result.exhausted
          ? 'no violation within bounds'
          : result.budgetSpent === 'states'
            ? 'state budget spent'
            : 'schedule budget spent';
    const report = {
      scenario: scenario.name,
      seed,
      batcher,
      strategy: 'dfs',
      depth,
      reduction,
      choose_draws: chooseDraws,
      verdict,
      schedules: result.schedules,
      states_explored: result.statesExplored,
      distinct_states: result.distinctStates,
      duplicate_states_pruned: result.statePrunes,
      sleep_set_prunes: result.sleepPrunes,
      choice_points: result.choicePoints,
      draw_points: result.drawPoints,
      deepest_run: result.deepestRun,
      depth_reached: result.depthReached,
      exhausted: result.exhausted,
      bounds_hit: boundsHit(result, depth, maxSchedules, maxStates),
      schedules_per_s: perSecond(result.schedules, wallMs),
      states_per_s: perSecond(result.statesExplored, wallMs),
      violation: result.counterexample?.run.violations[0] ?? null,
      schedule: result.counterexample?.schedule ?? null,
      trace,
    };
    if (args['json']) io.out(`${JSON.stringify(report)}\n`);
    else {
      const lines = [
        `${scenario.name} (${runWords({ seed, batcher, chooseDraws })}): ${report.schedules} schedules, ${report.choice_points} ` +
          `choice points${drawWords(chooseDraws, result.drawPoints)}, deepest run ${report.deepest_run} points, ` +
          `${(wallMs / 1000).toFixed(1)} s — ${verdict}${result.exhausted ? ` (depth ${depth})` : ''}`,
        `  ${reduction ? 'reduction on' : 'reduction off (--no-reduction)'}: ${result.statesExplored} states explored ` +
          `(${result.distinctStates} distinct${chooseDraws ? ' at orderings; draw points are not hashed' : ''}), ` +
          `${result.statePrunes} duplicate states pruned, ${result.sleepPrunes} sleep-set prunes, branched to depth ${result.depthReached}`,
      ];
      for (const bound of report.bounds_hit) lines.push(`  bound hit: ${bound}`);
      if (report.violation)
        lines.push(
          `  ✗ ${report.violation.oracle}: ${report.violation.message}`,
          `  schedule ${JSON.stringify(report.schedule)}; replay: ${seqsimCommandLine('replay', trace ?? '')}`,
        );
      io.out(`${lines.join('\n')}\n`);
    }
    return result.counterexample !== undefined ? EXIT_VIOLATION : EXIT_OK;
  },
};

/** Every bound that cut the search short, in words: a bounded result is never silent. */
function boundsHit(result: CheckResult, depth: number, maxSchedules: number, maxStates: number | undefined): string[] {
  const hit: string[] = [];
  if (result.budgetSpent === 'schedules') hit.push(`--max-schedules ${maxSchedules} before every schedule within depth ${depth} ran`);
  if (result.budgetSpent === 'states') hit.push(`--max-states ${maxStates} before every state within depth ${depth} was expanded`);
  if (result.depthBoundHit)
    hit.push(
      `--depth ${depth}: runs have up to ${result.deepestRun} choice points; later ones ` +
        `took their least-label option${result.drawPoints > 0 ? ' (a draw: skip, min)' : ''}`,
    );
  return hit;
}

/** What a check ran with, as its report's first line says it. */
interface CheckRun {
  readonly seed: number;
  readonly batcher: string;
  readonly chooseDraws: boolean;
}

/** The seed decides latencies and faults, unless draws are choices: the report says which. */
function runWords(run: CheckRun): string {
  return `seed ${run.seed}, ${run.batcher} batcher${run.chooseDraws ? ', draws chosen' : ''}`;
}

function drawWords(chooseDraws: boolean, drawPoints: number): string {
  return chooseDraws ? ` (${drawPoints} of them draws)` : '';
}

function perSecond(count: number, wallMs: number): number {
  return Math.round(count / Math.max(wallMs / 1000, 1e-3));
}

async function runRandom(scenario: Scenario, run: CheckRun, args: Record<string, unknown>, io: CliIO): Promise<number> {
  const { seed, batcher, chooseDraws } = run;
  const runs = parsePositiveInt(args['runs'], '--runs');
  const result = checkRandom(scenario, { seed, batcher, runs, chooseDraws });
  let trace: string | null = null;
  if (result.counterexample !== undefined) {
    trace = join(String(args['out']), `${safeName(scenario.name)}-random-counterexample.jsonl`);
    writeTrace(trace, result.counterexample.run);
  }
  const report = {
    scenario: scenario.name,
    seed,
    batcher,
    strategy: 'random',
    choose_draws: chooseDraws,
    runs: result.runs,
    choice_points: result.choicePoints,
    verdict: result.counterexample !== undefined ? 'counterexample' : 'no violation in these runs',
    violation: result.counterexample?.run.violations[0] ?? null,
    schedule: result.counterexample?.schedule ?? null,
    trace,
  };
  if (args['json']) io.out(`${JSON.stringify(report)}\n`);
  else {
    const lines = [
      `${scenario.name} (${runWords(run)}): ${result.runs} random-${chooseDraws ? 'schedule' : 'ordering'} ` +
        `runs, up to ${result.choicePoints} choice points — ${report.verdict}`,
    ];
    if (report.violation) lines.push(`  ✗ ${report.violation.oracle}: ${report.violation.message}`, `  replay: ${seqsimCommandLine('replay', trace ?? '')}`);
    io.out(`${lines.join('\n')}\n`);
  }
  return result.counterexample !== undefined ? EXIT_VIOLATION : EXIT_OK;
}

async function runPct(scenario: Scenario, run: CheckRun, args: Record<string, unknown>, io: CliIO): Promise<number> {
  const { seed, batcher, chooseDraws } = run;
  const runs = parsePositiveInt(args['runs'], '--runs');
  const bugDepth = parsePositiveInt(args['bug-depth'], '--bug-depth');
  const result = checkPct(scenario, { seed, batcher, runs, bugDepth, chooseDraws });
  let trace: string | null = null;
  if (result.counterexample !== undefined) {
    trace = join(String(args['out']), `${safeName(scenario.name)}-pct-counterexample.jsonl`);
    writeTrace(trace, result.counterexample.run);
  }
  const [d1, d2, d3] = result.confidence.map((c) => Math.round(c * 1000) / 10);
  const report = {
    scenario: scenario.name,
    seed,
    batcher,
    strategy: 'pct',
    choose_draws: chooseDraws,
    runs: result.runs,
    threads: result.threads,
    choice_points: result.choicePoints,
    draw_points: result.drawPoints,
    verdict: result.counterexample !== undefined ? 'counterexample' : 'no violation in these runs',
    confidence_depth_1_2_3: result.confidence,
    violation: result.counterexample?.run.violations[0] ?? null,
    trace,
  };
  if (args['json']) io.out(`${JSON.stringify(report)}\n`);
  else {
    const lines = [
      `${scenario.name} (${runWords(run)}): ${result.runs} PCT runs, ${result.threads} threads, up to ${result.choicePoints} ` +
        `choice points${chooseDraws ? ` and ${result.drawPoints} draws (picked uniformly)` : ''} — ${report.verdict}`,
      `  confidence that a bug of depth 1 / 2 / 3 would have been found: ${d1}% / ${d2}% ` +
        `/ ${d3}% (PCT bound 1/(n·k^(d-1)) per run${chooseDraws ? ', given the draws' : ''})`,
    ];
    if (report.violation) lines.push(`  ✗ ${report.violation.oracle}: ${report.violation.message}`, `  replay: ${seqsimCommandLine('replay', trace ?? '')}`);
    io.out(`${lines.join('\n')}\n`);
  }
  return result.counterexample !== undefined ? EXIT_VIOLATION : EXIT_OK;
}
