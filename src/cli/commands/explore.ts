import type { Argv } from 'yargs';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadScenarioFile } from '../../scenario/load.ts';
import { explore, type Finding } from '../../../sim/explore/explore.ts';
import { shrinkScenario } from '../../../sim/explore/shrink.ts';
import { ZOO } from '../../../sim/zoo/variants.ts';
import { checkBatcher } from './run.ts';
import type { SeqsimCommand, CliIO } from '../command.ts';
import { EXIT_OK, EXIT_VIOLATION, UsageError } from '../exit-codes.ts';
import { parsePositiveInt, parseSeed } from '../options.ts';
import { writeTrace } from '../run-summary.ts';
import { wallClockMs } from '../../live/wall-clock.ts';

export const exploreCommand: SeqsimCommand = {
  name: 'explore',
  usage: 'explore [scenario]',
  describe: 'run many seeds (a scenario, or --generate one per seed) and report, save and shrink what breaks',
  builder: (y: Argv) =>
    y
      .positional('scenario', { type: 'string', describe: 'scenario JSON to explore over seeds (omit with --generate)' })
      .option('generate', { type: 'boolean', default: false, describe: 'generate a scenario per seed' })
      .option('seeds', { type: 'number', default: 1000, describe: 'how many seeds' })
      .option('from', { type: 'string', default: '1', describe: 'first seed' })
      .option('batcher', { type: 'string', default: 'real', describe: 'real, or bug:<name> from the bug zoo' })
      .option('keep-going', { type: 'boolean', default: false, describe: 'continue after the first violation' })
      .option('time-budget', { type: 'string', describe: 'stop after this long, e.g. 60s or 2m' })
      .option('out', { type: 'string', default: join('out', 'explore'), describe: 'folder for traces and shrunk reproducers' })
      .option('no-shrink', { type: 'boolean', default: false, describe: 'do not shrink what was found' })
      .option('max-events', { type: 'number', describe: 'event budget per run' })
      .option('list-bugs', { type: 'boolean', default: false, describe: 'print the bug zoo, one name per line' })
      .option('json', { type: 'boolean', default: false, describe: 'print a JSON result on stdout' }),
  async run(args, io) {
    if (args['list-bugs']) {
      for (const bug of ZOO) io.out(`${bug.name}\n`);
      return EXIT_OK;
    }
    const batcher = checkBatcher(String(args['batcher']));
    const generate = Boolean(args['generate']);
    if (generate === (args['scenario'] !== undefined)) throw new UsageError('give a scenario file or --generate (one of them)');
    const scenario = generate ? undefined : loadScenarioFile(String(args['scenario']));
    const seeds = parsePositiveInt(args['seeds'], '--seeds');
    const from = parseSeed(args['from'], '--from');
    const maxEvents = args['max-events'] !== undefined ? parsePositiveInt(args['max-events'], '--max-events') : undefined;
    const budgetMs = args['time-budget'] !== undefined ? parseDurationMs(String(args['time-budget'])) : Number.POSITIVE_INFINITY;
    const started = wallClockMs();
    const progress = makeProgress(io, seeds);
    const result = explore({
      ...(scenario ? { scenario } : {}),
      from,
      seeds,
      batcher,
      keepGoing: Boolean(args['keep-going']),
      ...(maxEvents ? { maxEvents } : {}),
      onSeed: (seed, _run, findings) => {
        progress(seed - from + 1, findings, wallClockMs() - started);
        return wallClockMs() - started < budgetMs;
      },
    });
    const wallMs = wallClockMs() - started;
    const outDir = String(args['out']);
    const written = result.findings.map((finding) => saveFinding(finding, outDir, batcher, !args['no-shrink'], maxEvents));
    const summary = {
      seeds_run: result.seedsRun,
      from,
      batcher,
      wall_ms: Math.round(wallMs),
      seeds_per_s: Math.round(result.seedsRun / (wallMs / 1000)),
      violating_runs: result.violatingRuns,
      known_triton_runs: result.knownTritonRuns,
      oracles_fired: result.oraclesFired,
      findings: written,
    };
    if (args['json']) io.out(`${JSON.stringify(summary)}\n`);
    else io.out(formatSummary(summary, written));
    return result.findings.length > 0 ? EXIT_VIOLATION : EXIT_OK;
  },
};

