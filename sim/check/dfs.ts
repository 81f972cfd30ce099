import type { Scenario } from '../../src/scenario/types.ts';
import { assert } from '../../src/core/assert.ts';
import { isDraw, type ChoicePoint, type Chooser } from '../kernel/event-queue.ts';
import { simulate, type RunResult, type WorldProbe } from '../simulate.ts';
import { namedSchedule } from './scripted-chooser.ts';
import { drawsFree, independent } from './independence.ts';
import { stateDigest, TraceCanon } from './state-digest.ts';
import { StateTable } from './state-table.ts';

export interface CheckOptions {
  readonly seed: number;
  readonly batcher: string;
  /**
   * Branch only at the first `depth` choice points of a run; later ones take the least label (an
   * ordering) or option 0 (a draw: skip the fault, the range's min).
   */
  readonly depth: number;
  /** Bound on schedules (complete runs) explored. */
  readonly maxSchedules: number;
  /** Bound on states expanded (`check --max-states`); unbounded when absent. */
  readonly maxStates?: number;
  readonly maxEvents?: number;
  /** State hashing and sleep sets (default true); false explores every ordering within `depth`. */
  readonly reduction?: boolean;
  /** Fault decisions and latency buckets are choice points too (`check --choose-draws`). */
  readonly chooseDraws?: boolean;
}

export interface CheckResult {
  /** Complete runs. */
  readonly schedules: number;
  /** Choice points met over all runs (each a state where the search could branch). */
  readonly choicePoints: number;
  /** Of those, the draws (fault decisions, latency buckets; only with `chooseDraws`). */
  readonly drawPoints: number;
  readonly deepestRun: number;
  /** True when every schedule within the depth bound was run or shown redundant. */
  readonly exhausted: boolean;
  /**
   * States expanded: choice points within the depth bound the search branched from. Without
   * reduction a state is expanded again each time a new path reaches it.
   */
  readonly statesExplored: number;
  /** Distinct state digests met at ordering points within the depth bound (draw points are not hashed). */
  readonly distinctStates: number;
  /** Runs cut at a state already explored as deeply, with no more of its options asleep. */
  readonly statePrunes: number;
  /** Options not taken because they were asleep (an equivalent ordering was explored). */
  readonly sleepPrunes: number;
  /** The deepest choice point the search branched at (at most `depth`). */
  readonly depthReached: number;
  /** Some run had more choice points than `depth`: orderings past the bound were not tried. */
  readonly depthBoundHit: boolean;
  /** Which budget stopped an unfinished search (undefined: it finished or found a counterexample). */
  readonly budgetSpent: 'schedules' | 'states' | undefined;
  /** The first schedule whose run violated an oracle, with that run. */
  readonly counterexample: { readonly schedule: readonly string[]; readonly run: RunResult } | undefined;
}

/** One choice point on the current search path. */
interface Node {
  readonly options: readonly string[];
  readonly labelsUnique: boolean;
  /** Undefined at a draw point: it falls inside a running task, whose locals no digest sees. */
  readonly digest: string | undefined;
  /** Options asleep on entry: orderings starting with them are covered elsewhere. */
  readonly sleep: ReadonlySet<string>;
  readonly remaining: number;
  pick: number;
  /** Options whose subtrees are finished; asleep in the subtrees of later siblings. */
  readonly done: string[];
}

/** Thrown by the chooser to stop a run whose remaining orderings are all covered elsewhere. */
class RunCovered extends Error {
  constructor(readonly reason: 'state' | 'sleep') {
    super(`run covered (${reason})`);
  }
}

/**
 * Beyond the depth bound the least label runs: a choice independent of how tasks were queued. A
 * draw takes option 0 (the fault is skipped, a range gives its min), whatever its labels sort as.
 */
export function defaultOption(point: ChoicePoint): number {
  if (isDraw(point)) return 0;
  let best = 0;
  for (let i = 1; i < point.count; i++) if (point.label(i) < point.label(best)) best = i;
  return best;
}

