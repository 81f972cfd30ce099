import fc from 'fast-check';
import { directBlockArbitrary, lifecycleArbitrary, oldestBlockArbitrary } from './lifecycle-arbitrary.ts';

export interface GeneratorOptions {
  /** Force one strategy (bugs that live in Direct or Oldest only); default: either. */
  readonly strategy?: 'direct' | 'oldest';
  /**
   * swarm (default): each seed draws which fault kinds are on; uniform: every kind always on at a
   * low rate; none: no faults.
   */
  readonly faults?: FaultMode;
  /**
   * Also draw a `lifecycle` block (updates, reloads, unloads, stops). Off by default: the extra
   * draws come after every other one, so without it each seed's scenario stays byte-identical.
   */
  readonly lifecycle?: boolean;
}

export type FaultMode = 'swarm' | 'uniform' | 'none';

/** Every fault kind on at a low fixed rate: the baseline swarm testing is compared against. */
const UNIFORM_FAULTS: Record<string, unknown> = {
  request_drop: 0.02,
  response_drop: 0.02,
  transport_delay: { rate: 0.05, max_us: 1000 },
  disconnect: 0.02,
  executor_failure: 0.02,
  executor_stall: { rate: 0.02, us: 5000 },
  timer_jitter: { rate: 0.02, max_us: 500 },
  misuse: 0.02,
  client_timeout_us: 50_000,
};

/**
 * Random but valid scenario JSON: small worlds where races are likely (few slots, equal
 * latencies, short idle timeouts, cancellations, backlog timeouts, reused and string ids) — in the
 * spirit of Triton's sequence stress test. A library API: use it in your own fast-check properties.
 */
export function scenarioJsonArbitrary(options: GeneratorOptions = {}): fc.Arbitrary<Record<string, unknown>> {
  const step = fc.record({
    value: fc.integer({ min: -8, max: 64 }),
    gap_us: fc.constantFrom(0, 0, 10, 100, 1000, 5000),
    timeout_us: fc.constantFrom(0, 0, 0, 500, 3000),
    cancel: fc.constantFrom(undefined, undefined, undefined, undefined, 0, 300, 2000),
  });
  const sequence = fc.record({
    id: fc.oneof(fc.integer({ min: 1, max: 6 }), fc.constantFrom('a', 'b', '7', 'x<y>')),
    start_us: fc.constantFrom(0, 0, 50, 500, 3000),
    mode: fc.constantFrom('sync', 'stream'),
    steps: fc.array(step, { minLength: 1, maxLength: 4 }),
    endLast: fc.boolean(),
    startFirst: fc.constantFrom(true, true, true, true, false),
  });
  const direct = fc.record({ direct: directBlockArbitrary });
  const oldest = fc.record({ oldest: oldestBlockArbitrary });
  const strategy = options.strategy === 'direct' ? direct : options.strategy === 'oldest' ? oldest : fc.oneof(direct, oldest);
  const base = fc
    .record({
      maxBatchSize: fc.integer({ min: 0, max: 3 }),
      instances: fc.integer({ min: 1, max: 3 }),
      idleUs: fc.constantFrom(1500, 4000, 1_000_000),
      strategy,
      executorUs: fc.oneof(fc.constantFrom(0, 500, 1000), fc.constant({ min: 100, max: 1500 })),
      transportUs: fc.oneof(fc.constantFrom(0, 50), fc.constant({ min: 0, max: 300 })),
      sequences: fc.array(sequence, { minLength: 1, maxLength: 6 }),
      stopAt: fc.constantFrom(undefined, undefined, undefined, 2000),
      faults: options.faults === 'none' ? fc.constant(undefined) : options.faults === 'uniform' ? fc.constant(UNIFORM_FAULTS) : faultsArbitrary(),
    })
    .map((w) => {
      const strategy =
        'oldest' in w.strategy
          ? {
              oldest: {
                ...w.strategy.oldest,
                // Triton requires preferred sizes ≤ max_batch_size; leave the default.
              },
            }
          : w.strategy;
      return {
        name: 'fuzz',
        model: {
          name: 'fuzz_model',
          max_batch_size: w.maxBatchSize,
          instance_group: [{ count: w.instances, kind: 'KIND_CPU' }],
          sequence_batching: { max_sequence_idle_microseconds: w.idleUs, ...strategy },
        },
        executor: { latency_us: w.executorUs },
        transport: { latency_us: w.transportUs },
        sequences: w.sequences.map((s) => ({
          id: s.id,
          start_us: s.start_us,
          mode: s.mode,
          steps: s.steps.map((st, k) => ({
            value: st.value,
            ...(k > 0 ? { gap_us: st.gap_us } : {}),
            ...(k === 0 && s.startFirst ? { start: true } : {}),
            ...(k === s.steps.length - 1 && s.endLast ? { end: true } : {}),
            ...(st.timeout_us ? { timeout_us: st.timeout_us } : {}),
            ...(st.cancel !== undefined ? { cancel_after_us: st.cancel } : {}),
          })),
        })),
        ...(w.stopAt !== undefined ? { lifecycle: [{ at_us: w.stopAt, stop: true }] } : {}),
        ...(w.faults !== undefined ? { faults: w.faults } : {}),
      };
    });
  if (options.lifecycle !== true) return base;
  // chain draws the base scenario first, from the same stream: only the lifecycle block is new.
  return base.chain((json) =>
    lifecycleArbitrary(json, (json['lifecycle'] as Record<string, unknown>[] | undefined) ?? []).map((block) => {
      const { lifecycle: _stop, faults, ...rest } = json;
      // Key order as without the option: lifecycle before faults.
      return { ...rest, ...(block !== undefined ? { lifecycle: block } : {}), ...(faults !== undefined ? { faults } : {}) };
    }),
  );
}

