/*
 * The peer seqsim is measured against: a property test an expert fast-check user would write over
 * the same batcher, without seqsim's kernel, generators or oracles. fast-check draws a small
 * workload (sequences of START…END steps with gaps, request timeouts and cancellations, 1–3
 * instances, Direct or Oldest, an idle timeout); @sinonjs/fake-timers keeps the clock; every task
 * due at one instant goes through `fc.scheduler()`, which decides their order (and shrinks it).
 * Properties: each output is what the accumulator gives over the sequence's executed inputs (the
 * reference model), every request gets exactly one response, no slot is held and nothing waits
 * once the world is quiet, and the backlog is served oldest first.
 */
import FakeTimers from '@sinonjs/fake-timers';
import fc from 'fast-check';
import type { ZooBug } from '../../sim/zoo/zoo-bug.ts';
import type { Batch, ExecuteResult, TaskOptions, TimerHandle, Timers } from '../../src/core/ports.ts';
import type { InferRequest, InferResult } from '../../src/core/request.ts';
import type { TraceEventBody } from '../../src/core/events.ts';
import { correlationIdFromScenario } from '../../src/core/ids.ts';
import { accumulate, accumulatorModelOf, UNINITIALIZED_STATE_GARBAGE } from '../../src/model/reference.ts';
import { parseScenario } from '../../src/scenario/load.ts';
import type { ModelConfig } from '../../src/config/types.ts';

/** Simulated time past which a world that still has timers is stuck (starved or polling forever). */
const HORIZON_US = 2_000_000;

const stepArb = fc.record({
  input: fc.integer({ min: -8, max: 64 }),
  gapUs: fc.constantFrom(0, 0, 10, 100, 1000, 5000),
  timeoutUs: fc.constantFrom(0, 0, 0, 500, 3000),
  cancelAfterUs: fc.option(fc.constantFrom(0, 300, 2000), { freq: 4 }),
});
const sequenceArb = fc.record({
  startUs: fc.constantFrom(0, 0, 50, 500, 3000),
  steps: fc.array(stepArb, { minLength: 1, maxLength: 4 }),
  sendsEnd: fc.boolean(),
});

export const worldArb = fc.record({
  strategy: fc.constantFrom('direct', 'oldest'),
  instances: fc.integer({ min: 1, max: 3 }),
  maxBatchSize: fc.integer({ min: 1, max: 3 }),
  idleUs: fc.constantFrom(1500, 4000, 1_000_000),
  executorUs: fc.constantFrom(0, 500, 1000),
  sequences: fc.array(sequenceArb, { minLength: 1, maxLength: 6 }),
});
export type World = typeof worldArb extends fc.Arbitrary<infer T> ? T : never;

function modelOf(world: World): ModelConfig {
  const strategy = world.strategy === 'direct' ? { direct: {} } : { oldest: { max_candidate_sequences: 4 } };
  const json = {
    model: {
      name: 'peer',
      max_batch_size: world.maxBatchSize,
      instance_group: [{ count: world.instances, kind: 'KIND_CPU' }],
      sequence_batching: { max_sequence_idle_microseconds: world.idleUs, ...strategy },
    },
    sequences: [{ id: 1, steps: [{ value: 0, start: true, end: true }] }],
  };
  return parseScenario(json, 'peer.json', '.').model;
}