/**
 * Stateless bounded depth-first search over same-instant orderings (like loom or Coyote): the
 * scenario is re-run from the start along each path, the seed fixing everything else (latencies,
 * faults) — or, with `chooseDraws`, fault decisions and latency buckets are choice points too.
 * Within `depth` choice points every option is tried, except (with `reduction`) options asleep in
 * a sleep set (Godefroid) and states already explored at least as deeply with no more options
 * asleep (state hashing). The search stops at the first violation or when the schedule budget is
 * spent, and says which.
 */
export function checkExhaustive(scenario: Scenario, options: CheckOptions): CheckResult {
  const search = new Search(scenario, options);
  return search.run();
}

class Search {
  private readonly stack: Node[] = [];
  private readonly table = new StateTable();
  private readonly seenStates = new Set<string>();
  private readonly reduction: boolean;
  private readonly commuting: boolean;
  private schedules = 0;
  private choicePoints = 0;
  private drawPoints = 0;
  private deepestRun = 0;
  private statePrunes = 0;
  private sleepPrunes = 0;
  private depthReached = 0;
  private statesExplored = 0;

  constructor(
    private readonly scenario: Scenario,
    private readonly options: CheckOptions,
  ) {
    this.reduction = options.reduction ?? true;
    this.commuting = this.reduction && drawsFree(scenario);
  }

  run(): CheckResult {
    for (;;) {
      if (this.schedules >= this.options.maxSchedules) return this.result(false, undefined, 'schedules');
      if (this.statesExplored >= (this.options.maxStates ?? Number.POSITIVE_INFINITY)) return this.result(false, undefined, 'states');
      const outcome = this.runPath();
      if (outcome !== undefined) return this.result(false, namedCounterexample(this.scenario, this.options, outcome));
      if (!this.backtrack()) return this.result(true, undefined);
    }
  }

  /** Runs the current path to the end (or until covered); returns the picks of a violating run. */
  private runPath(): number[] | undefined {
    const picked: number[] = [];
    let draws = 0;
    let probe: WorldProbe | undefined;
    let trace: TraceCanon | undefined;
    let carried = new Set<string>();
    const chooser: Chooser = {
      choose: (point) => {
        const index = picked.length;
        if (isDraw(point)) draws++;
        let pick: number;
        if (index < this.stack.length) pick = this.stack[index]!.pick;
        else if (index >= this.options.depth) pick = defaultOption(point);
        else pick = this.enter(point, probe, trace, carried);
        // The picked task's siblings explored before it sleep in its subtree (the observer then
        // wakes those it does not commute with, the picked task included).
        if (this.commuting && index < this.stack.length) {
          const node = this.stack[index]!;
          carried = node.labelsUnique ? new Set([...node.sleep, ...node.done]) : new Set();
        }
        picked.push(pick);
        return pick;
      },
    };
    const inspect = (p: WorldProbe): void => {
      probe = p;
      trace = new TraceCanon(p.events);
      // Every task that runs wakes the sleeping tasks it does not commute with.
      if (this.commuting)
        p.loop.observeTasks((label) => {
          for (const asleep of carried) if (!independent(asleep, label, true)) carried.delete(asleep);
        });
    };
    let run: RunResult;
    try {
      run = simulate(this.scenario, {
        seed: this.options.seed,
        batcher: this.options.batcher,
        chooser,
        inspect,
        serialize: false,
        ...runOptionsOf(this.options),
      });
    } catch (error) {
      if (error instanceof RunCovered) return undefined;
      throw error;
    }
    this.schedules++;
    this.choicePoints += picked.length;
    this.drawPoints += draws;
    this.deepestRun = Math.max(this.deepestRun, picked.length);
    return run.violations.length > 0 ? picked : undefined;
  }

