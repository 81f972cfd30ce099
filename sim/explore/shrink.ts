import { InputError } from '../../src/core/input-errors.ts';
import { parseScenario } from '../../src/scenario/load.ts';
import { simulate, type RunResult } from '../simulate.ts';
import { assert } from '../../src/core/assert.ts';

export interface ShrinkOptions {
  readonly seed: number;
  readonly batcher: string;
  /** The oracle that must keep failing. */
  readonly oracle: string;
  readonly maxEvents?: number;
  /** Bound on candidate runs. */
  readonly maxAttempts?: number;
}

export interface ShrinkResult {
  readonly scenarioJson: Record<string, unknown>;
  readonly run: RunResult;
  readonly attempts: number;
  readonly before: ScenarioSize;
  readonly after: ScenarioSize;
}

export interface ScenarioSize {
  readonly sequences: number;
  readonly requests: number;
  readonly instances: number;
  /** Fault kinds with a rate above 0, plus scheduled faults. */
  readonly faults: number;
  /** Same-instant decisions that did not take the first option (seeded ties, or the pinned schedule). */
  readonly choices: number;
}

type Json = Record<string, unknown>;

/**
 * Delta debugging over the scenario JSON: drop sequences, cut step tails, drop steps, drop
 * lifecycle events, drop cancellations and timeouts, shorten gaps and start times, drop faults
 * (the plan, scheduled faults, single kinds),
 * shrink the model (instances, max_batch_size) — keeping
 * each change only while the same oracle still fails with the same seed. Greedy passes repeat
 * until nothing more can be removed or the attempt budget is spent.
 */
export function shrinkScenario(json: Json, options: ShrinkOptions): ShrinkResult {
  const maxAttempts = options.maxAttempts ?? 2000;
  const validLoads = lifecycleLoadsValid(json);
  const failing = (candidate: Json): RunResult | undefined => {
    if (validLoads && !lifecycleLoadsValid(candidate)) return undefined;
    const run = runOf(candidate, options);
    return run !== undefined && fails(run, options.oracle) ? run : undefined;
  };
  if (failing(json) === undefined) throw new Error(`the scenario does not fail oracle ${options.oracle} with seed ${options.seed}`);
  const beforeChoices = nonDefaultChoices(recorded(json, options));
  const reduced = shrinkJson(json, failing, maxAttempts);
  const before = { ...sizeOf(json), choices: beforeChoices };
  let pinned = shrinkSchedule(reduced.json, options, maxAttempts - reduced.attempts);
  let attempts = reduced.attempts + pinned.attempts;
  // With the orderings pinned by label, dropping a step no longer reshuffles the other ties: a
  // second pass often removes what the seed's tie-breaking made look necessary.
  const again = shrinkJson(pinned.json, failing, Math.max(0, maxAttempts - attempts));
  attempts += again.attempts;
  if (sizeOf(again.json).requests < sizeOf(pinned.json).requests) {
    pinned = shrinkSchedule(again.json, options, Math.max(1, maxAttempts - attempts));
    attempts += pinned.attempts;
  }
  return { scenarioJson: pinned.json, run: pinned.run, attempts, before, after: { ...sizeOf(pinned.json), choices: pinned.choices } };
}

/**
 * The greedy delta-debugging loop: keeps the first smaller candidate that still fails, until no
 * candidate does or the attempt budget is spent. `failing` returns the candidate's failing result
 * (undefined: it passes or is not a valid scenario).
 */
export function shrinkJson<R>(
  json: Json,
  failing: (candidate: Json) => R | undefined,
  maxAttempts: number,
): { json: Json; result: R | undefined; attempts: number } {
  let attempts = 0;
  let best = structuredClone(json);
  let result: R | undefined;
  let improved = true;
  while (improved && attempts < maxAttempts) {
    improved = false;
    for (const candidate of candidates(best)) {
      if (attempts >= maxAttempts) break;
      attempts++;
      const outcome = failing(candidate);
      if (outcome !== undefined) {
        best = candidate;
        result = outcome;
        improved = true;
        break;
      }
    }
  }
  return { json: best, result, attempts };
}

/**
 * Whether every lifecycle load config passes Triton's validation. A shrink step that made one
 * invalid (a load that now fails at run time) would turn the reproducer into another scenario.
 */
function lifecycleLoadsValid(json: Json): boolean {
  try {
    const scenario = parseScenario(json, 'shrink candidate', '.');
    return scenario.lifecycle.every((event) => event.kind !== 'load' || !('invalid' in event.config));
  } catch (error) {
    if (error instanceof InputError) return false;
    throw error;
  }
}

/** Enough recorded decisions for any run the shrinker keeps (runs past it are not reproducers). */
const MAX_RECORDED_CHOICES = 100_000;

function recorded(json: Json, options: ShrinkOptions, schedule?: readonly string[]): RunResult | undefined {
  return runOf(schedule === undefined ? json : { ...json, schedule: [...schedule] }, options, MAX_RECORDED_CHOICES);
}

