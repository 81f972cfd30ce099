import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { EventLoop } from '../../sim/kernel/event-queue.ts';
import { SequenceBatchScheduler } from '../../src/batcher/index.ts';
import { u64Id } from '../../src/core/ids.ts';
import type { InferRequest, InferResult } from '../../src/core/request.ts';
import type { TraceEvent, TraceEventBody } from '../../src/core/events.ts';
import type { ModelConfig } from '../../src/config/types.ts';
import { zooBug, type ZooBug } from '../../sim/zoo/variants.ts';

/**
 * Model-based test (fast-check commands): an abstract sequence batcher — who owns which slot, the
 * backlog order, each sequence's running sum — against the real batcher in the simulator. After
 * every client action the world runs to quiescence and the responses it produced must be the ones
 * the model predicts.
 */
const SLOTS = 2;
const model: ModelConfig = {
  name: 'm',
  maxBatchSize: SLOTS,
  instanceCount: 1,
  tensorDataType: 'TYPE_INT32',
  maxSequenceIdleUs: 2 ** 52,
  controls: {},
  strategy: { kind: 'direct', maxQueueDelayUs: 0, minimumSlotUtilization: 0 },
  states: [],
  initialStateValue: 0,
  iterativeSequence: false,
  slotsPerInstance: SLOTS,
};

interface Pending {
  readonly request: string;
  readonly value: number;
  readonly start: boolean;
  readonly end: boolean;
}

/** The abstract batcher. */
class Model {
  readonly holders: (number | undefined)[] = Array.from({ length: SLOTS }, () => undefined);
  readonly backlog: { id: number; pending: Pending[]; ended: boolean }[] = [];
  readonly sums = new Map<number, number>();
  readonly expected = new Map<string, string>();

  /** A request of sequence `id` arrives; returns nothing, records expected responses. */
  arrive(id: number, p: Pending): void {
    const slot = this.holders.indexOf(id);
    const waiting = this.backlog.find((b) => b.id === id && !b.ended);
    if (slot >= 0) {
      this.execute(slot, id, p);
      return;
    }
    if (waiting !== undefined) {
      waiting.pending.push(p);
      if (p.end) waiting.ended = true;
      return;
    }
    if (!p.start) {
      this.expected.set(p.request, 'INVALID_ARG');
      return;
    }
    const free = this.holders.indexOf(undefined);
    if (free >= 0) {
      this.holders[free] = id;
      this.execute(free, id, p);
      return;
    }
    this.backlog.push({ id, pending: [p], ended: p.end });
  }

  private execute(slot: number, id: number, p: Pending): void {
    const sum = (p.start ? 0 : this.sums.get(id)!) + p.value;
    this.sums.set(id, sum);
    this.expected.set(p.request, String(sum));
    if (!p.end) return;
    this.holders[slot] = undefined;
    const next = this.backlog.shift();
    if (next === undefined) return;
    this.holders[slot] = next.id;
    for (const queued of next.pending) {
      if (this.holders[slot] !== next.id) break;
      this.execute(slot, next.id, queued);
    }
  }
}

/** The real batcher on the simulator's event loop, one request at a time. */
class Real {
  readonly loop = new EventLoop({ choose: () => 0 });
  readonly events: TraceEvent[] = [];
  readonly results = new Map<string, string>();
  private readonly scheduler: SequenceBatchScheduler;
  private counter = 0;

  constructor(make: ZooBug['make'] = (m, d, o) => new SequenceBatchScheduler(m, d, o)) {
    const loop = this.loop;
    this.scheduler = make(
      model,
      {
        clock: loop,
        timers: loop,
        executor: {
          execute: (batch, done) => {
            loop.schedule(loop.nowUs() + 10, { label: 'complete' }, () => {
              done({
                ok: true,
                outputs: batch.rows.map((row) => {
                  if (row.request === null) return null;
                  row.state.value = (row.state.initialized ? row.state.value : 0) + row.request.input;
                  row.state.initialized = true;
                  return row.state.value;
                }),
              });
            });
          },
        },
        responses: {
          respond: (request: InferRequest, result: InferResult) => this.results.set(request.id, 'output' in result ? String(result.output) : result.error.code),
        },
        events: { enabled: true, emit: (event: TraceEventBody) => this.events.push({ t: loop.nowUs(), ...event } as TraceEvent) },
      },
      {},
    );
  }

  send(id: number, p: Pending): void {
    const request: InferRequest = {
      id: p.request,
      sequence: id,
      step: this.counter++,
      correlationId: u64Id(BigInt(id)),
      start: p.start,
      end: p.end,
      input: p.value,
      timeoutUs: 0,
      batchSize: 1,
      arrivalUs: -1,
      cancelled: false,
    };
    const error = this.scheduler.enqueue(request);
    if (error !== null) this.results.set(request.id, error.code);
    // Advance one second: every batch completes; the (far away) idle reaper does not fire.
    expect(this.loop.runUntil(this.loop.nowUs() + 1_000_000, 100_000)).toBe('quiescent');
  }
}

interface World {
  readonly model: Model;
  readonly real: Real;
  next: number;
}

class Send implements fc.Command<World, World> {
  constructor(
    readonly id: number,
    readonly value: number,
    readonly start: boolean,
    readonly end: boolean,
  ) {}
  check(): boolean {
    return true;
  }
  run(_m: World, w: World): void {
    const p: Pending = { request: `r${w.next++}`, value: this.value, start: this.start, end: this.end };
    w.model.arrive(this.id, p);
    w.real.send(this.id, p);
    expect(Object.fromEntries(w.real.results)).toEqual(Object.fromEntries(w.model.expected));
  }
  toString(): string {
    return `send(${this.id}, ${this.value}${this.start ? ', START' : ''}${this.end ? ', END' : ''})`;
  }
}

const send = fc
  .record({
    id: fc.integer({ min: 1, max: 4 }),
    value: fc.integer({ min: 1, max: 9 }),
    // START often, END rarely: sequences must live long enough to fill both slots and the backlog.
    start: fc.constantFrom(true, true, false),
    end: fc.constantFrom(true, false, false, false),
  })
  .map((c) => new Send(c.id, c.value, c.start, c.end));

function agreesWithModel(make?: ZooBug['make']): void {
  fc.assert(
    fc.property(fc.commands([send], { maxCommands: 40 }), (commands) => {
      const world: World = { model: new Model(), real: new Real(make), next: 0 };
      fc.modelRun(() => ({ model: world, real: world }), commands);
    }),
    { numRuns: 300, seed: 5 },
  );
}

describe('model-based: the real Direct batcher against an abstract model', () => {
  it('agrees on slot ownership, backlog order and every response, command by command', () => {
    agreesWithModel();
  });

  it.each(['backlog-lifo', 'state-not-reset-on-start', 'slot-leak-on-end'])('catches the zoo bug %s', (name) => {
    expect(() => agreesWithModel(zooBug(name)!.make)).toThrow(/Property failed/);
  });
});

describe('model-based: a fixed command list', () => {
  it('LIFO backlog shows as the wrong sequence answering first', () => {
    const run = (make?: ZooBug['make']) => {
      const world: World = { model: new Model(), real: new Real(make), next: 0 };
      for (const c of [
        new Send(1, 1, true, false),
        new Send(2, 2, true, false),
        new Send(3, 3, true, false),
        new Send(4, 4, true, false),
        new Send(1, 1, false, true),
      ]) {
        c.run(world, world);
      }
    };
    expect(() => run()).not.toThrow();
    expect(() => run(zooBug('backlog-lifo')!.make)).toThrow();
  });
});
