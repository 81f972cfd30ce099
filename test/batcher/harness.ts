import { SequenceBatchScheduler, type BatcherOptions } from '../../src/batcher/index.ts';
import type { TritonError } from '../../src/core/errors.ts';
import type { TraceEvent, TraceEventBody } from '../../src/core/events.ts';
import { correlationIdFromScenario, type CorrelationId, type ScenarioId } from '../../src/core/ids.ts';
import type { Batch, Executor } from '../../src/core/ports.ts';
import type { InferRequest, InferResult } from '../../src/core/request.ts';
import type { Controls, DirectStrategy, ModelConfig, OldestStrategy } from '../../src/config/types.ts';
import { accumulate } from '../../src/model/reference.ts';
import { EventLoop, seededChooser, type Chooser } from '../../sim/kernel/event-queue.ts';
import { RandomStreams } from '../../sim/kernel/random.ts';

/** What a backend reads from a slot state nobody initialised (Triton: uninitialised memory). */
export const GARBAGE = 777_777;

export const INT32_CONTROLS: Controls = {
  start: { kind: 'CONTROL_SEQUENCE_START', tensorName: 'START', dataType: 'TYPE_INT32', falseValue: 0, trueValue: 1 },
  end: { kind: 'CONTROL_SEQUENCE_END', tensorName: 'END', dataType: 'TYPE_INT32', falseValue: 0, trueValue: 1 },
  ready: { kind: 'CONTROL_SEQUENCE_READY', tensorName: 'READY', dataType: 'TYPE_INT32', falseValue: 0, trueValue: 1 },
};

export interface ModelOptions {
  readonly maxBatchSize?: number;
  readonly instanceCount?: number;
  readonly maxSequenceIdleUs?: number;
  readonly controls?: Controls;
  readonly initialStateValue?: number;
  readonly direct?: Partial<Omit<DirectStrategy, 'kind'>>;
  /** Selects Oldest; missing fields take Triton's normalised defaults. */
  readonly oldest?: Partial<Omit<OldestStrategy, 'kind'>>;
}

/** A normalised ModelConfig by hand (the normaliser is tested elsewhere). */
export function makeModel(options: ModelOptions = {}): ModelConfig {
  const maxBatchSize = options.maxBatchSize ?? 2;
  const strategy: DirectStrategy | OldestStrategy =
    options.oldest !== undefined
      ? {
          kind: 'oldest',
          maxCandidateSequences: options.oldest.maxCandidateSequences ?? Math.max(1, maxBatchSize),
          preferredBatchSizes: options.oldest.preferredBatchSizes ?? (maxBatchSize > 0 ? [maxBatchSize] : []),
          maxQueueDelayUs: options.oldest.maxQueueDelayUs ?? 0,
          preserveOrdering: options.oldest.preserveOrdering ?? false,
        }
      : { kind: 'direct', maxQueueDelayUs: options.direct?.maxQueueDelayUs ?? 0, minimumSlotUtilization: options.direct?.minimumSlotUtilization ?? 0 };
  return {
    name: 'acc',
    maxBatchSize,
    instanceCount: options.instanceCount ?? 1,
    tensorDataType: 'TYPE_INT32',
    maxSequenceIdleUs: options.maxSequenceIdleUs ?? 1_000_000,
    controls: options.controls ?? INT32_CONTROLS,
    strategy,
    states: [],
    initialStateValue: options.initialStateValue ?? 0,
    iterativeSequence: false,
    slotsPerInstance: strategy.kind === 'oldest' ? strategy.maxCandidateSequences : Math.max(1, maxBatchSize),
  };
}

export interface StepOptions {
  readonly start?: boolean;
  readonly end?: boolean;
  readonly input?: number;
  readonly timeoutUs?: number;
  readonly batchSize?: number;
  /** Defaults to the scenario id; set to send a string id "5" next to u64 5, etc. */
  readonly correlationId?: CorrelationId;
  /** Defaults to "<sequence>:<step>". */
  readonly requestId?: string;
}

