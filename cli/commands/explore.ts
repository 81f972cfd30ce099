import { UsageError } from '../../src/core/input-errors.ts';
import type { Argv } from 'yargs';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadScenarioFile } from '../../src/scenario/load.ts';
import { runCampaign, shardRange } from '../../sim/explore/campaign.ts';
import type { FaultMode } from '../../sim/generate/scenario-arbitrary.ts';
import { availableParallelism } from 'node:os';
import { LIFECYCLE_ZOO, ZOO } from '../../sim/zoo/variants.ts';
import { HARD_ZOO } from '../../sim/zoo/hard-variants.ts';
import { checkBatcher } from './run.ts';
import type { SeqsimCommand, CliIO } from '../command.ts';
import type { FastOption } from '../fast-args.ts';
import { EXIT_OK, EXIT_VIOLATION } from '../exit-codes.ts';
import { parseDurationMs, parsePositiveInt, parseSeed } from '../options.ts';
import { wallClockMs } from '../../live/wall-clock.ts';
import cliProgress from 'cli-progress';
import { findingAt, saveFinding, type WrittenFinding } from './explore-findings.ts';
import { formatSummary } from './explore-summary.ts';
import { campaignSummary } from '../../sim/explore/summary.ts';

/** Event budget per run of a generated scenario (a scenario file keeps the simulator's default). */
export const GENERATED_MAX_EVENTS = 200_000;

/** explore's flags, read by yargs (help, the full parser) and by the fast path (cli/fast-args.ts). */
const EXPLORE_OPTIONS = {
  generate: { type: 'boolean', default: false, describe: 'generate a scenario per seed' },
  lifecycle: {
    type: 'boolean',
    default: false,
    describe: 'generated scenarios also draw model updates, reloads, unloads and stops (with --generate)',
  },
  metamorphic: {
    type: 'boolean',
    default: false,
    describe: 'also run each seed under a configuration variant drawn from the seed and compare responses (oracle cross-config)',
  },
  faults: {
    choices: ['swarm', 'uniform', 'none'],
    default: 'swarm',
    describe: 'generated fault plans: swarm (each seed picks its kinds), uniform (all kinds, low rates) or none',
  },
  seeds: { type: 'number', default: 1000, describe: 'how many seeds' },
  from: { type: 'string', default: '1', describe: 'first seed' },
  batcher: { type: 'string', default: 'real', describe: 'real, or bug:<name> from the bug zoo' },
  'keep-going': { type: 'boolean', default: false, describe: 'continue after the first violation' },
  'time-budget': { type: 'string', describe: 'stop after this long, e.g. 60s or 2m' },
  out: { type: 'string', default: join('out', 'explore'), describe: 'folder for traces and shrunk reproducers' },
  shrink: { type: 'boolean', default: true, describe: 'shrink what was found (--no-shrink to skip)' },
  svg: { type: 'boolean', default: false, describe: 'also draw each finding (and its shrunk run) as a slot-timeline SVG' },
  'max-events': { type: 'number', describe: 'event budget per run (default 200000 with --generate, else 2000000)' },
  workers: { type: 'number', describe: 'worker threads (default: the cores available)' },
  shard: { type: 'string', describe: 'k/n: run only the k-th of n equal parts of the seed range (combine with seqsim merge)' },
  'list-bugs': { type: 'boolean', default: false, describe: 'print the bug zoo, one name per line (lifecycle bugs after a note on stderr)' },
  json: { type: 'boolean', default: false, describe: 'print a JSON result on stdout' },
} as const satisfies Record<string, FastOption>;

