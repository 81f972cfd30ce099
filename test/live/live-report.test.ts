import { describe, expect, it } from 'vitest';
import { differentialText, formatLiveReport, type LiveReport } from '../../live/live-report.ts';
import { MIN_BATCHES_FOR_OVERHEAD, type OverheadReport } from '../../live/overhead.ts';

function overhead(batches: number): OverheadReport {
  return { batches, realRows: batches * 8, rawRunMs: 10, liveRunMs: 11, batcherMs: 4, rawRowsPerSecond: 1000, batcherRowsPerSecond: 700, overheadPercent: 40 };
}

function report(batches: number): LiveReport {
  return {
    scenario: 's',
    seed: 1,
    executionProvider: 'cpu',
    requestedProvider: 'cpu',
    outcome: 'quiescent',
    stats: {
      requests: batches * 8,
      okResponses: batches * 8,
      errorResponses: 0,
      wallMs: 100,
      inferencesPerSecond: 1000,
      latencyUs: { p50: 1, p90: 2, p99: 3, max: 4 },
      batchSizeHistogram: { 8: batches },
      batches,
      slotUtilization: 0.5,
    },
    overhead: overhead(batches),
    differential: null,
    violations: [],
    notes: [],
    trace: null,
    hash: '0'.repeat(64),
  };
}

describe('seqsim live report', () => {
  it('shows the batcher overhead only for runs with enough batches to measure it', () => {
    expect(formatLiveReport(report(MIN_BATCHES_FOR_OVERHEAD))).toContain('(40.0 %;');
    const tiny = formatLiveReport(report(6));
    expect(tiny).toContain('batcher overhead: not shown for 6 batches');
    expect(tiny).not.toContain('40.0 %');
  });

  it('says so when the simulator comparison had nothing to compare, instead of "0 outputs"', () => {
    expect(differentialText({ compared: 0, sameSlot: 0, differing: 0, excludedSequences: 3, violations: [] })).toBe(
      'nothing compared: no request was answered in both runs in a sequence neither run cut short; 3 sequence(s) cut short in either run were left out',
    );
    expect(differentialText({ compared: 12, sameSlot: 12, differing: 0, excludedSequences: 0, violations: [] })).toBe(
      '12 request outputs compared (12 in the same slot in both runs), 0 differ',
    );
  });
});