export function makeRequest(sequence: ScenarioId, step: number, options: StepOptions = {}): InferRequest {
  const text = typeof sequence === 'object' ? sequence.u64 : String(sequence);
  return {
    id: options.requestId ?? `${text}:${step}`,
    sequence,
    step,
    correlationId: options.correlationId ?? correlationIdFromScenario(sequence),
    start: options.start ?? false,
    end: options.end ?? false,
    input: options.input ?? step + 1,
    timeoutUs: options.timeoutUs ?? 0,
    batchSize: options.batchSize ?? 1,
    arrivalUs: -1,
    cancelled: false,
  };
}

export interface HarnessOptions extends BatcherOptions {
  readonly chooser?: Chooser;
  /** Executor latency per batch (µs); a function gets the batch number. */
  readonly latencyUs?: number | ((batch: Batch) => number);
  /** Batch numbers whose execution fails. */
  readonly failBatches?: readonly number[];
}

export interface Answer {
  readonly t: number;
  readonly result: InferResult;
}

/**
 * Drives the real scheduler on the simulator's EventLoop with a QA-accumulator executor, and
 * records every trace event, answer and synchronous rejection.
 */
export class Harness {
  readonly loop: EventLoop;
  readonly scheduler: SequenceBatchScheduler;
  readonly events: TraceEvent[] = [];
  readonly answers = new Map<string, Answer[]>();
  readonly rejects = new Map<string, TritonError>();
  readonly requests = new Map<string, InferRequest>();

  constructor(
    readonly model: ModelConfig,
    options: HarnessOptions = {},
  ) {
    this.loop = new EventLoop(options.chooser ?? { choose: () => 0 });
    const loop = this.loop;
    const latency = options.latencyUs ?? 100;
    const failing = new Set(options.failBatches ?? []);
    const executor: Executor = {
      execute: (batch, done) => {
        const latencyUs = typeof latency === 'number' ? latency : latency(batch);
        loop.schedule(loop.nowUs() + latencyUs, { label: `complete:I${batch.instance}`, channel: `exec:I${batch.instance}` }, () => {
          done(
            failing.has(batch.batch)
              ? { ok: false, error: { code: 'INTERNAL', message: `batch ${batch.batch} failed` } }
              : { ok: true, outputs: runRows(model, batch) },
          );
        });
      },
    };
    this.scheduler = new SequenceBatchScheduler(
      model,
      {
        clock: loop,
        timers: loop,
        executor,
        responses: { respond: (request, result) => this.answer(request, result) },
        events: { enabled: true, emit: (event: TraceEventBody) => this.events.push({ t: loop.nowUs(), ...event } as TraceEvent) },
      },
      options,
    );
  }

  /** Sends `request` to the scheduler at `atUs`; sends on one channel keep their order. */
  send(atUs: number, request: InferRequest, channel?: string): InferRequest {
    this.requests.set(request.id, request);
    this.loop.schedule(atUs, { label: `send:${request.id}`, ...(channel === undefined ? {} : { channel }) }, () => {
      const error = this.scheduler.enqueue(request);
      if (error !== null) this.rejects.set(request.id, error);
    });
    return request;
  }

  /** Sends a whole sequence: steps at the given times, START on the first, END on the last. */
  sequence(sequence: ScenarioId, timesUs: readonly number[], options: { end?: boolean; inputs?: readonly number[] } = {}): InferRequest[] {
    return timesUs.map((atUs, step) =>
      this.send(
        atUs,
        makeRequest(sequence, step, {
          start: step === 0,
          end: (options.end ?? true) && step === timesUs.length - 1,
          input: options.inputs?.[step] ?? step + 1,
        }),
        `client:${JSON.stringify(sequence)}`,
      ),
    );
  }

  cancelAt(atUs: number, request: InferRequest): void {
    this.loop.schedule(atUs, { label: `cancel:${request.id}` }, () => this.scheduler.cancel(request));
  }

