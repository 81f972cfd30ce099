// A campaign summary's text form (the summary itself: sim/explore/summary.ts).
import type { CampaignSummary, WrittenFinding } from '../../sim/explore/summary.ts';

/** explore's report: what ran, then what it found. */
export function formatSummary(summary: CampaignSummary, findings: readonly WrittenFinding[]): string {
  const ran =
    `explored ${summary.seeds_run} seeds (${summary.from}…${summary.from + summary.seeds - 1}, shard ${summary.shard}) with the ` +
    `${summary.batcher} batcher on ${summary.workers} worker(s) in ${(summary.wall_ms / 1000).toFixed(1)} s (${summary.seeds_per_s} seeds/s)`;
  return formatFindings(ran, summary, findings);
}

/** merge's report: which shards, then what they found together. */
export function formatMerged(summary: CampaignSummary, shards: number): string {
  const range = `seeds ${summary.from}…${summary.from + summary.seeds - 1}${summary.contiguous === false ? ` (with gaps: ${summary.seeds} covered)` : ''}`;
  // "1/1": together the shards are the whole campaign; otherwise name the parts they are.
  const parts = summary.shard === '1/1' ? 'the whole campaign' : `parts ${summary.shard}`;
  const ran = `merged ${shards} shard(s) (${parts}): ${range}, ${summary.seeds_run} run with the ${summary.batcher} batcher`;
  return formatFindings(ran, summary, summary.findings);
}

function formatFindings(ran: string, summary: CampaignSummary, findings: readonly WrittenFinding[]): string {
  const lines = [
    `${ran}: ${summary.violating_runs} violating run(s), ${findings.length} distinct oracle(s)` +
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
            `${summary.metamorphic.sequences_excluded} excluded (timing-dependent${exclusionReasons(summary.metamorphic.excluded)}), ` +
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

/** ": idle-timeout 3, id-conflict 1" — the reasons that excluded something, in compare's order. */
function exclusionReasons(excluded: Readonly<Record<string, number>> | undefined): string {
  const reasons = Object.entries(excluded ?? {}).filter(([, n]) => n > 0);
  return reasons.length > 0 ? `: ${reasons.map(([reason, n]) => `${reason} ${n}`).join(', ')}` : '';
}
