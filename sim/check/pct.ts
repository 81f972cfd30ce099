import seedrandom from 'seedrandom';
import type { Scenario } from '../../src/scenario/types.ts';
import { isDraw, type ChoicePoint, type Chooser } from '../kernel/event-queue.ts';
import { simulate, type RunResult } from '../simulate.ts';
import { namedCounterexample, runOptionsOf, type CheckRunOptions } from './dfs.ts';

/**
 * Which "thread" a task belongs to, from its label: one per instance batcher and executor, one
 * per client connection, one each for the reaper and the clean-up task.
 */
export function threadOf(label: string): string {
  const [kind = '', second = ''] = label.split(':');
  if (kind === 'batch' || kind === 'complete') return `instance:${second}`;
  if (kind === 'send' || kind === 'arrive' || kind === 'respond' || kind === 'cancel' || kind === 'cancel-arrive' || kind === 'client-timeout')
    return `client:${second}`;
  return kind;
}

/**
 * PCT (probabilistic concurrency testing, Burckhardt et al. 2010): every thread gets a random
 * priority; at a choice point the highest-priority thread runs; at d-1 random choice points the
 * running thread's priority drops below all others. For a bug of depth d, one run finds it with
 * probability at least 1 / (n · k^(d-1)) for n threads and k choice points.
 *
 * A draw point (`--choose-draws`) is not a scheduling decision: it picks an option uniformly from
 * PCT's own random source and counts neither as a thread nor toward k, so PCT's bound is about the
 * orderings given the draws; a bug that needs j particular draws is found with that bound times
 * the odds of drawing them (1/2 per fault decision, 1/3 per latency bucket).
 */
export class PctChooser implements Chooser {
  private readonly priority = new Map<string, number>();
  private readonly changePoints: Set<number>;
  private point = 0;
  private draws = 0;
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

  /** Ordering points met (PCT's k); draw points are counted apart. */
  get choicePoints(): number {
    return this.point;
  }

  get drawPoints(): number {
    return this.draws;
  }

  choose(point: ChoicePoint): number {
    if (isDraw(point)) {
      const pick = Math.floor(this.random() * point.count);
      this.draws++;
      this.picked.push(pick);
      return pick;
    }
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
  /** The most ordering points in one run (PCT's k). */
  readonly choicePoints: number;
  /** The most draw points in one run (with `chooseDraws`). */
  readonly drawPoints: number;
  readonly counterexample: { readonly run: RunResult; readonly pctSeed: number } | undefined;
  /** For bug depth 1, 2, 3: the probability that R runs would have found such a bug. */
  readonly confidence: readonly number[];
}

/** R PCT runs with priorities drawn from `seed`; stops at the first violation. */
export function checkPct(scenario: Scenario, options: { seed: number; batcher: string; runs: number; bugDepth: number } & CheckRunOptions): PctResult {
  let threads = 1;
  let choicePoints = 1;
  let drawPoints = 0;
  for (let r = 0; r < options.runs; r++) {
    const random = seedrandom.alea(`seqsim-pct:${options.seed}:${r}`);
    const chooser = new PctChooser(() => random(), options.bugDepth, choicePoints);
    const run = simulate(scenario, { seed: options.seed, batcher: options.batcher, chooser, ...runOptionsOf(options) });
    threads = Math.max(threads, chooser.threads.size);
    choicePoints = Math.max(choicePoints, chooser.choicePoints);
    drawPoints = Math.max(drawPoints, chooser.drawPoints);
    if (run.violations.length > 0) {
      // Re-run with the picks as a named schedule, so the trace header replays this interleaving.
      const replayable = namedCounterexample(scenario, options, chooser.picked).run;
      return {
        runs: r + 1,
        threads,
        choicePoints,
        drawPoints,
        counterexample: { run: replayable, pctSeed: r },
        confidence: confidence(r + 1, threads, choicePoints),
      };
    }
  }
  return { runs: options.runs, threads, choicePoints, drawPoints, counterexample: undefined, confidence: confidence(options.runs, threads, choicePoints) };
}

/** 1 − (1 − p)^R with PCT's per-run bound p = 1 / (n · k^(d−1)), for d = 1, 2, 3. */
export function confidence(runs: number, threads: number, points: number): number[] {
  return [1, 2, 3].map((d) => 1 - (1 - 1 / (Math.max(1, threads) * Math.max(1, points) ** (d - 1))) ** runs);
}
