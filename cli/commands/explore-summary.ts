// What an explore campaign reports: the summary object (JSON) and its text form.
import type { MetamorphicStats } from '../../sim/explore/explore.ts';
import type { ViolatingSeed } from '../../sim/explore/chunk.ts';
import type { WrittenFinding } from './explore-findings.ts';

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

export function formatSummary(summary: ExploreSummary, findings: readonly WrittenFinding[]): string {
  const lines = [
    `explored ${summary.seeds_run} seeds (${summary.from}…${summary.from + summary.seeds - 1}, shard ${summary.shard}) with the ` +
      `${summary.batcher} batcher on ${summary.workers} worker(s) in ${(summary.wall_ms / 1000).toFixed(1)} s (${summary.seeds_per_s} seeds/s): ` +
      `${summary.violating_runs} violating run(s), ${findings.length} distinct oracle(s)` +
      (summary.known_triton_runs > 0
        ? `, ${summary.known_triton_runs} run(s) showing known Triton behaviour (the cancel-release leak, or a backlog an update starved)`
        : ''),
    ...(Object.keys(summary.faults_enabled).length > 0
      ? [
          `  faults: ${Object.entries(summary.faults_enabled)
            .map(([kind, runs]) => `${kind} enabled in ${runs} run(s), fired ${summary.faults_fired[kind] ?? 0}×`)
            .join('; ')}`,
          ...(summary.faults_never_fired.length > 0 ? [`  ⚠ enabled but never fired: ${summary.faults_never_fired.join(', ')}`] : []),
        ]
      : []),
    ...(summary.lifecycle_actions !== undefined && Object.keys(summary.lifecycle_actions).length > 0
      ? [
          `  lifecycle: ${Object.entries(summary.lifecycle_actions)
            .sort((a, b) => a[0].localeCompare(b[0]))
            .map(([action, n]) => `${action} ${n}`)
            .join(', ')}`,
        ]
      : []),
    `  oracles checked: affinity, order, control-signals, slot-accounting, response, outputs, batch-shape, liveness, ` +
      `reaper-timing${summary.lifecycle_checked ? ', lifecycle' : ''}${summary.metamorphic ? ', cross-config' : ''} (+ batcher invariants)`,
    ...(summary.metamorphic
      ? [
          `  metamorphic: ${summary.metamorphic.seeds_compared} seed(s) compared under a ` +
            `drawn variant, ${summary.metamorphic.sequences_compared} sequence(s) compared, ` +
            `${summary.metamorphic.sequences_excluded} excluded (timing-dependent), ` +
            `${summary.metamorphic.variants_invalid} variant(s) invalid for their scenario`,
        ]
      : []),
  ];
  for (const finding of findings) {
    lines.push(`  ✗ ${finding.oracle} at seed ${finding.seed}: ${finding.message}`);
    if (finding.shrunk) {
      const s = finding.shrunk;
      lines.push(
        `    shrunk ${s.before_sequences} sequences / ${s.before_requests} requests ` +
          `/ ${s.before_faults} faults / ${s.before_choices} non-default orderings → ` +
          `${s.sequences} / ${s.requests} / ${s.faults} / ${s.choices}: ${finding.reproducer}`,
      );
    }
    if (finding.traces !== undefined) lines.push(`    traces: ${finding.traces.join(', ')}`);
    lines.push(`    reproduce: ${finding.replay}`);
  }
  return `${lines.join('\n')}\n`;
}
