import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { RunResult } from '../../sim/simulate.ts';
import { traceText } from '../../traces/writer.ts';
import { formatUs } from '../core/time.ts';
import { timelineOfTrace } from '../../viz/run-svg.ts';

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
}

export function summarizeRun(name: string, run: RunResult, tracePath: string | null): RunReport {
  let requests = 0;
  let responses = 0;
  let errors = 0;
  let batches = 0;
  for (const event of run.events) {
    if (event.type === 'send') requests++;
    else if (event.type === 'response') {
      responses++;
      if ('error' in event) errors++;
    } else if (event.type === 'execute') batches++;
  }
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
  for (const violation of report.violations) lines.push(`  ✗ ${violation.oracle}: ${violation.message}`);
  if (report.trace !== null) lines.push(`  trace ${report.trace} (hash ${report.hash.slice(0, 16)})`);
  return `${lines.join('\n')}\n`;
}


/** Writes the slot-timeline picture of a run (seqsim viz's SVG) next to its trace. */
export function writeSvg(path: string, run: RunResult): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, timelineOfTrace(run.header, run.events).svg);
}