  /** A new choice point within the depth bound: hash it, prune it, or push it and take its first awake option. */
  private enter(point: ChoicePoint, probe: WorldProbe | undefined, trace: TraceCanon | undefined, carried: ReadonlySet<string>): number {
    const index = this.stack.length;
    const labels = Array.from({ length: point.count }, (_, i) => point.label(i));
    this.depthReached = Math.max(this.depthReached, index + 1);
    if (isDraw(point)) return this.enterDraw(labels);
    assert(probe !== undefined && trace !== undefined, 'an ordering point comes after the world is built');
    const digest = stateDigest(probe, trace);
    this.seenStates.add(digest);
    // Sleep sets name tasks by label: a point offering one label twice takes no part in them.
    const labelsUnique = new Set(labels).size === labels.length;
    const sleep = new Set(labelsUnique ? labels.filter((label) => carried.has(label)) : []);
    const remaining = this.options.depth - index;
    if (this.reduction && this.table.covers(digest, remaining, sleep)) {
      this.statePrunes++;
      throw new RunCovered('state');
    }
    const first = labels.findIndex((label) => !sleep.has(label));
    this.sleepPrunes += sleep.size;
    if (first < 0) throw new RunCovered('sleep');
    this.statesExplored++;
    this.stack.push({ options: labels, labelsUnique, digest, sleep, remaining, pick: first, done: [] });
    return first;
  }

  /**
   * A draw point is expanded whole: no digest (it falls inside a running task, whose locals —
   * a burst's joiners so far, a delay already drawn — no digest sees) and no sleep set (draws
   * exist only where nothing commutes, `drawsFree`, so no option of it is ever asleep).
   */
  private enterDraw(labels: readonly string[]): number {
    assert(!this.commuting, 'draw points exist only in worlds where no tasks commute');
    this.statesExplored++;
    this.stack.push({
      options: labels,
      labelsUnique: false,
      digest: undefined,
      sleep: new Set(),
      remaining: this.options.depth - this.stack.length,
      pick: 0,
      done: [],
    });
    return 0;
  }

  /** Moves to the next untried awake option of the deepest node that has one; false when none is left. */
  private backtrack(): boolean {
    while (this.stack.length > 0) {
      const node = this.stack[this.stack.length - 1]!;
      node.done.push(node.options[node.pick]!);
      let next = node.pick + 1;
      while (next < node.options.length && node.sleep.has(node.options[next]!)) next++;
      if (next < node.options.length) {
        node.pick = next;
        return true;
      }
      // Every awake option of this state was explored to `remaining` choice points.
      if (node.digest !== undefined) this.table.add(node.digest, node.remaining, node.sleep);
      this.stack.pop();
    }
    return false;
  }

  private result(exhausted: boolean, counterexample: CheckResult['counterexample'], budgetSpent?: CheckResult['budgetSpent']): CheckResult {
    assert(this.depthReached <= this.options.depth, 'the search branches only within its depth bound');
    return {
      schedules: this.schedules,
      choicePoints: this.choicePoints,
      drawPoints: this.drawPoints,
      deepestRun: this.deepestRun,
      exhausted,
      statesExplored: this.statesExplored,
      distinctStates: this.seenStates.size,
      statePrunes: this.statePrunes,
      sleepPrunes: this.sleepPrunes,
      depthReached: this.depthReached,
      depthBoundHit: this.deepestRun > this.options.depth,
      budgetSpent,
      counterexample,
    };
  }
}

/** What a checker's run takes from its options besides the chooser: the event budget, chosen draws. */
export interface CheckRunOptions {
  readonly maxEvents?: number;
  readonly chooseDraws?: boolean;
}

export function runOptionsOf(options: CheckRunOptions): CheckRunOptions {
  return { ...(options.maxEvents ? { maxEvents: options.maxEvents } : {}), ...(options.chooseDraws === true ? { chooseDraws: true } : {}) };
}

/**
 * Re-runs a failing schedule to name its decisions by label (a task: "reaper", "arrive:7:2"; a
 * chosen draw: "fault:request_drop:7:2=fire", "latency:up:7:2=max"), and
 * returns the run of that named schedule: its trace header carries labels, not indices, so the
 * reproducer keeps its meaning after a refactor.
 */
export function namedCounterexample(
  scenario: Scenario,
  options: { seed: number; batcher: string } & CheckRunOptions,
  picked: readonly number[],
): { readonly schedule: readonly string[]; readonly run: RunResult } {
  const common = { seed: options.seed, batcher: options.batcher, ...runOptionsOf(options) };
  const labelled = simulate(scenario, { ...common, schedule: picked, recordChoices: picked.length });
  const schedule = namedSchedule(picked, (point, option) => labelled.choices[point]!.options[option]!);
  return { schedule, run: simulate(scenario, { ...common, schedule }) };
}