/** Runs one world to quiescence with the batcher `bug` makes; throws when a property fails. */
export async function checkWorld(world: World, s: fc.Scheduler, bug: ZooBug['make']): Promise<void> {
  const clock = FakeTimers.createClock(0, Number.MAX_SAFE_INTEGER);
  const model = modelOf(world);
  const accumulator = accumulatorModelOf(model);
  const cancelled = new Set<number>();
  // Tasks of one channel (one Triton thread) keep their order; different channels interleave as the scheduler picks.
  const channels = new Map<string, (() => void)[]>();
  let nextId = 1;
  let failure: unknown;
  const release = (channel: string): void => {
    const queue = channels.get(channel)!;
    s.schedule(Promise.resolve(channel), channel).then(() => {
      try {
        queue.shift()!();
      } catch (error) {
        failure ??= error;
      }
      if (queue.length > 0) release(channel);
    });
  };
  const timers: Timers = {
    schedule(atUs: number, options: TaskOptions, task: () => void): TimerHandle {
      const id = nextId++;
      const channel = options.channel ?? `task${id}`;
      clock.setTimeout(
        () => {
          const queue = channels.get(channel) ?? [];
          channels.set(channel, queue);
          queue.push(() => cancelled.has(id) || task());
          if (queue.length === 1) release(channel);
        },
        Math.max(0, atUs - clock.now),
      );
      return { id };
    },
    cancel: (handle) => cancelled.add(handle.id),
  };
  const responses = new Map<string, InferResult[]>();
  const backlogged: string[] = [];
  const events = {
    enabled: true,
    emit(event: TraceEventBody): void {
      // FIFO backlog: a backlog sequence moved into a slot is the oldest still waiting.
      if (event.type === 'backlog') backlogged.push(String(event.sequence));
      if (event.type === 'release' && event.instance === null) backlogged.splice(backlogged.indexOf(String(event.sequence)), 1);
      if (event.type === 'assign' && event.first_request !== undefined && backlogged.shift() !== String(event.sequence)) {
        throw new Error(`backlog not FIFO: ${String(event.sequence)} got a slot first`);
      }
    },
  };
  const executor = {
    execute(batch: Batch, done: (result: ExecuteResult) => void): void {
      const sequences = new Set<string>();
      for (const row of batch.rows) {
        if (row.ready !== (row.request !== null)) throw new Error(`slot ${row.slot}: READY=${row.ready} on ${row.request ? 'a request' : 'padding'}`);
        if (row.request && sequences.has(row.request.sequence.toString())) throw new Error(`two requests of ${row.request.sequence} in one batch`);
        if (row.request) sequences.add(row.request.sequence.toString());
      }
      timers.schedule(clock.now + world.executorUs, { label: 'exec', channel: `exec:I${batch.instance}` }, () =>
        done({
          ok: true,
          outputs: batch.rows.map((row) => {
            if (row.request === null) return null;
            const step = accumulate(accumulator, { ...row, input: row.request.input }, row.state.initialized ? row.state.value : UNINITIALIZED_STATE_GARBAGE);
            if (step.kind !== 'output') return null;
            row.state.initialized = true;
            row.state.value = step.state;
            return step.output;
          }),
        }),
      );
    },
  };
  const answer = (request: InferRequest, result: InferResult): void => {
    responses.set(request.id, [...(responses.get(request.id) ?? []), result]);
  };
  const scheduler = bug(model, { clock: { nowUs: () => clock.now }, timers, executor, responses: { respond: answer }, events }, {});
  const sent: InferRequest[] = [];
  world.sequences.forEach((sequence, index) => {
    let atUs = sequence.startUs;
    sequence.steps.forEach((step, k) => {
      atUs += k === 0 ? 0 : step.gapUs;
      const request: InferRequest = {
        id: `${index + 1}:${k}`,
        sequence: index + 1,
        step: k,
        correlationId: correlationIdFromScenario(index + 1),
        start: k === 0,
        end: sequence.sendsEnd && k === sequence.steps.length - 1,
        input: step.input,
        timeoutUs: step.timeoutUs,
        batchSize: 1,
        arrivalUs: 0,
        cancelled: false,
      };
      timers.schedule(atUs, { label: `send ${request.id}`, channel: `client${index}` }, () => {
        sent.push(request);
        const error = scheduler.enqueue(request);
        if (error !== null) answer(request, { error });
        if (step.cancelAfterUs !== null) timers.schedule(clock.now + step.cancelAfterUs, { label: 'cancel' }, () => scheduler.cancel(request));
      });
    });
  });
  // Fire every timer due now, let the scheduler order what they released, repeat; then move time on.
  for (;;) {
    clock.tick(0);
    if (s.count() > 0) {
      await s.waitOne();
      if (failure !== undefined) throw failure;
      continue;
    }
    if (clock.countTimers() === 0) break;
    if (clock.now > HORIZON_US) throw new Error(`not quiet after ${HORIZON_US} µs: ${JSON.stringify(scheduler.occupancy())}`);
    clock.next();
  }
  checkQuiet(scheduler.occupancy());
  checkResponses(world, sent, responses);
}

function checkQuiet(occupancy: { heldSlots: number; backlogQueues: number; queuedRequests: number }): void {
  if (occupancy.heldSlots > 0 || occupancy.backlogQueues > 0 || occupancy.queuedRequests > 0) throw new Error(`quiet world holds ${JSON.stringify(occupancy)}`);
}

/** One response per request; each sequence's outputs are the running sums of its executed inputs. */
function checkResponses(world: World, sent: readonly InferRequest[], responses: ReadonlyMap<string, readonly InferResult[]>): void {
  for (const request of sent) {
    const got = responses.get(request.id)?.length ?? 0;
    if (got !== 1) throw new Error(`${request.id}: ${got} responses`);
  }
  world.sequences.forEach((sequence, index) => {
    let sum = 0;
    sequence.steps.forEach((step, k) => {
      const result = responses.get(`${index + 1}:${k}`)?.[0];
      if (result === undefined || !('output' in result)) return;
      sum = (sum + step.input) | 0;
      if (result.output !== sum) throw new Error(`${index + 1}:${k}: output ${result.output}, the accumulator says ${sum}`);
    });
  });
}

/** The property: every world, every same-instant order. */
export function peerProperty(bug: ZooBug['make']): fc.IAsyncPropertyWithHooks<[fc.Scheduler, World]> {
  return fc.asyncProperty(fc.scheduler(), worldArb, (s, world) => checkWorld(world, s, bug));
}