function nonDefaultChoices(run: RunResult | undefined): number {
  return run === undefined ? 0 : run.choices.filter((choice) => choice.chosen !== choice.options[0]).length;
}

/** The run's decisions by label, up to its last non-default one (later ones are the default). */
function scheduleOf(run: RunResult): string[] {
  let last = -1;
  run.choices.forEach((choice, index) => {
    if (choice.chosen !== choice.options[0]) last = index;
  });
  return run.choices.slice(0, last + 1).map((choice) => choice.chosen);
}

/**
 * The same-instant ordering, minimised like the scenario: the seed's ties become a pinned
 * `schedule` of task labels, and each decision that did not take the first option is set back to
 * the first while the oracle still fails. The reproducer then fails whatever seed's ties, and
 * reads as "these k orderings matter".
 */
function shrinkSchedule(json: Json, options: ShrinkOptions, budget: number): { json: Json; run: RunResult; choices: number; attempts: number } {
  let attempts = 1;
  let run = recorded(json, options);
  assert(run !== undefined && fails(run, options.oracle), 'the shrunk scenario still fails before its schedule is pinned');
  let schedule = scheduleOf(run);
  const allDefault = recorded(json, options, []);
  attempts++;
  if (allDefault !== undefined && fails(allDefault, options.oracle)) {
    run = allDefault;
    schedule = [];
  } else {
    for (let index = schedule.length - 1; index >= 0 && attempts < budget; index--) {
      const choice = run.choices[index];
      if (choice === undefined || choice.chosen === choice.options[0]) continue;
      const candidate = [...schedule.slice(0, index), choice.options[0]!, ...schedule.slice(index + 1)];
      attempts++;
      const candidateRun = recorded(json, options, candidate);
      if (candidateRun === undefined || !fails(candidateRun, options.oracle)) continue;
      // Later labels may no longer apply after the flip: keep what the run really did, once it
      // is confirmed to replay from its own labels.
      const next = scheduleOf(candidateRun);
      attempts++;
      const confirmed = recorded(json, options, next);
      if (confirmed === undefined || !fails(confirmed, options.oracle) || confirmed.scheduleDivergence !== undefined) continue;
      run = confirmed;
      schedule = next;
      index = Math.min(index, schedule.length);
    }
  }
  const pinned = { ...json, schedule };
  const final = runOf(pinned, options);
  assert(final !== undefined && fails(final, options.oracle), 'the pinned schedule reproduces the failure');
  return { json: pinned, run: final, choices: nonDefaultChoices(run), attempts };
}

function runOf(json: Json, options: ShrinkOptions, recordChoices = 0): RunResult | undefined {
  try {
    const scenario = parseScenario(json, 'shrink candidate', '.');
    return simulate(scenario, { seed: options.seed, batcher: options.batcher, recordChoices, ...(options.maxEvents ? { maxEvents: options.maxEvents } : {}) });
  } catch (error) {
    if (error instanceof InputError) return undefined;
    throw error;
  }
}

function fails(run: RunResult, oracle: string): boolean {
  return run.violations.some((v) => v.oracle === oracle);
}

export function sizeOf(json: Json): ScenarioSize {
  const sequences = (json['sequences'] as { steps: unknown[] }[]) ?? [];
  const model = json['model'] as { instance_group?: { count?: number }[] };
  const instances = (model.instance_group ?? [{ count: 1 }]).reduce((n, g) => n + Math.max(1, g.count ?? 1), 0);
  const plan = (json['faults'] as Json | undefined) ?? {};
  const faults = Object.entries(plan).reduce((n, [kind, value]) => {
    if (kind === 'scheduled') return n + (value as unknown[]).length;
    const rate = typeof value === 'number' && kind !== 'client_timeout_us' && kind !== 'retries' ? value : ((value as Json)?.['rate'] as number | undefined);
    return n + (rate !== undefined && rate > 0 ? 1 : 0);
  }, 0);
  const choices = ((json['schedule'] as unknown[] | undefined) ?? []).length;
  return { sequences: sequences.length, requests: sequences.reduce((n, s) => n + s.steps.length, 0), instances, faults, choices };
}

