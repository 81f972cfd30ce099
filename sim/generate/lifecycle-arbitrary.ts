import fc from 'fast-check';

type Json = Record<string, unknown>;

/** One drawn model-management action, before it is placed on the timeline. */
type LifecycleAction =
  | { readonly kind: 'update'; readonly count: number }
  | {
      readonly kind: 'reload';
      readonly change: 'strategy' | 'max_batch_size';
      readonly maxBatchSize: number;
      readonly direct: Json;
      readonly oldest: Json;
      readonly loadUs: number;
      readonly policy: 'triton' | 'drain';
      readonly drainTimeoutUs: number | undefined;
    }
  | { readonly kind: 'unload' }
  | { readonly kind: 'stop' };

/** Strategy blocks a reload switches to: the same ranges as the scenario generator's. */
export const directBlockArbitrary = fc.record({
  max_queue_delay_microseconds: fc.constantFrom(0, 0, 200, 2000),
  minimum_slot_utilization: fc.constantFrom(0, 0.5, 1),
});
export const oldestBlockArbitrary = fc.record({
  max_candidate_sequences: fc.integer({ min: 0, max: 4 }),
  max_queue_delay_microseconds: fc.constantFrom(0, 0, 300),
  preserve_ordering: fc.boolean(),
});

const actionArbitrary: fc.Arbitrary<LifecycleAction> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('update' as const), count: fc.integer({ min: 1, max: 3 }) }) },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('reload' as const),
      change: fc.constantFrom('strategy' as const, 'max_batch_size' as const),
      maxBatchSize: fc.integer({ min: 0, max: 3 }),
      direct: directBlockArbitrary,
      oldest: oldestBlockArbitrary,
      loadUs: fc.constantFrom(0, 0, 500, 2000),
      policy: fc.constantFrom('triton' as const, 'triton' as const, 'drain' as const),
      drainTimeoutUs: fc.constantFrom(undefined, undefined, 1000, 5000),
    }),
  },
  { weight: 1, arbitrary: fc.constant({ kind: 'unload' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'stop' as const }) },
);

/**
 * A `lifecycle` block for a generated scenario (most seeds get one): in-place updates (another
 * instance count), reloads (Direct ↔ Oldest, or another max_batch_size; a build time; Triton's
 * policy or drain, sometimes with a timeout), unloads and a stop, at times inside the workload.
 * Each load is written from the config the previous actions left, so an update stays an update.
 * `existing` is the block the scenario already has (a generated stop), which stays last.
 */
export function lifecycleArbitrary(scenario: Json, existing: readonly Json[]): fc.Arbitrary<Json[] | undefined> {
  const horizonUs = workloadHorizonUs(scenario);
  const atUs = fc.oneof(fc.constantFrom(0, 100, 500, 1000, 2000, 3000), fc.integer({ min: 0, max: horizonUs }));
  const drawn = fc.array(fc.record({ action: actionArbitrary, atUs }), { minLength: 1, maxLength: 3 });
  return fc.oneof({ weight: 1, arbitrary: fc.constant(undefined) }, { weight: 3, arbitrary: drawn }).map((entries) => {
    if (entries === undefined) return existing.length > 0 ? [...existing] : undefined;
    return placeActions(scenario['model'] as Json, entries, existing);
  });
}

/** When the last step could be sent if nothing waited: start + gaps, plus slack for latencies. */
function workloadHorizonUs(scenario: Json): number {
  const sequences = scenario['sequences'] as { start_us?: number; steps: { gap_us?: number }[] }[];
  const ends = sequences.map((s) => (s.start_us ?? 0) + s.steps.reduce((sum, step) => sum + (step.gap_us ?? 0), 0));
  return Math.max(0, ...ends) + 2000;
}

/**
 * Puts the actions on the timeline in time order and writes each load from the current config.
 * Nothing may follow a stop (the server is gone), so the block ends at the first stop.
 */
function placeActions(initialModel: Json, entries: readonly { action: LifecycleAction; atUs: number }[], existing: readonly Json[]): Json[] {
  const stopAtUs = existing.find((e) => e['stop'] === true)?.['at_us'] as number | undefined;
  const times = entries.map((e) => e.atUs).sort((a, b) => a - b);
  const block: Json[] = [];
  let model = initialModel;
  for (let i = 0; i < entries.length; i++) {
    const action = entries[i]!.action;
    const at_us = times[i]!;
    if (stopAtUs !== undefined && at_us > stopAtUs) break;
    if (action.kind === 'stop') {
      if (stopAtUs === undefined) block.push({ at_us, stop: true });
      break;
    }
    if (action.kind === 'unload') {
      block.push({ at_us, unload: true });
      continue;
    }
    model = action.kind === 'update' ? withInstanceCount(model, action.count) : reloaded(model, action);
    block.push({ at_us, load: model, ...(action.kind === 'reload' ? loadOptions(action) : {}) });
  }
  const last = block[block.length - 1];
  if (last?.['stop'] !== true) block.push(...existing);
  return block;
}

function instanceCount(model: Json): number {
  return ((model['instance_group'] as { count: number }[])[0]?.count ?? 1) as number;
}

/** Another instance count (an in-place update), never the same one (that would be a no-op). */
function withInstanceCount(model: Json, count: number): Json {
  const current = instanceCount(model);
  const next = count === current ? (count % 3) + 1 : count;
  return { ...model, instance_group: [{ count: next, kind: 'KIND_CPU' }] };
}

/** A config Triton must reload for: the other strategy, or another max_batch_size. */
function reloaded(model: Json, action: Extract<LifecycleAction, { kind: 'reload' }>): Json {
  const batching = model['sequence_batching'] as Json;
  if (action.change === 'strategy') {
    const { direct: _direct, oldest: _oldest, ...rest } = batching;
    const strategy = 'direct' in batching ? { oldest: action.oldest } : { direct: action.direct };
    return { ...model, sequence_batching: { ...rest, ...strategy } };
  }
  const current = model['max_batch_size'] as number;
  const next = action.maxBatchSize === current ? (current + 1) % 4 : action.maxBatchSize;
  return { ...model, max_batch_size: next };
}

function loadOptions(action: Extract<LifecycleAction, { kind: 'reload' }>): Json {
  return {
    ...(action.loadUs > 0 ? { load_us: action.loadUs } : {}),
    ...(action.policy === 'drain' ? { policy: 'drain' } : {}),
    ...(action.policy === 'drain' && action.drainTimeoutUs !== undefined ? { drain_timeout_us: action.drainTimeoutUs } : {}),
  };
}
