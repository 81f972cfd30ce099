import { fileURLToPath } from 'node:url';
import { runChunk, type ChunkResult, type ChunkTask } from './chunk.ts';
import type { MetamorphicStats } from './explore.ts';
import type { ExclusionCounts } from '../compare/compare.ts';

/** Chunks handed to each worker thread at once (see runCampaign). */
const CHUNKS_IN_FLIGHT_PER_WORKER = 2;

/** A campaign is one big chunk task, cut into chunks for the lanes. */
export interface CampaignOptions extends Omit<ChunkTask, 'stopAtFirst'> {
  readonly keepGoing: boolean;
  /** Worker threads; 1 runs in this thread. */
  readonly workers: number;
  /** Seeds per chunk handed to a worker. */
  readonly chunkSeeds?: number;
  /** Called as chunks finish (progress). Return false to stop scheduling more (time budget). */
  readonly onChunk?: (done: ChunkResult, seedsDone: number) => boolean;
}

/** A campaign's result is a chunk result over its whole range, plus its distinct findings. */
export interface CampaignResult extends ChunkResult {
  readonly seeds: number;
  /** The first violating seed of each oracle: the campaign's distinct findings. */
  readonly firstByOracle: Readonly<Record<string, number>>;
}

/** `--shard k/n`: the k-th (1-based) of n contiguous, disjoint parts of [from, from + seeds). */
export function shardRange(from: number, seeds: number, k: number, n: number): { from: number; seeds: number } {
  const start = from + Math.floor(((k - 1) * seeds) / n);
  const end = from + Math.floor((k * seeds) / n);
  return { from: start, seeds: end - start };
}

/**
 * Runs a seed range in chunks over worker threads. Results depend only on the range, never on
 * the worker count: chunks are merged in seed order, and when stopping at the first violation the
 * campaign reports the lowest violating seed (every chunk below it has finished).
 */
export async function runCampaign(options: CampaignOptions): Promise<CampaignResult> {
  const chunkSeeds = options.chunkSeeds ?? Math.max(50, Math.min(2000, Math.ceil(options.seeds / (options.workers * 8))));
  // Tasks cross to worker threads: only plain data (no onChunk callback) goes into them.
  const { keepGoing, workers: _workers, chunkSeeds: _chunkSeeds, onChunk: _onChunk, ...common } = options;
  // Made as they are taken: a campaign of 10 million seeds that stops at its first violation
  // (seqsim bench --zoo runs such) would otherwise build 5,000 tasks before running one seed.
  const end = options.from + options.seeds;
  let nextFrom = options.from;
  const nextTask = (): ChunkTask | undefined => {
    if (nextFrom >= end) return undefined;
    const from = nextFrom;
    nextFrom += chunkSeeds;
    return { ...common, from, seeds: Math.min(chunkSeeds, end - from), stopAtFirst: !keepGoing };
  };
  const results = new Map<number, ChunkResult>();
  let seedsDone = 0;
  let stopScheduling = false;
  /** Lowest seed of a chunk that found a violation (when stopping at the first one). */
  let firstViolatingChunk = Number.POSITIVE_INFINITY;
  const record = (result: ChunkResult): void => {
    results.set(result.from, result);
    seedsDone += result.seedsRun;
    if (result.violating.length > 0 && !options.keepGoing) firstViolatingChunk = Math.min(firstViolatingChunk, result.from);
    if (options.onChunk && !options.onChunk(result, seedsDone)) stopScheduling = true;
  };
  const wanted = (task: ChunkTask): boolean => !stopScheduling && task.from < firstViolatingChunk;

  if (options.workers <= 1) {
    for (let task = nextTask(); task !== undefined && wanted(task); task = nextTask()) record(runChunk(task));
  } else {
    // This thread is one of the lanes: it works while the worker threads start, so W lanes need
    // only W - 1 threads.
    // Two chunks in flight per worker thread: the second waits in the worker's own queue, so the
    // worker never idles while this thread is busy running a chunk and cannot hand it the next.
    // Loaded here, not at the top: a one-lane campaign (and every other command) never needs it.
    const { Tinypool } = await import('tinypool');
    const pool = new Tinypool({
      filename: workerEntry(),
      minThreads: options.workers - 1,
      maxThreads: options.workers - 1,
      concurrentTasksPerWorker: CHUNKS_IN_FLIGHT_PER_WORKER,
    });
    try {
      // Once a task is unwanted, so is every later one (stopping is for good, seeds only grow).
      const take = (): ChunkTask | undefined => {
        const task = nextTask();
        return task !== undefined && wanted(task) ? task : undefined;
      };
      const workerLane = async (): Promise<void> => {
        for (let task = take(); task !== undefined; task = take()) record((await pool.run(task)) as ChunkResult);
      };
      const mainLane = async (): Promise<void> => {
        for (let task = take(); task !== undefined; task = take()) {
          record(runChunk(task));
          // Let finished worker chunks be recorded between this thread's chunks.
          await new Promise<void>((resolve) => setImmediate(resolve));
        }
      };
      await Promise.all([mainLane(), ...Array.from({ length: (options.workers - 1) * CHUNKS_IN_FLIGHT_PER_WORKER }, workerLane)]);
    } finally {
      await pool.destroy();
    }
  }
  return merge(options.from, options.seeds, [...results.values()], options.keepGoing);
}

