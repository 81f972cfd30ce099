import { UsageError } from '../../src/core/input-errors.ts';
import type { Argv } from 'yargs';
import { join } from 'node:path';
import { compareSeeds, summarize, type CompareSummary, type SeedComparison, runConfig } from '../../sim/compare/compare.ts';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { CliIO } from '../command.ts';
import { parseDurationMs } from '../options.ts';
import { readModel } from './live.ts';
import { compareLiveSeed } from '../../live/live-compare.ts';
import { PROVIDER_REQUESTS, type ProviderRequest } from '../../live/execution-provider.ts';
import { traceText } from '../../traces/writer.ts';
import { EXCLUSION_REASONS } from '../../sim/compare/outcomes.ts';
import { BASELINE, loadVariant, parseVariant, type VariantConfig } from '../../sim/compare/variants.ts';
import type { SeqsimCommand } from '../command.ts';
import { EXIT_OK, EXIT_VIOLATION } from '../exit-codes.ts';
import { parsePositiveInt, parseSeed } from '../options.ts';
import { writeTrace } from '../run-summary.ts';
import { checkBatcher, safeName } from './run.ts';
import { seqsimCommandLine } from '../../src/core/command-line.ts';

/** Seeds whose failing traces --out writes: enough to debug, bounded on disk. */
const MAX_TRACED_SEEDS = 5;
/** Failures printed in the text report (the JSON lists up to MAX_LISTED_VIOLATIONS). */
const MAX_PRINTED = 10;

export const compareCommand: SeqsimCommand = {
  builder: (y: Argv) =>
    y
      .positional('scenario', { type: 'string', describe: 'scenario JSON file (its configuration is the baseline)', demandOption: true })
      .option('variant', {
        type: 'string',
        array: true,
        // One value per --variant, so `--variant strategy=oldest scenario.json` keeps the scenario positional.
        nargs: 1,
        describe:
          'a configuration to compare: strategy=direct|oldest, instances=N, max_batch_size=N, max_candidate_sequences=N, ' +
          'executor_latency_x=F, batcher=bug:<name>, or a JSON merge patch file; combine with commas',
      })
      .option('seed', { type: 'string', describe: "one seed (default: the scenario's seed, else 1)" })
      .option('seeds', { type: 'number', describe: 'run this many seeds, from --from' })
      .option('from', { type: 'string', describe: "first seed of --seeds (default: the scenario's seed, else 1)" })
      .option('batcher', { type: 'string', default: 'real', describe: 'batcher of every run: real, or bug:<name> from the bug zoo' })
      .option('max-events', { type: 'number', describe: 'event budget per run' })
      .option('out', { type: 'string', describe: 'write the traces of failing runs (baseline and variant) here' })
      .option('live', { type: 'boolean', default: false, describe: 'run every configuration live on ONNX Runtime (real clock) instead of the simulator' })
      .option('ep', { choices: PROVIDER_REQUESTS, default: 'auto' as const, describe: 'with --live: execution provider' })
      .option('model', { type: 'string', describe: 'with --live: your own ONNX model (no reference function: the configurations must agree with each other)' })
      .option('tolerance', { type: 'number', default: 0, describe: 'relative tolerance for numeric outputs (e.g. 1e-6 for a float model)' })
      .option('duration', { type: 'string', default: '60s', describe: 'with --live: real-time limit per run' })
      .option('json', { type: 'boolean', default: false, describe: 'print a JSON result on stdout' }),
  async run(args, io) {
    const file = String(args['scenario']);
    const specs = (args['variant'] as readonly unknown[] | undefined) ?? [];
    if (specs.length === 0) throw new UsageError('compare needs at least one --variant (e.g. --variant strategy=oldest)');
    const batcher = checkBatcher(String(args['batcher']));
    const variants = specs.map((spec) => parseVariant(String(spec)));
    const configs: VariantConfig[] = [loadVariant(file, BASELINE, batcher), ...variants.map((v) => loadVariant(file, v, batcher))];
    const seeds = seedList(args, configs[0]!.scenario.seed ?? 1);
    const maxEvents = args['max-events'] !== undefined ? parsePositiveInt(args['max-events'], '--max-events') : undefined;
    const out = typeof args['out'] === 'string' ? args['out'] : undefined;
    const tolerance = Number(args['tolerance']);
    if (!Number.isFinite(tolerance) || tolerance < 0) throw new UsageError(`--tolerance must be a non-negative number, got ${String(args['tolerance'])}`);
    if (args['live'] === true) return runLiveCompare(file, configs, seeds, args, tolerance, specs.map(String), io);
    if (typeof args['model'] === 'string') throw new UsageError('--model goes with --live (the simulator runs the reference accumulator)');
    const traces: TraceFile[] = [];
    const onSeed = (comparison: SeedComparison): void => {
      if (out === undefined || comparison.failingConfigs.length === 0) return;
      if (new Set(traces.map((t) => t.seed)).size >= MAX_TRACED_SEEDS) return;
      traces.push(...writeFailingTraces(out, configs, comparison, maxEvents));
    };
    const summary = compareSeeds(configs, seeds, { ...(maxEvents !== undefined ? { maxEvents } : {}), onSeed, tolerance });
    const failed = summary.violationCount + summary.runViolationCount > 0;
    if (summary.compared === 0 && !failed) {
      throw new UsageError(`${file}: nothing to compare: ${exclusionText(summary)} — every sequence's outcome depends on timing here`);
    }
    const reproduce = failed ? reproduceCommand(file, summary, specs.map(String), batcher) : undefined;
    if (args['json']) io.out(`${JSON.stringify({ ...summary, ok: !failed, traces, reproduce: reproduce ?? null })}\n`);
    else io.out(formatSummary(summary, traces, reproduce));
    return failed ? EXIT_VIOLATION : EXIT_OK;
  },
};

