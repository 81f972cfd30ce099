import type { LiveResult } from './run-live.ts';
import type { LiveStats } from './stats.ts';
import { MIN_BATCHES_FOR_OVERHEAD, type OverheadReport } from './overhead.ts';
import type { DifferentialReport } from './differential.ts';
import { formatUs } from '../src/core/time.ts';
import { decodeLiveOptions } from '../sim/pipeline/header-options.ts';

/** Everything `seqsim live` reports, as printed with --json. */
export interface LiveReport {
  readonly scenario: string;
  readonly seed: number;
  readonly executionProvider: string;
  readonly requestedProvider: string;
  readonly outcome: string;
  readonly stats: LiveStats;
  readonly overhead: OverheadReport | null;
  readonly differential: DifferentialReport | null;
  readonly violations: readonly { oracle: string; message: string; events: readonly number[] }[];
  readonly notes: readonly string[];
  readonly trace: string | null;
  readonly hash: string;
}

function histogramText(histogram: Readonly<Record<number, number>>): string {
  const entries = Object.entries(histogram).sort((a, b) => Number(a[0]) - Number(b[0]));
  return entries.length === 0 ? 'none' : entries.map(([size, count]) => `${size}×${count}`).join(' ');
}

function perBatchUs(totalMs: number, batches: number): string {
  return `${batches > 0 ? ((totalMs * 1000) / batches).toFixed(1) : '0'} µs`;
}

/** What the live-vs-simulator check compared; says so when every sequence was cut short and nothing was. */
export function differentialText(d: DifferentialReport): string {
  const cut = d.excludedSequences > 0 ? `; ${d.excludedSequences} sequence(s) cut short in either run were left out` : '';
  if (d.compared === 0) return `nothing compared: no request was answered in both runs in a sequence neither run cut short${cut}`;
  return `${d.compared} request outputs compared (${d.sameSlot} in the same slot in both runs), ${d.differing} differ${cut}`;
}

export function formatLiveReport(report: LiveReport): string {
  const s = report.stats;
  const lines = [
    `live ${report.scenario} seed ${report.seed} on ${report.executionProvider} (requested ${report.requestedProvider}): ` +
      `${s.requests} requests, ${s.okResponses + s.errorResponses} responses (${s.errorResponses} errors), ${s.batches} batches, ` +
      `${s.wallMs.toFixed(1)} ms — ${report.violations.length === 0 ? 'no violation' : `${report.violations.length} violation(s)`}`,
    `  throughput ${s.inferencesPerSecond.toFixed(0)} infer/s; latency p50 ${formatUs(s.latencyUs.p50)}, ` +
      `p90 ${formatUs(s.latencyUs.p90)}, p99 ${formatUs(s.latencyUs.p99)}, max ${formatUs(s.latencyUs.max)}`,
    `  batch sizes (real rows × batches): ${histogramText(s.batchSizeHistogram)}; slot utilisation ${(s.slotUtilization * 100).toFixed(1)} %`,
  ];
  const o = report.overhead;
  if (o !== null && o.batches < MIN_BATCHES_FOR_OVERHEAD) {
    lines.push(
      `  batcher overhead: not shown for ${o.batches} batches (one-off costs, the first session.run calls and JIT compilation, dominate so small a run); ` +
        `a load run measures it, e.g. --sequences 200`,
    );
  } else if (o !== null) {
    lines.push(
      `  batcher overhead: ${o.batcherMs.toFixed(2)} ms of batcher work next to ${o.rawRunMs.toFixed(2)} ` +
        `ms of direct session.run calls (tensors built, run, outputs read) on the same ${o.batches} batches ` +
        `(${o.overheadPercent.toFixed(1)} %; ${perBatchUs(o.batcherMs, o.batches)} vs ${perBatchUs(o.rawRunMs, o.batches)} per batch); ` +
        `raw ${o.rawRowsPerSecond.toFixed(0)} rows/s, through the batcher ${o.batcherRowsPerSecond.toFixed(0)} rows/s`,
    );
  }
  const d = report.differential;
  if (d !== null) lines.push(`  live vs simulator: ${differentialText(d)}`);
  for (const note of report.notes) lines.push(`  note: ${note}`);
  for (const violation of report.violations) lines.push(`  ✗ ${violation.oracle}: ${violation.message}`);
  if (report.trace !== null) lines.push(`  trace ${report.trace} (hash ${report.hash.slice(0, 16)})`);
  return `${lines.join('\n')}\n`;
}

export function baseReport(
  name: string,
  seed: number,
  result: LiveResult,
): Pick<LiveReport, 'scenario' | 'seed' | 'executionProvider' | 'requestedProvider' | 'outcome' | 'notes' | 'hash'> {
  return {
    scenario: name,
    seed,
    executionProvider: result.provider,
    requestedProvider: decodeLiveOptions(result.header.options, `${name} (live run)`).requestedProvider,
    outcome: result.outcome,
    notes: result.notes,
    hash: result.hash,
  };
}