/**
 * The worker's entry file: the compiled worker.js next to this module when seqsim runs from dist/,
 * or a bootstrap that compiles the TypeScript through tsx when it runs from its sources. In the CLI's
 * bundle (cli/bundle.mjs) this code sits in dist/bundle/cli.cjs, next to worker.js, the entry that
 * loads the bundled worker (worker.cjs) from its code cache, so the same relative path finds it.
 */
function workerEntry(): string {
  const compiled = !import.meta.url.endsWith('.ts');
  return fileURLToPath(new URL(compiled ? './worker.js' : './worker-from-source.mjs', import.meta.url));
}

/** Combines chunk (or shard) results into one campaign result, in seed order. */
export function merge(from: number, seeds: number, parts: readonly ChunkResult[], keepGoing: boolean): CampaignResult {
  const ordered = [...parts].sort((a, b) => a.from - b.from);
  let violating = ordered.flatMap((p) => p.violating).sort((a, b) => a.seed - b.seed);
  if (!keepGoing && violating.length > 0) violating = [violating[0]!];
  const firstByOracle: Record<string, number> = {};
  for (const v of violating) for (const oracle of v.oracles) if (firstByOracle[oracle] === undefined) firstByOracle[oracle] = v.seed;
  const oraclesFired: Record<string, number> = {};
  for (const v of violating) for (const oracle of v.oracles) oraclesFired[oracle] = (oraclesFired[oracle] ?? 0) + 1;
  const sum = (pick: (p: ChunkResult) => Readonly<Record<string, number>>): Record<string, number> => {
    const total: Record<string, number> = {};
    for (const part of ordered) for (const [key, n] of Object.entries(pick(part))) total[key] = (total[key] ?? 0) + n;
    return total;
  };
  const metamorphic = ordered.some((p) => p.metamorphic !== undefined) ? sumMetamorphic(ordered, sum) : undefined;
  return {
    from,
    seeds,
    ...(metamorphic !== undefined ? { metamorphic } : {}),
    faultsEnabled: sum((p) => p.faultsEnabled),
    faultsFired: sum((p) => p.faultsFired),
    lifecycleActions: sum((p) => p.lifecycleActions ?? {}),
    seedsRun: ordered.reduce((n, p) => n + p.seedsRun, 0),
    violating,
    knownTritonRuns: ordered.reduce((n, p) => n + p.knownTritonRuns, 0),
    oraclesFired,
    firstByOracle,
  };
}

/** The metamorphic counts summed over parts, with the per-reason exclusions summed on their own. */
function sumMetamorphic(
  parts: readonly ChunkResult[],
  sum: (pick: (p: ChunkResult) => Readonly<Record<string, number>>) => Record<string, number>,
): MetamorphicStats {
  const { excluded: _nested, ...counts } = sum((p) => {
    const { excluded: _excluded, ...flat } = p.metamorphic ?? {};
    return flat;
  });
  const withReasons = parts.filter((p) => p.metamorphic?.excluded !== undefined);
  const excluded = withReasons.length > 0 ? sum((p) => p.metamorphic?.excluded ?? {}) : undefined;
  return { ...(counts as Record<keyof Omit<MetamorphicStats, 'excluded'>, number>), ...(excluded ? { excluded: excluded as ExclusionCounts } : {}) };
}