export const exploreCommand: SeqsimCommand = {
  builder: (y: Argv) =>
    y.positional('scenario', { type: 'string', describe: 'scenario JSON to explore over seeds (omit with --generate)' }).options(EXPLORE_OPTIONS),
  fast: { positional: 'scenario', options: EXPLORE_OPTIONS },
  async run(args, io) {
    if (args['list-bugs']) {
      for (const bug of ZOO) io.out(`${bug.name}\n`);
      // stdout stays one name per line for scripts; the section note is for people.
      io.err('lifecycle bugs (explore them with --generate --lifecycle):\n');
      for (const bug of LIFECYCLE_ZOO) io.out(`${bug.name}\n`);
      io.err('hard bugs (docs/zoo.md; reload-abandons-backlog with --generate --lifecycle):\n');
      for (const bug of HARD_ZOO) io.out(`${bug.name}\n`);
      return EXIT_OK;
    }
    const batcher = checkBatcher(String(args['batcher']));
    const generate = Boolean(args['generate']);
    const lifecycle = Boolean(args['lifecycle']);
    const metamorphic = Boolean(args['metamorphic']);
    if (generate === (args['scenario'] !== undefined)) throw new UsageError('give a scenario file or --generate (one of them)');
    if (lifecycle && !generate)
      throw new UsageError('--lifecycle shapes generated scenarios: use it with --generate (a scenario file has its own lifecycle block)');
    if (generate && !lifecycle && [...LIFECYCLE_ZOO, ...HARD_ZOO.filter((bug) => bug.explore.lifecycle)].some((bug) => `bug:${bug.name}` === batcher)) {
      throw new UsageError(`${batcher} is a lifecycle bug: generated scenarios only exercise it with --lifecycle`);
    }
    const scenario = generate ? undefined : loadScenarioFile(String(args['scenario']));
    const totalSeeds = parsePositiveInt(args['seeds'], '--seeds');
    const firstSeed = parseSeed(args['from'], '--from');
    const shard = args['shard'] !== undefined ? parseShard(String(args['shard'])) : { k: 1, n: 1 };
    const { from, seeds } = shardRange(firstSeed, totalSeeds, shard.k, shard.n);
    const workers = args['workers'] !== undefined ? parsePositiveInt(args['workers'], '--workers') : Math.max(1, Math.min(availableParallelism(), 16));
    // Generated worlds are small: a run that has not settled after 200k events is stuck (a starved
    // backlog the reaper re-checks forever), and spending the default 2M on it only costs time.
    const maxEvents = args['max-events'] !== undefined ? parsePositiveInt(args['max-events'], '--max-events') : generate ? GENERATED_MAX_EVENTS : undefined;
    const budgetMs = args['time-budget'] !== undefined ? parseDurationMs(String(args['time-budget'])) : Number.POSITIVE_INFINITY;
    const started = wallClockMs();
    const progress = makeProgress(io, seeds);
    const campaign = await runCampaign({
      from,
      seeds,
      batcher,
      ...(scenario ? { scenario: scenario.normalized as Record<string, unknown> } : {}),
      ...(maxEvents ? { maxEvents } : {}),
      keepGoing: Boolean(args['keep-going']),
      faultMode: args['faults'] as FaultMode,
      ...(lifecycle ? { lifecycle } : {}),
      ...(metamorphic ? { metamorphic } : {}),
      workers,
      onChunk: (_chunk, seedsDone) => {
        progress(seedsDone, wallClockMs() - started);
        return wallClockMs() - started < budgetMs;
      },
    });
    const wallMs = wallClockMs() - started;
    const outDir = String(args['out']);
    const findings = Object.entries(campaign.firstByOracle)
      .sort((a, b) => a[1] - b[1])
      .map(([oracle, seed]) =>
        findingAt(seed, oracle, { ...(scenario ? { scenario } : {}), batcher, faultMode: args['faults'] as FaultMode, lifecycle }, maxEvents),
      );
    const written: WrittenFinding[] = [];
    for (const finding of findings) written.push(await saveFinding(finding, outDir, batcher, Boolean(args['shrink']), maxEvents, Boolean(args['svg'])));
    const summary = campaignSummary(campaign, {
      shard: `${shard.k}/${shard.n}`,
      batcher,
      workers,
      wallMs,
      lifecycleChecked: lifecycle || (scenario !== undefined && scenario.lifecycle.length > 0),
      findings: written,
    });
    mkdirSync(outDir, { recursive: true });
    writeFileSync(join(outDir, `summary-${shard.k}-of-${shard.n}.json`), `${JSON.stringify(summary)}\n`);
    if (args['json']) io.out(`${JSON.stringify(summary)}\n`);
    else io.out(formatSummary(summary, written));
    return written.length > 0 ? EXIT_VIOLATION : EXIT_OK;
  },
};

function parseShard(text: string): { k: number; n: number } {
  const match = /^(\d+)\/(\d+)$/.exec(text);
  const k = Number(match?.[1]);
  const n = Number(match?.[2]);
  if (match === null || n < 1 || k < 1 || k > n) throw new UsageError(`--shard: expected k/n with 1 ≤ k ≤ n, got ${JSON.stringify(text)}`);
  return { k, n };
}

/**
 * Progress on stderr: a bar with seeds/s on a terminal (cli-progress), plain lines per 10 % when
 * stderr is not one (CI logs, pipes, tests).
 */
function makeProgress(io: CliIO, total: number): (done: number, elapsedMs: number) => void {
  if (io.interactive) {
    const bar = new cliProgress.SingleBar(
      { format: 'explore [{bar}] {value}/{total} seeds | {speed} seeds/s', stream: process.stderr, clearOnComplete: true, hideCursor: true },
      cliProgress.Presets.shades_classic,
    );
    bar.start(total, 0, { speed: 0 });
    return (done, elapsedMs) => {
      bar.update(done, { speed: Math.round(done / Math.max(elapsedMs / 1000, 1e-3)) });
      if (done >= total) bar.stop();
    };
  }
  let nextReport = Math.max(1, Math.ceil(total / 10));
  return (done, elapsedMs) => {
    if (done < nextReport && done !== total) return;
    while (nextReport <= done) nextReport += Math.max(1, Math.ceil(total / 10));
    io.err(`explore: ${done}/${total} seeds, ${Math.round(done / Math.max(elapsedMs / 1000, 1e-3))} seeds/s\n`);
  };
}
