import { assert } from '../../src/core/assert.ts';
import { RandomStreams, type RandomStream } from '../kernel/random.ts';

/*
 * Triton's sequence stress test (server: qa/L0_sequence_stress/sequence_stress.py), its workload
 * generators ported to seqsim's seeded random: per thread 2 common and 8 rare contexts (each a
 * correlation id), 10 % of passes on a rare context, lengths max(1, int(N(16, 8))), values in
 * [0, 2^20). The same seed gives the same workload here every time; it is not numpy's stream, so
 * it is not the Python test's workload for that seed.
 *
 * Quirks of the original kept on purpose (docs/drive.md lists them):
 * - "valid-valid" and "valid-no-end" draw two lengths and two value arrays but send only the second
 *   sequence (the Python rebuilds `steps` inside the loop and sends after it): valid-valid is one
 *   valid sequence, valid-no-end one sequence without END.
 * - "no-start" never follows "no-end" or "valid-no-end" on a common context (the server would take
 *   it as a continuation), but a new START on a context whose sequence never ended is sent as is:
 *   Triton's START-on-an-active-id path restarts it in the same slot.
 * - Rare contexts are used round-robin, so their no-end sequences are left to the idle reaper.
 */

export type StressKind = 'valid' | 'valid-valid' | 'valid-no-end' | 'no-end' | 'no-start';

export interface StressStep {
  readonly value: number;
  readonly start: boolean;
  readonly end: boolean;
}

/** One sequence the stress test sends, on its thread's context. */
export interface StressSequence {
  readonly thread: number;
  readonly pass: number;
  /** The context's correlation id: 1 + 100·thread + context. */
  readonly id: number;
  readonly kind: StressKind;
  readonly rare: boolean;
  readonly steps: readonly StressStep[];
}

export const STRESS_COMMON_CONTEXTS = 2;
export const STRESS_RARE_CONTEXTS = 8;
/** Each thread owns a block of this many correlation ids. */
export const STRESS_ID_BLOCK = 100;
export const STRESS_LENGTH_MEAN = 16;
export const STRESS_LENGTH_STDEV = 8;
/** Values are drawn from [0, 2^20). */
export const STRESS_VALUE_LIMIT = 1024 * 1024;
/** Every sequence must be answered within 5 s of its start (DEFAULT_TIMEOUT_MS). */
export const STRESS_SEQUENCE_BOUND_US = 5_000_000;
export const MAX_STRESS_THREADS = 1024;
export const MAX_STRESS_ITERATIONS = 1_000_000;

/**
 * The per-thread seeds, drawn in thread order from the run's seed (the Python draws one
 * `randint(2**32)` per thread from the seeded global generator).
 */
export function stressThreadSeeds(seed: number, threads: number): number[] {
  assert(Number.isSafeInteger(threads) && threads >= 1 && threads <= MAX_STRESS_THREADS, 'stress threads in range');
  const master = new RandomStreams(seed).stream('workload');
  return Array.from({ length: threads }, () => master.int(0, 2 ** 32 - 1));
}

/** One thread's sequences, pass by pass, generated as they are asked for (a long run keeps none). */
export function* stressThread(threadSeed: number, thread: number, iterations: number): Generator<StressSequence> {
  assert(Number.isSafeInteger(iterations) && iterations >= 0 && iterations <= MAX_STRESS_ITERATIONS, 'stress iterations in range');
  const rng = new RandomStreams(threadSeed).stream('workload');
  const idBase = 1 + thread * STRESS_ID_BLOCK;
  const lastKinds: (StressKind | undefined)[] = Array.from({ length: STRESS_COMMON_CONTEXTS + STRESS_RARE_CONTEXTS }, () => undefined);
  let rareIndex = 0;
  for (let pass = 0; pass < iterations; pass++) {
    let context: number;
    let kind: StressKind;
    if (rng.next() < 0.1) {
      const choice = rng.next();
      context = STRESS_COMMON_CONTEXTS + rareIndex;
      kind = choice < 0.33 ? 'no-end' : choice < 0.66 ? 'valid-no-end' : 'valid-valid';
      rareIndex = (rareIndex + 1) % STRESS_RARE_CONTEXTS;
    } else {
      context = rng.next() < 0.5 ? 0 : 1;
      const last = lastKinds[context];
      const choice = rng.next();
      if (last !== 'no-end' && last !== 'valid-no-end' && choice < 0.01) kind = 'no-start';
      else if (choice < 0.05) kind = 'no-end';
      else if (choice < 0.1) kind = 'valid-no-end';
      else if (choice < 0.15) kind = 'valid-valid';
      else kind = 'valid';
    }
    lastKinds[context] = kind;
    yield { thread, pass, id: idBase + context, kind, rare: context >= STRESS_COMMON_CONTEXTS, steps: stressSteps(rng, kind) };
  }
}

