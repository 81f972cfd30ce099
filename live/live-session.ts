import type { Scenario } from '../src/scenario/types.ts';
import { simulate } from '../sim/simulate.ts';
import { runLive, type LiveOptions, type LiveResult } from './run-live.ts';
import { liveStats } from './stats.ts';
import { measureOverhead } from './overhead.ts';
import { compareLiveWithSim } from './differential.ts';
import { baseReport, type LiveReport } from './live-report.ts';

export interface LiveSession {
  readonly result: LiveResult;
  readonly report: LiveReport;
}

/**
 * One `seqsim live` run with everything it reports: the oracles' verdict, perf_analyzer-style
 * figures, the batcher's overhead next to raw session.run on the same batches, and (for the
 * generated model) the differential check against the simulated run of the same scenario.
 */
export async function liveSession(scenario: Scenario, file: string, options: LiveOptions, tracePath: string | null): Promise<LiveSession> {
  const result = await runLive(scenario, file, { ...options, keepFeeds: true });
  const totalSlots = scenario.model.instanceCount * scenario.model.slotsPerInstance;
  const stats = liveStats(result.events, result.wallMs, totalSlots);
  const overhead = result.timings.length > 0 ? await measureOverhead(result.timings, result.batcherMs) : null;
  // The simulated twin runs the same scenario; a user's own model has no simulated counterpart.
  const differential =
    options.userModel === undefined
      ? compareLiveWithSim(result.events, simulate(scenario, { seed: options.seed, batcher: options.batcher ?? 'real', serialize: false }).events)
      : null;
  for (const session of result.sessions) await session.release();
  const violations = [...result.violations, ...(differential?.violations ?? [])];
  const report: LiveReport = {
    ...baseReport(scenario.name, options.seed, result),
    stats,
    overhead,
    differential,
    violations: violations.map((v) => ({ oracle: v.oracle, message: v.message, events: v.events })),
    trace: tracePath,
  };
  return { result, report };
}
