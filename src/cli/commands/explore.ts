import type { Argv } from 'yargs';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadScenarioFile } from '../../scenario/load.ts';
import { scenarioForSeed, type ExploreOptions, type Finding, type MetamorphicStats } from '../../../sim/explore/explore.ts';
import { runCampaign, shardRange } from '../../../sim/explore/campaign.ts';
import type { ViolatingSeed } from '../../../sim/explore/chunk.ts';
import { simulate } from '../../../sim/simulate.ts';
import type { Scenario } from '../../scenario/types.ts';
import type { FaultMode } from '../../../sim/generate/scenario-arbitrary.ts';
import { availableParallelism } from 'node:os';
import { shrinkScenario } from '../../../sim/explore/shrink.ts';
import { LIFECYCLE_ZOO, ZOO } from '../../../sim/zoo/variants.ts';
import { compareSeedVariant, compareUnder, type MetamorphicSeed } from '../../../sim/explore/metamorphic.ts';
import { shrinkCrossConfig } from '../../../sim/explore/shrink-cross-config.ts';
import { checkBatcher } from './run.ts';
import type { SeqsimCommand, CliIO } from '../command.ts';
import { EXIT_OK, EXIT_VIOLATION, UsageError } from '../exit-codes.ts';
import { parsePositiveInt, parseSeed } from '../options.ts';
import { writeSvg, writeTrace } from '../run-summary.ts';
import { wallClockMs } from '../../live/wall-clock.ts';
import cliProgress from 'cli-progress';

/** Event budget per run of a generated scenario (a scenario file keeps the simulator's default). */
export const GENERATED_MAX_EVENTS = 200_000;