/** The steps one generator sends, drawing from `rng` exactly as the Python generator of `kind` does. */
function stressSteps(rng: RandomStream, kind: StressKind): StressStep[] {
  switch (kind) {
    case 'no-start':
      return [{ value: drawValues(rng, 1)[0]!, start: false, end: false }];
    case 'valid':
    case 'no-end': {
      const length = drawLength(rng);
      return flagged(drawValues(rng, length), kind === 'valid');
    }
    case 'valid-valid':
    case 'valid-no-end': {
      const lengths = [drawLength(rng), drawLength(rng)];
      drawValues(rng, lengths[0]!);
      // Only the second sequence is sent (the original's quirk, see above).
      return flagged(drawValues(rng, lengths[1]!), kind === 'valid-valid');
    }
  }
}

function flagged(values: readonly number[], ends: boolean): StressStep[] {
  return values.map((value, index) => ({ value, start: index === 0, end: ends && index === values.length - 1 }));
}

/** max(1, int(N(16, 8))): Python's int() truncates toward zero. */
function drawLength(rng: RandomStream): number {
  return Math.max(1, Math.trunc(STRESS_LENGTH_MEAN + STRESS_LENGTH_STDEV * standardNormal(rng)));
}

function drawValues(rng: RandomStream, count: number): number[] {
  return Array.from({ length: count }, () => rng.int(0, STRESS_VALUE_LIMIT - 1));
}

/** Box–Muller from two uniforms of the stream (1 − u keeps the logarithm finite). */
function standardNormal(rng: RandomStream): number {
  const u1 = 1 - rng.next();
  const u2 = rng.next();
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}

/** The model Triton's stress test serves (models1: one instance, batch size 4, 1 s idle timeout, Direct). */
export const STRESS_MODEL_JSON: Readonly<Record<string, unknown>> = {
  name: 'sequence_stress',
  max_batch_size: 4,
  instance_group: [{ kind: 'KIND_CPU', count: 1 }],
  input: [{ name: 'INPUT', data_type: 'TYPE_INT32', dims: [1] }],
  output: [{ name: 'OUTPUT', data_type: 'TYPE_INT32', dims: [1] }],
  sequence_batching: {
    max_sequence_idle_microseconds: 1_000_000,
    control_input: [
      { name: 'START', control: [{ kind: 'CONTROL_SEQUENCE_START', int32_false_true: [0, 1] }] },
      { name: 'READY', control: [{ kind: 'CONTROL_SEQUENCE_READY', int32_false_true: [0, 1] }] },
    ],
  },
};

/** Triton's custom sequence model sleeps this long per execution (`execute_delay_ms: 3`). */
export const STRESS_EXECUTE_US = 3000;
/** In a written scenario, each lane's next sequence starts this long per step of the previous one later. */
export const STRESS_STEP_BUDGET_US = 10_000;

/**
 * The workload as a scenario file, so `seqsim run` / `explore` simulate the same sequences: each
 * thread is a lane whose sequences start one after another (a scenario has fixed start times, so a
 * sequence starts STRESS_STEP_BUDGET_US per step of its predecessor later, where the stress test
 * starts it when the previous one was answered); steps go back to back on a stream, as the test
 * sends them.
 */
export function stressScenarioJson(seed: number, threads: number, iterations: number, model: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const sequences: Record<string, unknown>[] = [];
  stressThreadSeeds(seed, threads).forEach((threadSeed, thread) => {
    let startUs = 0;
    for (const sequence of stressThread(threadSeed, thread, iterations)) {
      sequences.push({
        id: sequence.id,
        start_us: startUs,
        mode: 'stream',
        steps: sequence.steps.map((step) => ({ value: step.value, ...(step.start ? { start: true } : {}), ...(step.end ? { end: true } : {}) })),
      });
      startUs += sequence.steps.length * STRESS_STEP_BUDGET_US;
    }
  });
  sequences.sort((a, b) => (a['start_us'] as number) - (b['start_us'] as number));
  return {
    name: `sequence-stress-seed${seed}`,
    seed,
    model,
    executor: { latency_us: STRESS_EXECUTE_US },
    transport: { latency_us: 0 },
    sequences,
  };
}
