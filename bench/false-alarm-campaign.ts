import { wallClockMs } from '../live/wall-clock.ts';
import { runCampaign } from '../sim/explore/campaign.ts';
import type { ViolatingSeed } from '../sim/explore/chunk.ts';
import type { MetamorphicStats } from '../sim/explore/explore.ts';

/** The three ways explore generates and judges worlds; the real batcher must pass all of them. */
export const FALSE_ALARM_MODES = ['plain', 'lifecycle', 'metamorphic'] as const;
export type FalseAlarmMode = (typeof FALSE_ALARM_MODES)[number];

/** Generated worlds settle long before this; one that has not is stuck (as explore --generate). */
const GENERATED_MAX_EVENTS = 200_000;

/** Small chunks: the budget is checked as chunks finish, so a mode overruns it by about one chunk a lane. */
const CHUNK_SEEDS = 200;

export interface FalseAlarmOptions {
  readonly modes: readonly FalseAlarmMode[];
  /** First seed of every mode's range. */
  readonly from: number;
  /** Seeds per mode at most. */
  readonly seeds: number;
  /** Wall time per mode: a mode stops scheduling seeds once it is spent (Infinity: run every seed). */
  readonly budgetMs: number;
  readonly workers: number;
  /** Called when a mode is done (progress for long campaigns). */
  readonly onMode?: (report: FalseAlarmModeReport) => void;
}

export interface FalseAlarmModeReport {
  readonly mode: FalseAlarmMode;
  readonly from: number;
  readonly seedsRun: number;
  readonly wallMs: number;
  /** Runs with a violation beyond documented Triton behaviour: each one a false alarm or a batcher bug. */
  readonly violatingRuns: number;
  /** The first of them (seed, oracles, messages), to reproduce. */
  readonly violating: readonly ViolatingSeed[];
  /** Runs whose only violations are documented Triton behaviour (docs/known-triton-behaviour.md). */
  readonly knownTritonRuns: number;
  /** metamorphic: seeds compared, sequences compared and excluded (by reason), invalid variants. */
  readonly metamorphic?: MetamorphicStats;
}

/** Violating seeds listed per mode: enough to start on, bounded however many there are. */
const LISTED = 10;

/**
 * A false-alarm campaign: explore --generate with the real batcher in each mode, over the same seed
 * range, each mode within its time budget. Every violating run is a false alarm of an oracle or the
 * known-behaviour classifier, or a real batcher bug; the goal is none.
 */
export async function runFalseAlarmCampaign(options: FalseAlarmOptions): Promise<FalseAlarmModeReport[]> {
  const reports: FalseAlarmModeReport[] = [];
  for (const mode of options.modes) {
    const started = wallClockMs();
    const campaign = await runCampaign({
      from: options.from,
      seeds: options.seeds,
      batcher: 'real',
      maxEvents: GENERATED_MAX_EVENTS,
      keepGoing: true,
      ...(mode === 'lifecycle' ? { lifecycle: true } : {}),
      ...(mode === 'metamorphic' ? { metamorphic: true } : {}),
      workers: options.workers,
      chunkSeeds: CHUNK_SEEDS,
      onChunk: () => wallClockMs() - started < options.budgetMs,
    });
    const report: FalseAlarmModeReport = {
      mode,
      from: options.from,
      seedsRun: campaign.seedsRun,
      wallMs: Math.round(wallClockMs() - started),
      violatingRuns: campaign.violating.length,
      violating: campaign.violating.slice(0, LISTED),
      knownTritonRuns: campaign.knownTritonRuns,
      ...(campaign.metamorphic ? { metamorphic: campaign.metamorphic } : {}),
    };
    options.onMode?.(report);
    reports.push(report);
  }
  return reports;
}

/** One paragraph per mode: what ran, what it found, what was known or left out of the comparison. */
export function formatFalseAlarmReport(report: FalseAlarmModeReport): string {
  const rate = Math.round(report.seedsRun / Math.max(report.wallMs / 1000, 1e-3));
  const lines = [
    `${report.mode}: ${report.seedsRun} seeds (${report.from}…${report.from + report.seedsRun - 1}) in ${(report.wallMs / 1000).toFixed(1)} s ` +
      `(${rate} seeds/s): ${report.violatingRuns} violating run(s), ${report.knownTritonRuns} known Triton behaviour`,
  ];
  const meta = report.metamorphic;
  if (meta !== undefined) {
    const reasons = Object.entries(meta.excluded ?? {})
      .filter(([, n]) => n > 0)
      .map(([reason, n]) => `${reason} ${n}`);
    lines.push(
      `  compared: ${meta.seeds_compared} seed(s), ${meta.sequences_compared} sequence(s); excluded ${meta.sequences_excluded}` +
        `${reasons.length > 0 ? ` (${reasons.join(', ')})` : ''}; ${meta.variants_invalid} variant(s) invalid`,
    );
  }
  for (const v of report.violating) lines.push(`  ✗ seed ${v.seed}: ${v.oracles.map((oracle, i) => `${oracle}: ${v.messages[i]}`).join('; ')}`);
  if (report.violatingRuns > report.violating.length) lines.push(`  … ${report.violatingRuns - report.violating.length} more`);
  return `${lines.join('\n')}\n`;
}
