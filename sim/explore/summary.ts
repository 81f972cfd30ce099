/*
 * A campaign's summary: what `seqsim explore` writes to <out>/summary-<k>-of-<n>.json (and prints
 * with --json), and what `seqsim merge` reads and writes. One format for a shard and for a merged
 * campaign, so merged summaries merge again. docs/summary-format.md describes every field.
 */
import { InputError, UsageError } from '../../src/core/input-errors.ts';
import { merge, type CampaignResult } from './campaign.ts';
import type { ChunkResult, ViolatingSeed } from './chunk.ts';
import type { MetamorphicStats } from './explore.ts';

/** A finding written to disk: the first violating seed of one oracle, its trace and reproducer. */
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

export interface CampaignSummary {
  readonly seeds_run: number;
  readonly from: number;
  readonly seeds: number;
  /** "k/n"; a merge of every part of one split is "1/1", of some parts their list ("1/4+3/4"). */
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
  /** Only in a merge whose shards leave gaps: the covered seeds are not one range. */
  readonly contiguous?: false;
}

/** How a campaign ran, besides its results. */
export interface CampaignRun {
  readonly shard: string;
  readonly batcher: string;
  readonly workers: number;
  readonly wallMs: number;
  readonly lifecycleChecked: boolean;
  readonly findings: readonly WrittenFinding[];
  readonly contiguous?: boolean;
}

/** The summary of a campaign's result (explore), or of merged shards (merge). */
export function campaignSummary(campaign: CampaignResult, run: CampaignRun): CampaignSummary {
  return {
    seeds_run: campaign.seedsRun,
    from: campaign.from,
    seeds: campaign.seeds,
    shard: run.shard,
    batcher: run.batcher,
    workers: run.workers,
    wall_ms: Math.round(run.wallMs),
    seeds_per_s: Math.round(campaign.seedsRun / Math.max(run.wallMs / 1000, 1e-3)),
    violating_runs: campaign.violating.length,
    known_triton_runs: campaign.knownTritonRuns,
    ...(campaign.metamorphic ? { metamorphic: campaign.metamorphic } : {}),
    oracles_fired: campaign.oraclesFired,
    faults_enabled: campaign.faultsEnabled,
    faults_fired: campaign.faultsFired,
    faults_never_fired: Object.keys(campaign.faultsEnabled).filter((kind) => !campaign.faultsFired[kind]),
    lifecycle_actions: campaign.lifecycleActions,
    violating: campaign.violating,
    lifecycle_checked: run.lifecycleChecked,
    findings: run.findings,
    ...(run.contiguous === false ? { contiguous: false as const } : {}),
  };
}

/** A summary and the file it came from (for messages). */
export interface SummaryFile {
  readonly file: string;
  readonly summary: CampaignSummary;
}

/**
 * Combines the summaries of disjoint seed ranges (explore --shard k/n, or earlier merges) into one,
 * through the same merge as a campaign's chunks (campaign.ts): the merge of every shard of a
 * --keep-going campaign equals that campaign's summary, apart from workers and timings.
 */
export function mergeSummaries(parts: readonly SummaryFile[]): CampaignSummary {
  if (parts.length === 0) throw new UsageError('name at least one summary file');
  const sorted = [...parts].sort((a, b) => a.summary.from - b.summary.from);
  for (let i = 1; i < sorted.length; i++) {
    const previous = sorted[i - 1]!;
    const end = previous.summary.from + previous.summary.seeds;
    if (sorted[i]!.summary.from < end) {
      throw new InputError(sorted[i]!.file, 'from', `seed range overlaps ${previous.file} (${previous.summary.from}…${end - 1})`);
    }
  }
  const batchers = new Set(parts.map((p) => p.summary.batcher));
  if (batchers.size > 1) throw new UsageError(`the summaries explored different batchers: ${[...batchers].join(', ')}`);
  const summaries = sorted.map((p) => p.summary);
  const first = summaries[0]!;
  const seeds = summaries.reduce((n, s) => n + s.seeds, 0);
  const campaign = merge(first.from, seeds, summaries.map(chunkOf), true);
  const findings = new Map<string, WrittenFinding>();
  for (const finding of summaries.flatMap((s) => s.findings).sort((a, b) => a.seed - b.seed)) {
    if (!findings.has(finding.oracle)) findings.set(finding.oracle, finding);
  }
  const wallMs = Math.max(...summaries.map((s) => s.wall_ms));
  return campaignSummary(campaign, {
    shard: mergedShard(summaries),
    batcher: first.batcher,
    workers: summaries.reduce((n, s) => n + s.workers, 0),
    // Shards run side by side: the campaign took as long as its slowest shard.
    wallMs,
    lifecycleChecked: summaries.some((s) => s.lifecycle_checked === true),
    findings: [...findings.values()],
    contiguous:
      summaries.every((s, i) => i === 0 || s.from === summaries[i - 1]!.from + summaries[i - 1]!.seeds) && summaries.every((s) => s.contiguous !== false),
  });
}