/**
 * Swarm testing: a seed first draws which fault kinds are on at all (most seeds have none, some one
 * kind, a few several), then their rates. Retries stay off: a retried stateful request applying
 * twice is a real violation, which would drown every other finding.
 */
function faultsArbitrary(): fc.Arbitrary<Record<string, unknown> | undefined> {
  const rate = fc.constantFrom(0.05, 0.2, 0.5);
  const plan = fc.record(
    {
      request_drop: rate,
      response_drop: rate,
      transport_delay: fc.record({ rate, max_us: fc.constantFrom(500, 5000) }),
      disconnect: fc.constantFrom(0.05, 0.2),
      executor_failure: rate,
      executor_stall: fc.record({ rate, us: fc.constantFrom(2000, 20000) }),
      timer_jitter: fc.record({ rate, max_us: fc.constantFrom(100, 2000) }),
      misuse: fc.constantFrom(0.05, 0.2),
      client_timeout_us: fc.constantFrom(10_000, 50_000),
    },
    { requiredKeys: [] },
  );
  return fc.oneof({ weight: 3, arbitrary: fc.constant(undefined) }, { weight: 2, arbitrary: plan });
}

/** The scenario that `seqsim explore --generate` runs for one seed: a pure function of the seed. */
/**
 * Arbitraries are immutable, so one per option set serves every seed: building the nested records
 * anew for each of thousands of seeds cost a few % of a generated campaign.
 */
const arbitraries = new Map<string, fc.Arbitrary<Record<string, unknown>>>();

function cachedArbitrary(options: GeneratorOptions): fc.Arbitrary<Record<string, unknown>> {
  const key = `${options.strategy ?? '*'}|${options.faults ?? 'swarm'}|${options.lifecycle === true}`;
  let arbitrary = arbitraries.get(key);
  if (arbitrary === undefined) {
    arbitrary = scenarioJsonArbitrary(options);
    arbitraries.set(key, arbitrary);
  }
  return arbitrary;
}

export function generateScenarioJson(seed: number, options: GeneratorOptions = {}): Record<string, unknown> {
  const [json] = fc.sample(cachedArbitrary(options), { seed, numRuns: 1 });
  return { ...json!, name: `generated-${seed}` };
}