interface WrittenFinding {
  readonly seed: number;
  readonly oracle: string;
  readonly message: string;
  readonly trace: string;
  readonly reproducer: string | null;
  readonly shrunk: { sequences: number; requests: number; before_sequences: number; before_requests: number } | null;
  readonly replay: string;
}

function saveFinding(finding: Finding, outDir: string, batcher: string, shrink: boolean, maxEvents: number | undefined): WrittenFinding {
  const base = join(outDir, `${finding.oracle}-seed${finding.seed}`);
  mkdirSync(outDir, { recursive: true });
  writeTrace(`${base}.jsonl`, finding.run);
  const batcherFlag = batcher === 'real' ? '' : ` --batcher ${batcher}`;
  if (!shrink) {
    writeFileSync(`${base}.json`, `${JSON.stringify(finding.scenarioJson, null, 2)}\n`);
    return { seed: finding.seed, oracle: finding.oracle, message: finding.message, trace: `${base}.jsonl`, reproducer: `${base}.json`, shrunk: null, replay: `seqsim replay ${base}.jsonl` };
  }
  const shrunk = shrinkScenario(finding.scenarioJson, { seed: finding.seed, batcher, oracle: finding.oracle, ...(maxEvents ? { maxEvents } : {}) });
  writeFileSync(`${base}.min.json`, `${JSON.stringify(shrunk.scenarioJson, null, 2)}\n`);
  writeTrace(`${base}.min.jsonl`, shrunk.run);
  return {
    seed: finding.seed,
    oracle: finding.oracle,
    message: shrunk.run.violations.find((v) => v.oracle === finding.oracle)?.message ?? finding.message,
    trace: `${base}.jsonl`,
    reproducer: `${base}.min.json`,
    shrunk: { sequences: shrunk.after.sequences, requests: shrunk.after.requests, before_sequences: shrunk.before.sequences, before_requests: shrunk.before.requests },
    replay: `seqsim run ${base}.min.json --seed ${finding.seed}${batcherFlag}`,
  };
}

function formatSummary(summary: { seeds_run: number; wall_ms: number; seeds_per_s: number; violating_runs: number; known_triton_runs: number; batcher: string; oracles_fired: Record<string, number> }, findings: readonly WrittenFinding[]): string {
  const lines = [
    `explored ${summary.seeds_run} seeds with the ${summary.batcher} batcher in ${(summary.wall_ms / 1000).toFixed(1)} s (${summary.seeds_per_s} seeds/s): ` +
      `${summary.violating_runs} violating run(s), ${findings.length} distinct oracle(s)` +
      (summary.known_triton_runs > 0 ? `, ${summary.known_triton_runs} run(s) showing the known Triton cancel-release leak` : ''),
    `  oracles checked: affinity, order, control-signals, slot-accounting, response, outputs, batch-shape, liveness, reaper-timing (+ batcher invariants)`,
  ];
  for (const finding of findings) {
    lines.push(`  ✗ ${finding.oracle} at seed ${finding.seed}: ${finding.message}`);
    if (finding.shrunk) lines.push(`    shrunk ${finding.shrunk.before_sequences} sequences / ${finding.shrunk.before_requests} requests → ${finding.shrunk.sequences} / ${finding.shrunk.requests}: ${finding.reproducer}`);
    lines.push(`    reproduce: ${finding.replay}`);
  }
  return `${lines.join('\n')}\n`;
}

/** A progress line per 10 % (a terminal gets the same lines; no bar that CI logs would mangle). */
function makeProgress(io: CliIO, total: number): (done: number, findings: number, elapsedMs: number) => void {
  let nextReport = Math.max(1, Math.ceil(total / 10));
  return (done, findings, elapsedMs) => {
    if (done < nextReport && done !== total) return;
    nextReport += Math.max(1, Math.ceil(total / 10));
    io.err(`explore: ${done}/${total} seeds, ${Math.round(done / Math.max(elapsedMs / 1000, 1e-3))} seeds/s, ${findings} violation(s)\n`);
  };
}

export function parseDurationMs(text: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (match === null) throw new UsageError(`--time-budget: expected a duration like 30s, 2m or 500ms, got ${JSON.stringify(text)}`);
  const value = Number(match[1]);
  const unit = match[2] ?? 's';
  return value * (unit === 'ms' ? 1 : unit === 's' ? 1000 : unit === 'm' ? 60_000 : 3_600_000);
}