/** A shard's results as a chunk of its campaign. */
function chunkOf(summary: CampaignSummary): ChunkResult {
  return {
    from: summary.from,
    seedsRun: summary.seeds_run,
    violating: summary.violating,
    knownTritonRuns: summary.known_triton_runs,
    oraclesFired: summary.oracles_fired,
    faultsEnabled: summary.faults_enabled,
    faultsFired: summary.faults_fired,
    lifecycleActions: summary.lifecycle_actions ?? {},
    ...(summary.metamorphic ? { metamorphic: summary.metamorphic } : {}),
  };
}

/**
 * "1/1" when the shards (in seed order; an earlier merge's "1/4+2/4" counts as its parts) are every
 * part of one k/n split, once each; else their list ("1/4+3/4").
 */
function mergedShard(summaries: readonly CampaignSummary[]): string {
  const parts = summaries.flatMap((s) => s.shard.split('+'));
  const parsed = parts.map((part) => /^(\d+)\/(\d+)$/.exec(part));
  const n = parsed[0]?.[2];
  const complete = n !== undefined && Number(n) === parts.length && parsed.every((m, i) => m !== null && m[2] === n && Number(m[1]) === i + 1);
  return complete ? '1/1' : parts.join('+');
}

/** Checks a parsed summary file; missing optional fields read as an empty record. */
export function parseSummary(value: unknown, file: string): CampaignSummary {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new InputError(file, '', 'expected a campaign summary object (written by seqsim explore)');
  const json = value as Record<string, unknown>;
  for (const field of ['from', 'seeds', 'seeds_run', 'violating_runs', 'known_triton_runs', 'workers', 'wall_ms', 'seeds_per_s'] as const) {
    if (!(Number.isSafeInteger(json[field]) && (json[field] as number) >= 0))
      throw new InputError(file, field, 'missing or not a non-negative integer (is this a summary written by seqsim explore?)');
  }
  for (const field of ['shard', 'batcher'] as const) if (typeof json[field] !== 'string') throw new InputError(file, field, 'missing or not a string');
  for (const field of ['violating', 'findings'] as const) if (!Array.isArray(json[field])) throw new InputError(file, field, 'missing or not an array');
  for (const field of ['oracles_fired', 'faults_enabled', 'faults_fired', 'lifecycle_actions'] as const) {
    const counts = json[field];
    if (counts === undefined && field !== 'oracles_fired') continue;
    if (
      typeof counts !== 'object' ||
      counts === null ||
      Array.isArray(counts) ||
      !Object.values(counts).every((n) => Number.isSafeInteger(n) && (n as number) >= 0)
    )
      throw new InputError(file, field, 'missing or not an object of counts');
  }
  (json['violating'] as unknown[]).forEach((entry, index) => {
    const v = entry as Record<string, unknown>;
    if (typeof v !== 'object' || v === null || !Number.isSafeInteger(v['seed']) || !Array.isArray(v['oracles']) || !Array.isArray(v['messages']))
      throw new InputError(file, `violating[${index}]`, 'expected { "seed", "oracles", "messages" }');
  });
  (json['findings'] as unknown[]).forEach((entry, index) => {
    const f = entry as Record<string, unknown>;
    if (typeof f !== 'object' || f === null || !Number.isSafeInteger(f['seed']) || typeof f['oracle'] !== 'string')
      throw new InputError(file, `findings[${index}]`, 'expected a finding with "seed" and "oracle"');
  });
  return {
    ...(json as unknown as CampaignSummary),
    faults_enabled: (json['faults_enabled'] as Record<string, number> | undefined) ?? {},
    faults_fired: (json['faults_fired'] as Record<string, number> | undefined) ?? {},
    faults_never_fired: Array.isArray(json['faults_never_fired']) ? (json['faults_never_fired'] as string[]) : [],
  };
}