/** `compare --live`: the same comparison over live runs, one seed at a time. */
async function runLiveCompare(
  file: string,
  configs: readonly VariantConfig[],
  seeds: readonly number[],
  args: Record<string, unknown>,
  tolerance: number,
  specs: readonly string[],
  io: CliIO,
): Promise<number> {
  const userModel = typeof args['model'] === 'string' ? readModel(args['model']) : undefined;
  const durationMs = parseDurationMs(String(args['duration']), '--duration');
  const provider = args['ep'] as ProviderRequest;
  const out = typeof args['out'] === 'string' ? args['out'] : undefined;
  const comparisons: SeedComparison[] = [];
  const traces: TraceFile[] = [];
  for (const seed of seeds) {
    const { comparison, runs } = await compareLiveSeed(configs, file, seed, { provider, durationMs, tolerance, ...(userModel ? { userModel } : {}) });
    comparisons.push(comparison);
    if (out !== undefined && comparison.failingConfigs.length > 0 && new Set(traces.map((t) => t.seed)).size < MAX_TRACED_SEEDS) {
      configs.forEach((config, i) => {
        if (!comparison.failingConfigs.includes(config.name)) return;
        const path = join(out, `${safeName(config.scenario.name)}-seed${seed}-${safeName(config.name)}-live.jsonl`);
        writeFile(path, traceText(runs[i]!));
        traces.push({ seed, config: config.name, path });
      });
    }
  }
  const summary = summarize(configs, seeds, comparisons);
  const failed = summary.violationCount + summary.runViolationCount > 0;
  if (summary.compared === 0 && !failed) {
    throw new UsageError(`${file}: nothing to compare: ${exclusionText(summary)} — every sequence's outcome depends on timing here`);
  }
  // The live run's own flags, so the printed line re-runs the same comparison.
  const liveWords = [
    '--live',
    '--ep',
    provider,
    ...(typeof args['model'] === 'string' ? ['--model', args['model']] : []),
    ...(tolerance > 0 ? ['--tolerance', String(tolerance)] : []),
  ];
  const reproduce = failed ? reproduceCommand(file, summary, specs, 'real', liveWords) : undefined;
  if (args['json']) io.out(`${JSON.stringify({ ...summary, live: true, ok: !failed, traces, reproduce: reproduce ?? null })}\n`);
  else io.out(formatSummary({ ...summary, scenario: `${summary.scenario} (live)` }, traces, reproduce));
  return failed ? EXIT_VIOLATION : EXIT_OK;
}

function writeFile(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
}

interface TraceFile {
  readonly seed: number;
  readonly config: string;
  readonly path: string;
}

