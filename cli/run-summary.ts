import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { RunResult, StreamedRunResult } from '../sim/simulate.ts';
import { countEvents } from '../traces/trace-stream.ts';
import { traceText } from '../traces/writer.ts';
import { formatUs } from '../src/core/time.ts';

/** The machine-readable result of one run (`--json`). */
export interface RunReport {
  readonly scenario: string;
  readonly seed: number;
  readonly outcome: string;
  readonly requests: number;
  readonly responses: number;
  readonly errors: number;
  readonly batches: number;
  /** When the last response reached its client. */
  readonly simulatedUs: number;
  /** When the run went quiescent (the reaper's last check may come well after the workload). */
  readonly endUs: number;
  readonly violations: readonly { oracle: string; message: string; events: readonly number[] }[];
  readonly hash: string;
  readonly trace: string | null;
  /** Scenarios that switch models: what the switch cost (see sim/oracles/lifecycle.ts). */
  readonly lifecycle?: {
    readonly generations: number;
    readonly interrupted: number;
    readonly interruptedSequences: readonly string[];
    readonly heldStarts: number;
    readonly holdUs: { readonly p50: number; readonly p99: number; readonly max: number };
    readonly drainTimeouts: number;
  };
}

/** A run as its report needs it: simulate's result (counted from its events), or a streamed run with its counts. */
export type ReportedRun = RunResult | StreamedRunResult;

export function summarizeRun(name: string, run: ReportedRun, tracePath: string | null): RunReport {
  const { requests, responses, errors, batches } = 'counts' in run ? run.counts : countEvents(run.events);
  return {
    scenario: name,
    seed: run.seed,
    outcome: run.outcome,
    requests,
    responses,
    errors,
    batches,
    simulatedUs: run.lastResponseUs,
    endUs: run.endUs,
    violations: run.violations.map((v) => ({ oracle: v.oracle, message: v.message, events: v.events })),
    hash: run.hash,
    trace: tracePath,
    ...(run.lifecycle !== undefined
      ? {
          lifecycle: {
            generations: run.lifecycle.generations,
            interrupted: run.lifecycle.interrupted.length,
            interruptedSequences: run.lifecycle.interrupted.map((entry) => `${entry.sequence}@g${entry.generation}`),
            heldStarts: run.lifecycle.heldStarts,
            holdUs: run.lifecycle.holdUs,
            drainTimeouts: run.lifecycle.drainTimeouts,
          },
        }
      : {}),
  };
}

export function writeTrace(path: string, run: RunResult): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, traceText(run));
}

export function formatRunReport(report: RunReport): string {
  const lines = [
    `${report.scenario} seed ${report.seed}: ${report.requests} requests, ${report.responses} responses ` +
      `(${report.errors} errors), ${report.batches} batches, ${formatUs(report.simulatedUs)} simulated — ` +
      (report.violations.length === 0 ? 'no violation' : `${report.violations.length} violation(s)`),
  ];
  const lifecycle = report.lifecycle;
  if (lifecycle !== undefined) {
    const hold =
      lifecycle.heldStarts > 0
        ? ` (hold p50 ${formatUs(lifecycle.holdUs.p50)}, p99 ${formatUs(lifecycle.holdUs.p99)}, max ${formatUs(lifecycle.holdUs.max)})`
        : '';
    lines.push(
      `  lifecycle: ${lifecycle.generations} generation(s), ${lifecycle.interrupted} interrupted sequence(s)` +
        (lifecycle.interrupted > 0 ? ` [${lifecycle.interruptedSequences.slice(0, 10).join(', ')}${lifecycle.interrupted > 10 ? ', …' : ''}]` : '') +
        `, ${lifecycle.heldStarts} held START(s)${hold}` +
        (lifecycle.drainTimeouts > 0 ? `, ${lifecycle.drainTimeouts} drain timeout(s)` : ''),
    );
  }
  for (const violation of report.violations) lines.push(`  ✗ ${violation.oracle}: ${violation.message}`);
  if (report.trace !== null) lines.push(`  trace ${report.trace} (hash ${report.hash.slice(0, 16)})`);
  return `${lines.join('\n')}\n`;
}

/** Writes the slot-timeline picture of a run (seqsim viz's SVG) next to its trace. */
export async function writeSvg(path: string, run: RunResult): Promise<void> {
  // Loaded on demand: runs that draw nothing start without the renderer.
  const { timelineOfTrace } = await import('../viz/run-svg.ts');
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, timelineOfTrace(run.header, run.events).svg);
}
