import { InputError, UsageError } from '../../src/core/input-errors.ts';
import type { Argv } from 'yargs';
import { loadJsonFile } from '../../src/scenario/load.ts';
import type { SeqsimCommand } from '../command.ts';
import { EXIT_OK, EXIT_VIOLATION } from '../exit-codes.ts';
import type { ExploreSummary, WrittenFinding } from './explore.ts';

/** Combines the summaries of `explore --shard k/n` runs (one per machine or job) into one campaign. */
export const mergeCommand: SeqsimCommand = {
  builder: (y: Argv) =>
    y
      .positional('summaries', { type: 'string', array: true, describe: 'summary JSON files written by explore', demandOption: true })
      .option('json', { type: 'boolean', default: false, describe: 'print a JSON result on stdout' }),
  async run(args, io) {
    const files = (args['summaries'] as string[]) ?? [];
    if (files.length === 0) throw new UsageError('name at least one summary file');
    const parts = files.map((file) => readSummary(file));
    const sorted = [...parts].sort((a, b) => a.summary.from - b.summary.from);
    for (let i = 1; i < sorted.length; i++) {
      const previous = sorted[i - 1]!.summary;
      if (sorted[i]!.summary.from < previous.from + previous.seeds) {
        throw new InputError(sorted[i]!.file, 'from', `seed range overlaps ${sorted[i - 1]!.file} (${previous.from}…${previous.from + previous.seeds - 1})`);
      }
    }
    const batchers = new Set(parts.map((p) => p.summary.batcher));
    if (batchers.size > 1) throw new UsageError(`the summaries explored different batchers: ${[...batchers].join(', ')}`);
    const violating = sorted.flatMap((p) => p.summary.violating).sort((a, b) => a.seed - b.seed);
    const firstByOracle = new Map<string, WrittenFinding>();
    for (const finding of sorted.flatMap((p) => p.summary.findings).sort((a, b) => a.seed - b.seed)) {
      if (!firstByOracle.has(finding.oracle)) firstByOracle.set(finding.oracle, finding);
    }
    const oraclesFired: Record<string, number> = {};
    for (const part of parts) for (const [oracle, n] of Object.entries(part.summary.oracles_fired)) oraclesFired[oracle] = (oraclesFired[oracle] ?? 0) + n;
    const covered = sorted.reduce((n, p) => n + p.summary.seeds, 0);
    const merged = {
      shards: parts.length,
      from: sorted[0]!.summary.from,
      seeds: covered,
      contiguous: sorted.every((p, i) => i === 0 || p.summary.from === sorted[i - 1]!.summary.from + sorted[i - 1]!.summary.seeds),
      seeds_run: parts.reduce((n, p) => n + p.summary.seeds_run, 0),
      batcher: [...batchers][0]!,
      violating_runs: violating.length,
      known_triton_runs: parts.reduce((n, p) => n + p.summary.known_triton_runs, 0),
      oracles_fired: oraclesFired,
      findings: [...firstByOracle.values()],
    };
    if (args['json']) io.out(`${JSON.stringify(merged)}\n`);
    else {
      const lines = [
        `merged ${merged.shards} shard(s): seeds ` +
          `${merged.from}…${merged.from + merged.seeds - 1}${merged.contiguous ? '' : ' (with gaps)'}, ${merged.seeds_run} run, ` +
          `${merged.violating_runs} violating, ${merged.known_triton_runs} known Triton`,
      ];
      for (const finding of merged.findings) {
        lines.push(`  ✗ ${finding.oracle} at seed ${finding.seed}: ${finding.message}`, `    reproduce: ${finding.replay}`);
      }
      io.out(`${lines.join('\n')}\n`);
    }
    return merged.findings.length > 0 ? EXIT_VIOLATION : EXIT_OK;
  },
};

function readSummary(file: string): { file: string; summary: ExploreSummary } {
  const value = loadJsonFile(file) as Record<string, unknown>;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new InputError(file, '', 'expected an explore summary object');
  for (const field of ['from', 'seeds', 'seeds_run', 'violating_runs', 'known_triton_runs'] as const) {
    if (!Number.isSafeInteger(value[field])) throw new InputError(file, field, 'missing or not an integer (is this a summary written by seqsim explore?)');
  }
  for (const field of ['violating', 'findings'] as const) if (!Array.isArray(value[field])) throw new InputError(file, field, 'missing or not an array');
  if (typeof value['batcher'] !== 'string') throw new InputError(file, 'batcher', 'missing or not a string');
  if (typeof value['oracles_fired'] !== 'object' || value['oracles_fired'] === null) throw new InputError(file, 'oracles_fired', 'missing or not an object');
  return { file, summary: value as unknown as ExploreSummary };
}
