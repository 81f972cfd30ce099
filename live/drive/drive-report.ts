import { formatUs } from '../../src/core/time.ts';
import type { DriveReport } from './drive.ts';

/** The report for people (the same facts as --json, shorter). */
export function formatDriveReport(report: DriveReport): string {
  const outcomes = Object.entries(report.clientOutcomes)
    .map(([reason, count]) => `${count} ${reason}`)
    .join(', ');
  const verdict = report.violations.length === 0 ? 'no violation' : `${report.violations.length} violation(s)`;
  const lines = [
    `drive ${report.scenario} (${report.workload}) seed ${report.seed} against model '${report.model}' at ${report.server} (${report.frontEnd}): ` +
      `${report.requests} requests, ${report.outputs} outputs, ${report.errors} errors${outcomes ? `, no answer: ${outcomes}` : ''}, ` +
      `${(report.wallMs / 1000).toFixed(2)} s — ${verdict}`,
    `  latency p50 ${formatUs(report.latencyUs.p50)}, p99 ${formatUs(report.latencyUs.p99)}, max ${formatUs(report.latencyUs.max)}; ` +
      `${report.requestsPerSecond.toFixed(0)} answers/s`,
    'skipped' in report.probe
      ? `  slot-leak probe skipped: ${report.probe.skipped}`
      : `  slot-leak probe: ${report.probe.admitted} of ${report.probe.slots} new sequences got a slot`,
  ];
  const stats = report.statistics;
  if (stats !== null) {
    const sizes = Object.entries(stats.batchExecutions)
      .map(([size, count]) => `${size}×${count}`)
      .join(' ');
    lines.push(`  server statistics for this run: ${stats.executionCount} executions, ${stats.inferenceCount} inferences; batch sizes ${sizes || 'none'}`);
  }
  if (report.unjudged > 0) lines.push(`  ${report.unjudged} answer(s) only checked for their kind: requests of one id overlapped, or too much was unknown`);
  lines.push(`  oracles checked: ${report.checked.map((c) => c.oracle).join(', ')}`);
  lines.push(`  not observable from a client: ${report.notObservable.map((n) => n.oracle).join(', ')} (reasons: --json, docs/drive.md)`);
  for (const note of report.notes) lines.push(`  note: ${note}`);
  for (const violation of report.violations) lines.push(`  ✗ ${violation.oracle}: ${violation.message}`);
  lines.push(`  trace ${report.trace} (hash ${report.hash.slice(0, 16)})`);
  return `${lines.join('\n')}\n`;
}