export const exploreCommand: SeqsimCommand = {
  name: 'explore',
  usage: 'explore [scenario]',
  describe: 'run many seeds (a scenario, or --generate one per seed) and report, save and shrink what breaks',
  builder: (y: Argv) =>
    y
      .positional('scenario', { type: 'string', describe: 'scenario JSON to explore over seeds (omit with --generate)' })
      .option('generate', { type: 'boolean', default: false, describe: 'generate a scenario per seed' })
      .option('lifecycle', { type: 'boolean', default: false, describe: 'generated scenarios also draw model updates, reloads, unloads and stops (with --generate)' })
      .option('metamorphic', { type: 'boolean', default: false, describe: 'also run each seed under a configuration variant drawn from the seed and compare responses (oracle cross-config)' })
      .option('faults', { choices: ['swarm', 'uniform', 'none'] as const, default: 'swarm', describe: 'generated fault plans: swarm (each seed picks its kinds), uniform (all kinds, low rates) or none' })
      .option('seeds', { type: 'number', default: 1000, describe: 'how many seeds' })
      .option('from', { type: 'string', default: '1', describe: 'first seed' })
      .option('batcher', { type: 'string', default: 'real', describe: 'real, or bug:<name> from the bug zoo' })
      .option('keep-going', { type: 'boolean', default: false, describe: 'continue after the first violation' })
      .option('time-budget', { type: 'string', describe: 'stop after this long, e.g. 60s or 2m' })
      .option('out', { type: 'string', default: join('out', 'explore'), describe: 'folder for traces and shrunk reproducers' })
      .option('shrink', { type: 'boolean', default: true, describe: 'shrink what was found (--no-shrink to skip)' })
      .option('svg', { type: 'boolean', default: false, describe: 'also draw each finding (and its shrunk run) as a slot-timeline SVG' })
      .option('max-events', { type: 'number', describe: 'event budget per run (default 200000 with --generate, else 2000000)' })
      .option('workers', { type: 'number', describe: 'worker threads (default: the cores available)' })
      .option('shard', { type: 'string', describe: 'k/n: run only the k-th of n equal parts of the seed range (combine with seqsim merge)' })
      .option('list-bugs', { type: 'boolean', default: false, describe: 'print the bug zoo, one name per line (lifecycle bugs after a note on stderr)' })
      .option('json', { type: 'boolean', default: false, describe: 'print a JSON result on stdout' }),
  async run(args, io) {
    if (args['list-bugs']) {
      for (const bug of ZOO) io.out(`${bug.name}\n`);
      // stdout stays one name per line for scripts; the section note is for people.
      io.err('lifecycle bugs (explore them with --generate --lifecycle):\n');
      for (const bug of LIFECYCLE_ZOO) io.out(`${bug.name}\n`);
      return EXIT_OK;
    }
    const batcher = checkBatcher(String(args['batcher']));
    const generate = Boolean(args['generate']);
    const lifecycle = Boolean(args['lifecycle']);
    const metamorphic = Boolean(args['metamorphic']);
    if (generate === (args['scenario'] !== undefined)) throw new UsageError('give a scenario file or --generate (one of them)');
    if (lifecycle && !generate) throw new UsageError('--lifecycle shapes generated scenarios: use it with --generate (a scenario file has its own lifecycle block)');
    if (generate && !lifecycle && LIFECYCLE_ZOO.some((bug) => `bug:${bug.name}` === batcher)) {
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
      .map(([oracle, seed]) => findingAt(seed, oracle, { ...(scenario ? { scenario } : {}), batcher, faultMode: args['faults'] as FaultMode, lifecycle }, maxEvents));
    const written = findings.map((finding) => saveFinding(finding, outDir, batcher, Boolean(args['shrink']), maxEvents, Boolean(args['svg'])));
    const summary: ExploreSummary = {
      seeds_run: campaign.seedsRun,
      from,
      seeds,
      shard: `${shard.k}/${shard.n}`,
      batcher,
      workers,
      wall_ms: Math.round(wallMs),
      seeds_per_s: Math.round(campaign.seedsRun / Math.max(wallMs / 1000, 1e-3)),
      violating_runs: campaign.violating.length,
      known_triton_runs: campaign.knownTritonRuns,
      ...(campaign.metamorphic ? { metamorphic: campaign.metamorphic } : {}),
      oracles_fired: campaign.oraclesFired,
      faults_enabled: campaign.faultsEnabled,
      faults_fired: campaign.faultsFired,
      faults_never_fired: Object.keys(campaign.faultsEnabled).filter((kind) => !campaign.faultsFired[kind]),
      lifecycle_actions: campaign.lifecycleActions,
      violating: campaign.violating,
      lifecycle_checked: lifecycle || (scenario !== undefined && scenario.lifecycle.length > 0),
      findings: written,
    };
    mkdirSync(outDir, { recursive: true });
    writeFileSync(join(outDir, `summary-${shard.k}-of-${shard.n}.json`), `${JSON.stringify(summary)}\n`);
    if (args['json']) io.out(`${JSON.stringify(summary)}\n`);
    else io.out(formatSummary(summary, written));
    return written.length > 0 ? EXIT_VIOLATION : EXIT_OK;
  },
};

/** What `explore` writes to summary-<k>-of-<n>.json and prints with --json; `merge` reads it. */
export interface ExploreSummary {
  readonly seeds_run: number;
  readonly from: number;
  readonly seeds: number;
  readonly shard: string;
  readonly batcher: string;
  readonly workers: number;
  readonly wall_ms: number;
  readonly seeds_per_s: number;
  readonly violating_runs: number;
  readonly known_triton_runs: number;
  /** --metamorphic: seeds and sequences compared, excluded, and variants Triton would refuse. */
  readonly metamorphic?: MetamorphicStats;
  readonly oracles_fired: Readonly<Record<string, number>>;
  readonly faults_enabled: Readonly<Record<string, number>>;
  readonly faults_fired: Readonly<Record<string, number>>;
  /** Enabled kinds that never fired: a fault test that injected nothing must not pass silently. */
  readonly faults_never_fired: readonly string[];
  /** Model-management actions that happened in the runs (lifecycle accountability). */
  readonly lifecycle_actions?: Readonly<Record<string, number>>;
  readonly violating: readonly ViolatingSeed[];
  /** The lifecycle oracle had something to check (generated lifecycle blocks, or the scenario's). */
  readonly lifecycle_checked?: boolean;
  readonly findings: readonly WrittenFinding[];
}

/** Re-runs a violating seed in this thread to get its full run for the trace and the shrinker. */
function findingAt(seed: number, oracle: string, options: Pick<ExploreOptions, 'scenario' | 'batcher' | 'faultMode' | 'lifecycle'>, maxEvents: number | undefined): Finding {
  const { scenario: world, json } = scenarioForSeed(options, seed);
  const limits = maxEvents ? { maxEvents } : {};
  if (oracle === 'cross-config') {
    const meta = compareSeedVariantOf(json, seed, options.batcher, maxEvents);
    return { seed, oracle, message: meta.failure ?? '', scenarioJson: meta.json, run: meta.runs[0]!, variant: meta.spec };
  }
  const run = simulate(world, { seed, batcher: options.batcher, ...limits });
  const violation = run.violations.find((v) => v.oracle === oracle);
  return { seed, oracle, message: violation?.message ?? '', scenarioJson: json, run };
}

/** The seed's comparison as explore ran it (saveCrossConfig re-runs it with traces). */
function compareSeedVariantOf(json: Record<string, unknown>, seed: number, batcher: string, maxEvents: number | undefined): MetamorphicSeed {
  const drawn = compareSeedVariant(json, seed, batcher, maxEvents ? { maxEvents } : {});
  if (drawn === undefined) throw new Error(`seed ${seed} has no valid metamorphic variant, yet it was reported as cross-config`);
  return drawn;
}

function parseShard(text: string): { k: number; n: number } {
  const match = /^(\d+)\/(\d+)$/.exec(text);
  const k = Number(match?.[1]);
  const n = Number(match?.[2]);
  if (match === null || n < 1 || k < 1 || k > n) throw new UsageError(`--shard: expected k/n with 1 ≤ k ≤ n, got ${JSON.stringify(text)}`);
  return { k, n };
}

export interface WrittenFinding {
  readonly seed: number;
  readonly oracle: string;
  readonly message: string;
  readonly trace: string;
  readonly reproducer: string | null;
  readonly shrunk: {
    sequences: number;
    requests: number;
    faults: number;
    choices: number;
    before_sequences: number;
    before_requests: number;
    before_faults: number;
    before_choices: number;
  } | null;
  readonly replay: string;
  /** cross-config: the variant spec, and one trace per configuration that takes part in the failure. */
  readonly variant?: string;
  readonly traces?: readonly string[];
}

function saveFinding(finding: Finding, outDir: string, batcher: string, shrink: boolean, maxEvents: number | undefined, svg: boolean): WrittenFinding {
  if (finding.variant !== undefined) return saveCrossConfig(finding, finding.variant, outDir, batcher, shrink, maxEvents);
  const base = join(outDir, `${finding.oracle}-seed${finding.seed}`);
  mkdirSync(outDir, { recursive: true });
  writeTrace(`${base}.jsonl`, finding.run);
  if (svg) writeSvg(`${base}.svg`, finding.run);
  const batcherFlag = batcher === 'real' ? '' : ` --batcher ${batcher}`;
  if (!shrink) {
    writeFileSync(`${base}.json`, `${JSON.stringify(finding.scenarioJson, null, 2)}\n`);
    return { seed: finding.seed, oracle: finding.oracle, message: finding.message, trace: `${base}.jsonl`, reproducer: `${base}.json`, shrunk: null, replay: `seqsim replay ${base}.jsonl` };
  }
  const shrunk = shrinkScenario(finding.scenarioJson, { seed: finding.seed, batcher, oracle: finding.oracle, ...(maxEvents ? { maxEvents } : {}) });
  writeFileSync(`${base}.min.json`, `${JSON.stringify(shrunk.scenarioJson, null, 2)}\n`);
  writeTrace(`${base}.min.jsonl`, shrunk.run);
  if (svg) writeSvg(`${base}.min.svg`, shrunk.run);
  return {
    seed: finding.seed,
    oracle: finding.oracle,
    message: shrunk.run.violations.find((v) => v.oracle === finding.oracle)?.message ?? finding.message,
    trace: `${base}.jsonl`,
    reproducer: `${base}.min.json`,
    shrunk: {
      sequences: shrunk.after.sequences,
      requests: shrunk.after.requests,
      faults: shrunk.after.faults,
      choices: shrunk.after.choices,
      before_sequences: shrunk.before.sequences,
      before_requests: shrunk.before.requests,
      before_faults: shrunk.before.faults,
      before_choices: shrunk.before.choices,
    },
    // A liveness finding depends on the event budget it ran under: the command repeats it.
    replay: `seqsim run ${base}.min.json --seed ${finding.seed}${batcherFlag}${maxEvents !== undefined && finding.oracle === 'liveness' ? ` --max-events ${maxEvents}` : ''}`,
  };
}

/**
 * A cross-config finding: the compared scenario, a trace per failing configuration, and (unless
 * --no-shrink) a shrunk scenario that `seqsim compare` reproduces with the same variant and seed.
 */
function saveCrossConfig(finding: Finding, spec: string, outDir: string, batcher: string, shrink: boolean, maxEvents: number | undefined): WrittenFinding {
  const base = join(outDir, `cross-config-seed${finding.seed}`);
  mkdirSync(outDir, { recursive: true });
  const meta = compareUnder(finding.scenarioJson, spec, finding.seed, batcher, { serialize: true, ...(maxEvents ? { maxEvents } : {}) })!;
  const traces = writeComparisonTraces(base, meta);
  const batcherFlag = batcher === 'real' ? '' : ` --batcher ${batcher}`;
  const reproduce = (file: string): string => `seqsim compare ${file} --seed ${finding.seed} --variant ${spec}${batcherFlag}`;
  writeFileSync(`${base}.json`, `${JSON.stringify(finding.scenarioJson, null, 2)}\n`);
  const common = { seed: finding.seed, oracle: finding.oracle, trace: traces[0] ?? `${base}-baseline.jsonl`, variant: spec };
  if (!shrink) return { ...common, message: finding.message, reproducer: `${base}.json`, shrunk: null, replay: reproduce(`${base}.json`), traces };
  const shrunk = shrinkCrossConfig(finding.scenarioJson, spec, finding.seed, batcher, maxEvents ? { maxEvents } : {});
  writeFileSync(`${base}.min.json`, `${JSON.stringify(shrunk.scenarioJson, null, 2)}\n`);
  const minTraces = writeComparisonTraces(`${base}.min`, shrunk.comparison);
  return {
    ...common,
    message: shrunk.comparison.failure ?? finding.message,
    reproducer: `${base}.min.json`,
    shrunk: {
      sequences: shrunk.after.sequences,
      requests: shrunk.after.requests,
      faults: shrunk.after.faults,
      choices: 0,
      before_sequences: shrunk.before.sequences,
      before_requests: shrunk.before.requests,
      before_faults: shrunk.before.faults,
      before_choices: 0,
    },
    replay: reproduce(`${base}.min.json`),
    traces: [...traces, ...minTraces],
  };
}

/** One trace per configuration of a comparison (each replays with `seqsim replay`). */
function writeComparisonTraces(base: string, meta: MetamorphicSeed): string[] {
  return meta.configs.map((config, i) => {
    const path = `${base}-${i === 0 ? 'baseline' : 'variant'}.jsonl`;
    writeTrace(path, meta.runs[i]!);
    return path;
  });
}

export function formatSummary(summary: ExploreSummary, findings: readonly WrittenFinding[]): string {
  const lines = [
    `explored ${summary.seeds_run} seeds (${summary.from}…${summary.from + summary.seeds - 1}, shard ${summary.shard}) with the ${summary.batcher} batcher on ${summary.workers} worker(s) in ${(summary.wall_ms / 1000).toFixed(1)} s (${summary.seeds_per_s} seeds/s): ` +
      `${summary.violating_runs} violating run(s), ${findings.length} distinct oracle(s)` +
      (summary.known_triton_runs > 0 ? `, ${summary.known_triton_runs} run(s) showing known Triton behaviour (the cancel-release leak, or a backlog an update starved)` : ''),
    ...(Object.keys(summary.faults_enabled).length > 0
      ? [
          `  faults: ${Object.entries(summary.faults_enabled)
            .map(([kind, runs]) => `${kind} enabled in ${runs} run(s), fired ${summary.faults_fired[kind] ?? 0}×`)
            .join('; ')}`,
          ...(summary.faults_never_fired.length > 0 ? [`  ⚠ enabled but never fired: ${summary.faults_never_fired.join(', ')}`] : []),
        ]
      : []),
    ...(summary.lifecycle_actions !== undefined && Object.keys(summary.lifecycle_actions).length > 0
      ? [`  lifecycle: ${Object.entries(summary.lifecycle_actions).sort((a, b) => a[0].localeCompare(b[0])).map(([action, n]) => `${action} ${n}`).join(', ')}`]
      : []),
    `  oracles checked: affinity, order, control-signals, slot-accounting, response, outputs, batch-shape, liveness, reaper-timing${summary.lifecycle_checked ? ', lifecycle' : ''}${summary.metamorphic ? ', cross-config' : ''} (+ batcher invariants)`,
    ...(summary.metamorphic
      ? [
          `  metamorphic: ${summary.metamorphic.seeds_compared} seed(s) compared under a drawn variant, ${summary.metamorphic.sequences_compared} sequence(s) compared, ` +
            `${summary.metamorphic.sequences_excluded} excluded (timing-dependent), ${summary.metamorphic.variants_invalid} variant(s) invalid for their scenario`,
        ]
      : []),
  ];
  for (const finding of findings) {
    lines.push(`  ✗ ${finding.oracle} at seed ${finding.seed}: ${finding.message}`);
    if (finding.shrunk) {
      const s = finding.shrunk;
      lines.push(
        `    shrunk ${s.before_sequences} sequences / ${s.before_requests} requests / ${s.before_faults} faults / ${s.before_choices} non-default orderings → ` +
          `${s.sequences} / ${s.requests} / ${s.faults} / ${s.choices}: ${finding.reproducer}`,
      );
    }
    if (finding.traces !== undefined) lines.push(`    traces: ${finding.traces.join(', ')}`);
    lines.push(`    reproduce: ${finding.replay}`);
  }
  return `${lines.join('\n')}\n`;
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

export function parseDurationMs(text: string, flag = '--time-budget'): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (match === null) throw new UsageError(`${flag}: expected a duration like 30s, 2m or 500ms, got ${JSON.stringify(text)}`);
  const value = Number(match[1]);
  const unit = match[2] ?? 's';
  return value * (unit === 'ms' ? 1 : unit === 's' ? 1000 : unit === 'm' ? 60_000 : 3_600_000);
}
