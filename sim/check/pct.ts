import seedrandom from 'seedrandom';
import type { Scenario } from '../../src/scenario/types.ts';
import type { ChoicePoint, Chooser } from '../kernel/event-queue.ts';
import { simulate, type RunResult } from '../simulate.ts';
import { namedCounterexample } from './dfs.ts';

/**
 * Which "thread" a task belongs to, from its label: one per instance batcher and executor, one
 * per client connection, one each for the reaper and the clean-up task.
 */
export function threadOf(label: string): string {
  const [kind = '', second = ''] = label.split(':');
  if (kind === 'batch' || kind === 'complete') return `instance:${second}`;
  if (kind === 'send' || kind === 'arrive' || kind === 'respond' || kind === 'cancel' || kind === 'cancel-arrive' || kind === 'client-timeout') return `client:${second}`;
  return kind;
}

/**
 * PCT (probabilistic concurrency testing, Burckhardt et al. 2010): every thread gets a random
 * priority; at a choice point the highest-priority thread runs; at d-1 random choice points the
 * running thread's priority drops below all others. For a bug of depth d, one run finds it with
 * probability at least 1 / (n · k^(d-1)) for n threads and k choice points.
 */
export class PctChooser implements Chooser {
  private readonly priority = new Map<string, number>();
  private readonly changePoints: Set<number>;
  private point = 0;
  private lowest = 0;
  readonly threads = new Set<string>();
  /** What was picked at each point: a schedule that replays this run. */
  readonly picked: number[] = [];

  constructor(
    private readonly random: () => number,
    depth: number,
    expectedPoints: number,
  ) {
    this.changePoints = new Set(Array.from({ length: Math.max(0, depth - 1) }, () => Math.floor(random() * Math.max(1, expectedPoints))));
  }

  get choicePoints(): number {
    return this.point;
  }

  choose(point: ChoicePoint): number {
    let best = 0;
    let bestPriority = Number.NEGATIVE_INFINITY;
    for (let i = 0; i < point.count; i++) {
      const thread = threadOf(point.label(i));
      this.threads.add(thread);
      let priority = this.priority.get(thread);
      if (priority === undefined) {
        priority = this.random();
        this.priority.set(thread, priority);
      }
      if (priority > bestPriority) {
        bestPriority = priority;
        best = i;
      }
    }
    if (this.changePoints.has(this.point)) this.priority.set(threadOf(point.label(best)), --this.lowest - 1);
    this.point++;
    this.picked.push(best);
    return best;
  }
}

export interface PctResult {
  readonly runs: number;
  readonly threads: number;
  readonly choicePoints: number;
  readonly counterexample: { readonly run: RunResult; readonly pctSeed: number } | undefined;
  /** For bug depth 1, 2, 3: the probability that R runs would have found such a bug. */
  readonly confidence: readonly number[];
}

/** R PCT runs with priorities drawn from `seed`; stops at the first violation. */
export function checkPct(scenario: Scenario, options: { seed: number; batcher: string; runs: number; bugDepth: number; maxEvents?: number }): PctResult {
  let threads = 1;
  let choicePoints = 1;
  for (let r = 0; r < options.runs; r++) {
    const random = seedrandom.alea(`seqsim-pct:${options.seed}:${r}`);
    const chooser = new PctChooser(() => random(), options.bugDepth, choicePoints);
    const run = simulate(scenario, { seed: options.seed, batcher: options.batcher, chooser, ...(options.maxEvents ? { maxEvents: options.maxEvents } : {}) });
    threads = Math.max(threads, chooser.threads.size);
    choicePoints = Math.max(choicePoints, chooser.choicePoints);
    if (run.violations.length > 0) {
      // Re-run with the picks as a named schedule, so the trace header replays this interleaving.
      const replayable = namedCounterexample(scenario, options, chooser.picked).run;
      return { runs: r + 1, threads, choicePoints, counterexample: { run: replayable, pctSeed: r }, confidence: confidence(r + 1, threads, choicePoints) };
    }
  }
  return { runs: options.runs, threads, choicePoints, counterexample: undefined, confidence: confidence(options.runs, threads, choicePoints) };
}

/** 1 − (1 − p)^R with PCT's per-run bound p = 1 / (n · k^(d−1)), for d = 1, 2, 3. */
export function confidence(runs: number, threads: number, points: number): number[] {
  return [1, 2, 3].map((d) => 1 - (1 - 1 / (Math.max(1, threads) * Math.max(1, points) ** (d - 1))) ** runs);
}
