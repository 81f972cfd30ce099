import type { TraceEvent, TraceRow } from '../../src/core/events.ts';
import type { ModelConfig } from '../../src/config/types.ts';
import { accumulate, accumulatorModelOf, type AccumulatorModel } from '../../src/model/reference.ts';
import { CLIENT_TIMEOUT_PREFIX } from '../clients.ts';
import { Ledger, sequenceKey, slotName, type SentBook } from './ledger.ts';
import { FlagColumn, Float64Column, Int32Column } from './books/columns.ts';
import { ViolationSink, type Violation } from './types.ts';

/** The config of the model object a trace line belongs to (its `generation`; undefined = the only one). */
export type ModelOf = (generation: number | undefined) => ModelConfig;

export type Expected = { kind: 'output'; value: number; index: number } | { kind: 'failed'; index: number } | { kind: 'unknown'; index: number };

/**
 * The reference accumulator replayed over what actually executed: slot states per slot, START
 * restarting from the initial value (Direct: when the row is placed; Oldest: at dispatch, so a START
 * cancelled inside the dynamic batcher still reset its slot), padding changing nothing, a failed
 * batch leaving the slot's state unknown. It books what each executed request should have
 * output, as of the events seen so far (`expectedOf`); `onUninitialised` hears of rows that continued on a state
 * no START initialised. Online: fed one event at a time.
 */
export class ReferenceReplay {
  /** What each completed request should have output, by request number (books/columns.ts). */
  private readonly expectedKind = new Int32Column(NOT_EXECUTED);
  private readonly expectedValue = new Float64Column();
  private readonly expectedIndex = new Int32Column();
  /** Request numbers in the order they first got an expectation. */
  private readonly expectedOrder = new Int32Column();
  private expectedCount = 0;
  private readonly modelOf: ModelOf;
  private readonly state = new Map<string, number | 'poisoned'>();
  /** Executed batches not yet complete, with their rows' request numbers. */
  private readonly pendingRows = new Map<number, PendingBatch>();

  constructor(
    private readonly sent: SentBook,
    // Each model object (generation) runs its own config: a reload may change the accumulator.
    model: ModelConfig | ModelOf,
    private readonly onUninitialised: (request: string, slot: string, index: number) => void = () => {},
  ) {
    this.modelOf = typeof model === 'function' ? model : () => model;
  }

  observe(event: TraceEvent, index: number): void {
    if (event.type === 'dispatch') {
      const number = this.sent.numberOf(event.request);
      if (number >= 0 && this.sent.startOf(number))
        this.state.set(slotName(event.instance, event.slot), accumulatorFor(this.modelOf(event.generation)).initialValue);
    } else if (event.type === 'execute') {
      const numbers = this.sent.ids.internRows(event.rows);
      const model = this.modelOf(event.generation);
      const oldest = model.strategy.kind === 'oldest';
      this.pendingRows.set(event.batch, { instance: event.instance, rows: event.rows, numbers, index, accumulator: accumulatorFor(model), oldest });
    } else if (event.type === 'complete') {
      const batch = this.pendingRows.get(event.batch);
      if (batch === undefined) return;
      this.pendingRows.delete(event.batch);
      const rows = batch.rows;
      for (let i = 0; i < rows.length; i++) {
        const row = rows[i]!;
        if (row.request === null) continue;
        const number = batch.numbers[i]!;
        if (!event.ok) {
          // What a failed execute left in the slot's state is unknown until the next START.
          this.expect(number, FAILED, batch.index);
          this.state.set(slotName(batch.instance, row.slot), 'poisoned');
          continue;
        }
        const output = this.replayRow(number, row, batch);
        if (output === undefined) this.expect(number, UNKNOWN, batch.index);
        else this.expect(number, OUTPUT, batch.index, output);
      }
    }
  }

  /** What the request numbered `number` should have output, as of the events seen so far; undefined: it never completed. */
  expectedOf(number: number): Expected | undefined {
    const kind = this.expectedKind.get(number);
    if (kind === NOT_EXECUTED) return undefined;
    const index = this.expectedIndex.get(number);
    return kind === OUTPUT ? { kind: 'output', value: this.expectedValue.get(number), index } : { kind: kind === FAILED ? 'failed' : 'unknown', index };
  }