/** Smaller variants of a scenario, most promising (biggest cut) first. */
function* candidates(json: Json): Generator<Json> {
  const sequences = json['sequences'] as Json[];
  for (let i = 0; i < sequences.length; i++) {
    if (sequences.length > 1) yield edit(json, (j) => (j['sequences'] as Json[]).splice(i, 1));
  }
  for (let i = 0; i < sequences.length; i++) {
    const steps = sequences[i]!['steps'] as Json[];
    // Cut the tail first (one big step), then single steps.
    for (let k = 1; k < steps.length - 1; k++) yield edit(json, (j) => stepsOf(j, i).splice(k));
    for (let k = steps.length - 1; k >= 0 && steps.length > 1; k--) yield edit(json, (j) => stepsOf(j, i).splice(k, 1));
  }
  yield* lifecycleCandidates(json);
  for (let i = 0; i < sequences.length; i++) {
    const steps = sequences[i]!['steps'] as Json[];
    for (let k = 0; k < steps.length; k++) {
      for (const field of ['cancel_after_us', 'timeout_us']) {
        if (steps[k]![field] !== undefined && steps[k]![field] !== 0) yield edit(json, (j) => delete stepsOf(j, i)[k]![field]);
      }
      const gap = steps[k]!['gap_us'];
      if (typeof gap === 'number' && gap > 0) yield edit(json, (j) => (stepsOf(j, i)[k]!['gap_us'] = Math.floor(gap / 2)));
    }
    const start = sequences[i]!['start_us'];
    if (typeof start === 'number' && start > 0) yield edit(json, (j) => ((j['sequences'] as Json[])[i]!['start_us'] = Math.floor(start / 2)));
    if (sequences[i]!['mode'] === 'stream') yield edit(json, (j) => ((j['sequences'] as Json[])[i]!['mode'] = 'sync'));
  }
  yield* faultCandidates(json);
  const model = json['model'] as Json;
  const groups = model['instance_group'] as Json[] | undefined;
  if (groups !== undefined && groups.reduce((n, g) => n + Math.max(1, (g['count'] as number) ?? 1), 0) > 1) {
    yield edit(json, (j) => ((j['model'] as Json)['instance_group'] = [{ count: 1, kind: 'KIND_CPU' }]));
  }
  const mbs = model['max_batch_size'];
  if (typeof mbs === 'number' && mbs > 1) {
    yield edit(json, (j) => {
      const m = j['model'] as Json;
      m['max_batch_size'] = mbs - 1;
      // Keep Oldest's preferred sizes valid (each ≤ max_batch_size).
      const oldest = (m['sequence_batching'] as Json)['oldest'] as Json | undefined;
      if (oldest?.['preferred_batch_size'] !== undefined) oldest['preferred_batch_size'] = (oldest['preferred_batch_size'] as number[]).filter((p) => p < mbs);
    });
  }
}

/** Fewer or simpler lifecycle events: the block, one entry, a load's build time, drain and its timeout, earlier times. */
function* lifecycleCandidates(json: Json): Generator<Json> {
  const lifecycle = json['lifecycle'] as Json[] | undefined;
  if (lifecycle === undefined) return;
  yield edit(json, (j) => delete j['lifecycle']);
  for (let i = 0; i < lifecycle.length && lifecycle.length > 1; i++) yield edit(json, (j) => (j['lifecycle'] as unknown[]).splice(i, 1));
  const entryOf = (j: Json, i: number): Json => (j['lifecycle'] as Json[])[i]!;
  for (let i = 0; i < lifecycle.length; i++) {
    const entry = lifecycle[i]!;
    if (entry['policy'] === 'drain') {
      yield edit(json, (j) => {
        delete entryOf(j, i)['policy'];
        delete entryOf(j, i)['drain_timeout_us'];
      });
    }
    for (const field of ['drain_timeout_us', 'load_us', 'files_changed']) if (entry[field] !== undefined) yield edit(json, (j) => delete entryOf(j, i)[field]);
    // Earlier, but not before the previous entry (the loader refuses entries out of time order).
    const atUs = entry['at_us'];
    const earlierUs = Math.max((lifecycle[i - 1]?.['at_us'] as number | undefined) ?? 0, Math.floor(Number(atUs) / 2));
    if (typeof atUs === 'number' && earlierUs < atUs) yield edit(json, (j) => (entryOf(j, i)['at_us'] = earlierUs));
  }
}

/** Fewer faults: the whole plan, one scheduled fault, or one kind's rate at a time. */
function* faultCandidates(json: Json): Generator<Json> {
  const faults = json['faults'] as Json | undefined;
  if (faults === undefined) return;
  yield edit(json, (j) => delete j['faults']);
  const scheduled = (faults['scheduled'] as unknown[] | undefined) ?? [];
  for (let i = 0; i < scheduled.length; i++) yield edit(json, (j) => ((j['faults'] as Json)['scheduled'] as unknown[]).splice(i, 1));
  for (const [kind, value] of Object.entries(faults)) {
    if (kind === 'scheduled' || kind === 'client_timeout_us' || kind === 'retries') continue;
    const rate = typeof value === 'number' ? value : ((value as Json)?.['rate'] as number | undefined);
    if (rate !== undefined && rate > 0) yield edit(json, (j) => delete (j['faults'] as Json)[kind]);
  }
}

function stepsOf(json: Json, i: number): Json[] {
  return (json['sequences'] as Json[])[i]!['steps'] as Json[];
}

function edit(json: Json, change: (copy: Json) => unknown): Json {
  const copy = structuredClone(json);
  change(copy);
  return copy;
}
