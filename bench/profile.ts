import { FULL_CHECK_BENCH, type CheckBenchOptions } from './check-bench.ts';

/**
 * How big each of `seqsim bench`'s figures is. The quick set (the default) gives every figure a
 * first reading in under 20 s on two cores; --full is the set docs/numbers.md quotes (up to an hour).
 */
export interface BenchProfile {
  readonly name: 'quick' | 'full';
  /** Requests per kernel workload (100 and 10,000 concurrent sequences) and per routing workload. */
  readonly requests: number;
  /** Timed runs of each kernel figure (the best counts: single runs of this GC-heavy loop vary). */
  readonly kernelRepeats: number;
  /** The kernel workloads (by concurrent sequences) whose checked run is also timed part by part. */
  readonly kernelSplitCostSequences: readonly number[];
  /** Also drive the kernel workloads with @sinonjs/fake-timers (two more runs of each). */
  readonly kernelFakeTimers: boolean;
  /** Campaigns per zoo bug (0 skips the zoo figures), and how many of the finds are shrunk. */
  readonly zooCampaigns: number;
  readonly zooShrinks: number;
  /** Seeds for swarm vs uniform fault selection (0 skips it). */
  readonly swarmSeeds: number;
  /** Same-instant burst: the cost per task at a quarter of this many sequences and at this many. */
  readonly burstSequences: number;
  readonly check: CheckBenchOptions;
  readonly compareSeeds: number;
  readonly compareRepeats: number;
  readonly routingRepeats: number;
  /** Seeds for the 1- vs 2-worker explore figure (0 skips it). */
  readonly workerSeeds: number;
  /** Campaigns per zoo bug of seqsim explore vs the fast-check peer (0 skips it; `--zoo` runs only that). */
  readonly peerCampaigns: number;
  /** Each side's time cap per campaign (the peer's on hard bugs is what it mostly hits). */
  readonly peerBudgetMs: number;
  /**
   * The same race with both sides in this process (bench/peer-in-process.ts: no start-up, two
   * spawns per campaign saved): campaigns per bug (0 skips it) and each side's cap. It runs only
   * when the whole-command race (peerCampaigns) does not.
   */
  readonly inProcessPeerCampaigns: number;
  readonly inProcessPeerBudgetMs: number;
  /** Fresh processes per start-up figure (seqsim --help, a small run, the peer's command). */
  readonly startupRuns: number;
}

export const QUICK_BENCH: BenchProfile = {
  name: 'quick',
  requests: 20_000,
  kernelRepeats: 1,
  kernelSplitCostSequences: [100],
  kernelFakeTimers: false,
  // The zoo race below times and shrinks every zoo bug already: seeds to the first failure and
  // shrink times are --full's (or --zoo-campaigns N's).
  zooCampaigns: 0,
  zooShrinks: 1,
  swarmSeeds: 0,
  burstSequences: 10_000,
  check: { depth: 4, budget: 30, depthBudgetSchedules: 100 },
  compareSeeds: 100,
  compareRepeats: 1,
  routingRepeats: 1,
  workerSeeds: 600,
  peerCampaigns: 0,
  peerBudgetMs: 3000,
  inProcessPeerCampaigns: 1,
  inProcessPeerBudgetMs: 200,
  startupRuns: 3,
};

/** `bench --zoo`: only seqsim explore vs the fast-check peer on every zoo bug, each side capped at a few seconds. */
export const ZOO_PEER_BENCH = { peerCampaigns: 3, peerBudgetMs: 3000 } as const;

export const FULL_BENCH: BenchProfile = {
  name: 'full',
  requests: 100_000,
  kernelRepeats: 3,
  kernelSplitCostSequences: [100, 10_000],
  kernelFakeTimers: true,
  zooCampaigns: 30,
  zooShrinks: 5,
  swarmSeeds: 5000,
  burstSequences: 100_000,
  check: FULL_CHECK_BENCH,
  compareSeeds: 1000,
  compareRepeats: 5,
  routingRepeats: 3,
  workerSeeds: 40_000,
  peerCampaigns: 10,
  peerBudgetMs: 60_000,
  inProcessPeerCampaigns: 0,
  inProcessPeerBudgetMs: 500,
  startupRuns: 10,
};