  stopAt(atUs: number): void {
    this.loop.schedule(atUs, { label: 'stop' }, () => this.scheduler.stop());
  }

  /** Runs to quiescence; a run that does not get there is a test failure. */
  run(maxEvents = 1_000_000): this {
    const outcome = this.loop.run(maxEvents);
    if (outcome !== 'quiescent') throw new Error(`run did not become quiescent: ${outcome}`);
    if (this.loop.pending !== 0) {
      // Only cancelled timers may remain.
      const again = this.loop.run(maxEvents);
      if (again !== 'quiescent') throw new Error('timers left after quiescence');
    }
    return this;
  }

  /** The single answer of a request (fails if there is none or more than one). */
  answerOf(requestId: string): Answer {
    const list = this.answers.get(requestId) ?? [];
    if (list.length !== 1) throw new Error(`${requestId} has ${list.length} answers`);
    return list[0]!;
  }

  outputOf(requestId: string): number {
    const result = this.answerOf(requestId).result;
    if (!('output' in result)) throw new Error(`${requestId} failed: ${JSON.stringify(result.error)}`);
    return result.output;
  }

  errorOf(requestId: string): TritonError {
    const result = this.answerOf(requestId).result;
    if (!('error' in result)) throw new Error(`${requestId} succeeded with ${result.output}`);
    return result.error;
  }

  ofType<T extends TraceEvent['type']>(type: T): Extract<TraceEvent, { type: T }>[] {
    return this.events.filter((event): event is Extract<TraceEvent, { type: T }> => event.type === type);
  }

  /** Executed batches in a compact form: "t I<instance> [row, …]" with row = request id or "-". */
  batches(): string[] {
    return this.ofType('execute').map((e) => `${e.t} I${e.instance} [${e.rows.map((row) => row.request ?? '-').join(' ')}]`);
  }

  assigns(): string[] {
    return this.ofType('assign').map((e) => `${e.t} ${String(e.sequence)}→I${e.instance}s${e.slot}`);
  }

  releases(): string[] {
    return this.ofType('release').map((e) => `${e.t} ${String(e.sequence)} ${e.instance === null ? 'backlog' : `I${e.instance}s${e.slot}`} ${e.reason}`);
  }

  /** Every sent request was answered exactly once or rejected, never both. */
  assertEveryRequestAnsweredOnce(): void {
    for (const id of this.requests.keys()) {
      const answered = this.answers.get(id)?.length ?? 0;
      const rejected = this.rejects.has(id) ? 1 : 0;
      if (answered + rejected !== 1) throw new Error(`${id}: ${answered} answers, ${rejected} rejects`);
    }
  }

  private answer(request: InferRequest, result: InferResult): void {
    const list = this.answers.get(request.id) ?? [];
    list.push({ t: this.loop.nowUs(), result });
    this.answers.set(request.id, list);
  }
}

/** The QA accumulator on the batcher-supplied slot state; padding rows scribble on their state. */
function runRows(model: ModelConfig, batch: Batch): (number | null)[] {
  return batch.rows.map((row) => {
    if (row.request === null) {
      // A padding row's state is a throw-away copy: writing it must never reach a real slot.
      row.state.initialized = true;
      row.state.value = -1_000_000;
      return null;
    }
    const base = row.state.initialized ? row.state.value : GARBAGE;
    const step = accumulate(
      { dataType: model.tensorDataType, addsCorridOnEnd: false, initialValue: model.initialStateValue },
      { ready: row.ready, start: row.start, end: row.end, input: row.request.input, corrid: row.corrid },
      base,
    );
    if (step.kind !== 'output') throw new Error(`row for ${row.request.id} produced ${step.kind}`);
    row.state.initialized = true;
    row.state.value = step.state;
    return step.output;
  });
}

export function seeded(seed: number): Chooser {
  const stream = new RandomStreams(seed).stream('ties');
  return seededChooser(() => stream.next());
}

export function workloadStream(seed: number): ReturnType<RandomStreams['stream']> {
  return new RandomStreams(seed).stream('workload');
}