  /** Whether the request numbered `number` should have output exactly `output` (the common response, judged without an Expected). */
  outputAgrees(number: number, output: number): boolean {
    return this.expectedKind.get(number) === OUTPUT && Object.is(this.expectedValue.get(number), output);
  }

  /** Every expectation, by request id, in the order each request first got one. */
  expectations(): Map<string, Expected> {
    const all = new Map<string, Expected>();
    for (let i = 0; i < this.expectedCount; i++) {
      const number = this.expectedOrder.get(i);
      all.set(this.sent.ids.text(number), this.expectedOf(number)!);
    }
    return all;
  }

  /** Books what the request numbered `number` should have output: `kind`, from the execute at `index` (`value` for OUTPUT). */
  private expect(number: number, kind: number, index: number, value = Number.NaN): void {
    if (this.expectedKind.get(number) === NOT_EXECUTED) this.expectedOrder.set(this.expectedCount++, number);
    this.expectedKind.set(number, kind);
    this.expectedIndex.set(number, index);
    if (kind === OUTPUT) this.expectedValue.set(number, value);
  }

  /** Replays the row of the request numbered `number` on its slot's state: what it should output, undefined when not knowable. */
  private replayRow(number: number, row: TraceRow, batch: PendingBatch): number | undefined {
    const { accumulator, oldest, index } = batch;
    const slot = slotName(batch.instance, row.slot);
    // Never sent: nothing to replay it with.
    if (!this.sent.isSent(number)) return undefined;
    const previous = this.state.get(slot);
    const resets = row.start && !oldest;
    if (!resets && previous === 'poisoned') return undefined;
    if (!resets && previous === undefined) {
      this.onUninitialised(row.request!, slot, index);
      this.state.set(slot, 'poisoned');
      return undefined;
    }
    const base = resets ? accumulator.initialValue : (previous as number);
    const step = accumulate(accumulator, { ready: row.ready, start: row.start, end: row.end, input: this.sent.stepValueOf(number), corrid: row.corrid }, base);
    if (step.kind !== 'output') return undefined;
    this.state.set(slot, step.state);
    return step.output;
  }
}

/** ReferenceReplay over a whole trace: what each executed request should have output. */
export function replayReference(
  events: readonly TraceEvent[],
  ledger: Ledger,
  model: ModelConfig | ModelOf,
  onUninitialised: (request: string, slot: string, index: number) => void = () => {},
): Map<string, Expected> {
  const replay = new ReferenceReplay(ledger.sent, model, onUninitialised);
  for (let index = 0; index < events.length; index++) replay.observe(events[index]!, index);
  return replay.expectations();
}

interface PendingBatch {
  readonly instance: number;
  readonly rows: readonly TraceRow[];
  /** The rows' request numbers (RequestIds.internRows). */
  readonly numbers: readonly number[];
  readonly index: number;
  /** The batch's model object's accumulator, and whether it batches Oldest (START resets at dispatch). */
  readonly accumulator: AccumulatorModel;
  readonly oldest: boolean;
}

const NOT_EXECUTED = 0;
const OUTPUT = 1;
const FAILED = 2;
const UNKNOWN = 3;

const accumulators = new WeakMap<ModelConfig, AccumulatorModel>();

/** One accumulator per model config: replaying a long trace builds none per row. */
function accumulatorFor(model: ModelConfig): AccumulatorModel {
  let accumulator = accumulators.get(model);
  if (accumulator === undefined) {
    accumulator = accumulatorModelOf(model);
    accumulators.set(model, accumulator);
  }
  return accumulator;
}

/** What each executed request should output per the reference (undefined: not knowable), for reports. */
export function referenceOutputs(events: readonly TraceEvent[], model: ModelConfig): Map<string, number | undefined> {
  const reference = new Map<string, number | undefined>();
  for (const [request, want] of replayReference(events, new Ledger(events), model)) reference.set(request, want.kind === 'output' ? want.value : undefined);
  return reference;
}

