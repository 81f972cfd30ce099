import { readTraceFile } from '../../traces/read.ts';
import type { Scenario } from '../../src/scenario/types.ts';
import { simulate } from '../../sim/simulate.ts';
import type { DriveReport } from './drive.ts';
import { compareWithSim, type SimDifferential } from './sim-differential.ts';
import { testHookEnvironment } from './test-hooks.ts';

export { testHookEnvironment } from './test-hooks.ts';

/** `seqsim drive --compare-sim`'s result: the differential and what it ran on. */
export interface DriveDifferential extends SimDifferential {
  readonly scenario: string;
  readonly frontEnd: string;
  readonly strategy: string;
  /** The scenario's test hooks as the server's environment must hold them (empty: none). */
  readonly serverEnvironment: Readonly<Record<string, string>>;
  readonly marginUs: number;
}

/** Simulates the driven scenario with the same seed and compares it with the drive run's client-side trace. */
export function driveDifferential(scenario: Scenario, report: DriveReport, marginUs: number): DriveDifferential {
  const real = readTraceFile(report.trace).events;
  const simulated = simulate(scenario, { seed: report.seed, serialize: false }).events;
  const stats = report.statistics;
  const differential = compareWithSim({
    scenario,
    real,
    simulated,
    realStatistics: stats === null ? null : { inferenceCount: stats.inferenceCount, batchExecutions: stats.batchExecutions },
    marginUs,
  });
  return {
    scenario: scenario.name,
    frontEnd: report.frontEnd,
    strategy: scenario.model.strategy.kind,
    serverEnvironment: testHookEnvironment(scenario),
    marginUs,
    ...differential,
  };
}

/** Nothing was comparable: no sequence, and no batch sizes. */
export function nothingCompared(differential: SimDifferential): boolean {
  return differential.compared === 0 && !differential.batches.compared;
}

function counts(record: Readonly<Record<string, number>> | null): string {
  if (record === null) return 'none';
  const entries = Object.entries(record).sort(([a], [b]) => Number(a) - Number(b));
  return entries.length === 0 ? 'none' : entries.map(([size, count]) => `${size}×${count}`).join(' ');
}

/** The differential for people. */
export function formatDifferential(d: DriveDifferential): string {
  const excluded = Object.entries(d.excluded)
    .map(([reason, count]) => `${reason} ${count}`)
    .join(', ');
  const lines = [
    `compare-sim ${d.scenario} (${d.strategy}, ${d.frontEnd}): ${d.sequences} sequences, ${d.compared} compared, ${d.equal} equal` +
      `${excluded ? `, excluded: ${excluded}` : ''}, ${d.differences.length} difference(s)`,
  ];
  const b = d.batches;
  const executed = `requests executed real ${b.realInferences ?? '?'}, simulated ${b.simulatedInferences}`;
  const batchLine = `batch sizes real ${counts(b.real)}, simulated ${counts(b.simulated)}; ${executed}`;
  lines.push(b.compared ? `  ${b.equal ? '=' : '✗'} ${batchLine}` : `  (not compared: ${b.why}) ${batchLine}`);
  const env = Object.entries(d.serverEnvironment);
  if (env.length > 0) lines.push(`  test hooks: the server must run with ${env.map(([k, v]) => `${k}=${v}`).join(' ')}`);
  for (const difference of d.differences.slice(0, 20))
    lines.push(`  ✗ ${difference.sequence} step ${difference.step}: real ${difference.real}; simulated ${difference.simulated}`);
  if (d.differences.length > 20) lines.push(`  … ${d.differences.length - 20} more (--json)`);
  return `${lines.join('\n')}\n`;
}