function seedList(args: Record<string, unknown>, defaultSeed: number): number[] {
  if (args['seeds'] === undefined) {
    if (args['from'] !== undefined) throw new UsageError('--from goes with --seeds');
    return [args['seed'] !== undefined ? parseSeed(args['seed']) : defaultSeed];
  }
  if (args['seed'] !== undefined) throw new UsageError('give --seed or --seeds, not both');
  const count = parsePositiveInt(args['seeds'], '--seeds');
  const from = args['from'] !== undefined ? parseSeed(args['from'], '--from') : defaultSeed;
  if (!Number.isSafeInteger(from + count)) throw new UsageError('--from + --seeds must stay a safe integer');
  return Array.from({ length: count }, (_, i) => from + i);
}

/** Failing runs are re-run with their traces serialised (deterministic: the same run, byte for byte). */
function writeFailingTraces(out: string, configs: readonly VariantConfig[], comparison: SeedComparison, maxEvents: number | undefined): TraceFile[] {
  return configs
    .filter((config) => comparison.failingConfigs.includes(config.name))
    .map((config) => {
      const path = join(out, `${safeName(config.scenario.name)}-seed${comparison.seed}-${safeName(config.name)}.jsonl`);
      writeTrace(path, runConfig(config, comparison.seed, { serialize: true, ...(maxEvents !== undefined ? { maxEvents } : {}) }));
      return { seed: comparison.seed, config: config.name, path };
    });
}

function exclusionText(summary: CompareSummary): string {
  const reasons = EXCLUSION_REASONS.filter((r) => summary.excluded[r] > 0).map((r) => `${r} ${summary.excluded[r]}`);
  return `${summary.compared} compared, ${summary.excludedTotal} excluded${reasons.length > 0 ? ` (${reasons.join(', ')})` : ''}`;
}

function formatSummary(summary: CompareSummary, traces: readonly TraceFile[], reproduce: string | undefined): string {
  const seeds = summary.seeds.length === 1 ? `seed ${summary.seeds[0]}` : `seeds ${summary.seeds[0]}–${summary.seeds[summary.seeds.length - 1]}`;
  const lines = [
    `compare ${summary.scenario}, ${seeds}: ${summary.configs[0]} vs ${summary.configs.slice(1).join(' | ')}`,
    `  ${summary.sequences} sequence${summary.seeds.length > 1 ? ' runs' : 's'}: ${exclusionText(summary)}`,
  ];
  for (const v of summary.violations.slice(0, MAX_PRINTED)) lines.push(`  ✗ cross-config, seed ${v.seed}: ${v.message}`);
  for (const v of summary.runViolations.slice(0, MAX_PRINTED)) lines.push(`  ✗ ${v.oracle} in ${v.config}, seed ${v.seed}: ${v.message}`);
  const unlisted = Math.max(0, summary.violationCount - MAX_PRINTED) + Math.max(0, summary.runViolationCount - MAX_PRINTED);
  if (unlisted > 0) lines.push(`  and ${unlisted} more`);
  if (summary.violationCount + summary.runViolationCount === 0)
    lines.push('  no difference: every compared sequence got the same responses in every configuration');
  else lines.push(`  ${summary.violationCount} cross-config difference(s), ${summary.runViolationCount} run violation(s)`);
  if (summary.compared === 0) lines.push('  (nothing was comparable: every sequence was excluded)');
  const firstSeed = traces[0]?.seed;
  for (const t of traces.filter((t) => t.seed === firstSeed)) lines.push(`  trace ${t.path} (seed ${t.seed}, ${t.config})`);
  const otherSeeds = new Set(traces.map((t) => t.seed)).size - 1;
  if (otherSeeds > 0) lines.push(`  (traces of ${otherSeeds} more failing seed(s) in the same folder)`);
  if (reproduce !== undefined) lines.push(`  reproduce: ${reproduce}`);
  return `${lines.join('\n')}\n`;
}

/** One command line that re-runs the first failing seed. */
function reproduceCommand(file: string, summary: CompareSummary, specs: readonly string[], batcher: string, extra: readonly string[] = []): string {
  const seed = summary.violations[0]?.seed ?? summary.runViolations[0]?.seed ?? summary.seeds[0];
  const words: (string | number)[] = ['compare', file, '--seed', String(seed), ...specs.flatMap((s) => ['--variant', s])];
  if (batcher !== 'real') words.push('--batcher', batcher);
  return seqsimCommandLine(...words, ...extra);
}