/**
 * Outputs equal the reference accumulator's for what actually executed (design §3 oracle 6), so a
 * new occupant that sees its predecessor's state shows as a wrong sum; error responses need a cause.
 * Online: a response is judged against what executed before it arrived. Violations list the rows
 * on uninitialised state first, then the responses, under one cap.
 */
export class OutputsOracle {
  private readonly uninitialised = new ViolationSink('outputs');
  private readonly responses = new ViolationSink('outputs');
  private readonly replay: ReferenceReplay;
  private readonly cancelledSequences = new Set<string>();
  private readonly expiredSequences = new Set<string>();
  /** Request numbers rejected (flag REJECTED). */
  private readonly rejected = new FlagColumn();

  constructor(
    private readonly sent: SentBook,
    model: ModelConfig | ModelOf,
  ) {
    this.replay = new ReferenceReplay(sent, model, (request, slot, index) =>
      this.uninitialised.add(`request ${request} continued on the state of ${slot}, which no START initialised (Triton would read uninitialised memory)`, [
        index,
      ]),
    );
  }

  observe(event: TraceEvent, index: number): void {
    this.replay.observe(event, index);
    switch (event.type) {
      case 'cancel': {
        const number = this.sent.numberOf(event.request);
        if (number >= 0) this.cancelledSequences.add(this.sent.sequenceKeyOf(number));
        return;
      }
      case 'reject':
        this.rejected.add(this.sent.ids.intern(event.request), REJECTED);
        return;
      case 'release':
        if (event.reason === 'expired') this.expiredSequences.add(sequenceKey(event.sequence));
        return;
      case 'response':
        this.checkResponse(event, index);
        return;
      default:
        return;
    }
  }

  done(): Violation[] {
    return ViolationSink.joined(this.uninitialised, this.responses);
  }

  private checkResponse(event: Extract<TraceEvent, { type: 'response' }>, index: number): void {
    const sink = this.responses;
    const number = this.sent.numberOf(event.request);
    if (number < 0) return;
    if ('output' in event && this.replay.outputAgrees(number, event.output)) return;
    const want = this.replay.expectedOf(number);
    if ('output' in event) {
      if (want === undefined) sink.add(`request ${event.request} got output ${event.output} but never executed`, [index]);
      else if (want.kind === 'failed') sink.add(`request ${event.request} got output ${event.output} from a failed batch`, [want.index, index]);
      else if (want.kind === 'output' && !Object.is(want.value, event.output)) {
        sink.add(`request ${event.request} got ${event.output}, the reference accumulator gives ${want.value}`, [want.index, index]);
      }
      return;
    }
    const code = event.error.code;
    if (code === 'UNAVAILABLE' && event.error.message.startsWith(CLIENT_TIMEOUT_PREFIX)) {
      // seqsim's client gave up (only clients under a fault plan time out): a dropped or delayed
      // message, a stalled batch, or simply a long wait in the backlog. Under a fault plan a
      // request lost inside the server therefore shows as a timeout: check losses without faults.
      return;
    }
    if (want !== undefined && want.kind !== 'failed') {
      sink.add(`request ${event.request} executed successfully but the client got ${event.error.code}`, [want.index, index]);
      return;
    }
    const explained =
      want?.kind === 'failed' ||
      this.rejected.has(number, REJECTED) ||
      (code === 'CANCELLED' && this.cancelledSequences.has(this.sent.sequenceKeyOf(number))) ||
      (code === 'UNAVAILABLE' && this.expiredSequences.has(this.sent.sequenceKeyOf(number)));
    if (!explained)
      sink.add(`request ${event.request} got ${code} "${event.error.message}" with no cause (not rejected, cancelled, expired or failed)`, [index]);
  }
}

const REJECTED = 1;

/** OutputsOracle over a whole trace. */
export function checkOutputs(events: readonly TraceEvent[], ledger: Ledger, model: ModelConfig | ModelOf): Violation[] {
  const oracle = new OutputsOracle(ledger.sent, model);
  for (let index = 0; index < events.length; index++) oracle.observe(events[index]!, index);
  return oracle.done();
}
