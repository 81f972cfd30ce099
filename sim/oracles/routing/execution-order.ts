import type { TraceEvent } from '../../../src/core/events.ts';
import { type Ledger, slotName } from '../ledger.ts';
import { ViolationSink, type Violation } from '../types.ts';
import type { Epoch } from './epoch.ts';

/**
 * Checks every executed row against the epoch its request joined: in its sequence's slot
 * (affinity), once, in arrival order and not after the sequence was released (order).
 */
export class ExecutionOrder {
  private readonly affinity = new ViolationSink('affinity');
  private readonly order = new ViolationSink('order');
  private readonly executed = new Set<string>();
  /** First attempt's request id → the attempt that executed that step. */
  private readonly stepRanAs = new Map<string, string>();
  private readonly cancelled = new Set<string>();

  constructor(
    private readonly ledger: Ledger,
    private readonly epochs: { epochOf(request: string): Epoch | undefined },
  ) {}

  onCancel(event: Extract<TraceEvent, { type: 'cancel' }>): void {
    this.cancelled.add(event.request);
  }

  onExecute(event: Extract<TraceEvent, { type: 'execute' }>, index: number): void {
    for (const row of event.rows) {
      if (row.request !== null) this.checkRow(row.request, slotName(event.instance, row.slot), index);
    }
  }

  violations(): Violation[] {
    return [...this.affinity.done(), ...this.order.done()];
  }

  private checkRow(request: string, slot: string, index: number): void {
    if (!this.runsOnce(request, index)) return;
    const epoch = this.epochs.epochOf(request);
    if (epoch === undefined) {
      this.order.add(`request ${request} executed but the scheduler never accepted it`, [index]);
      return;
    }
    if (epoch.slot !== slot) {
      this.affinity.add(
        epoch.slot === undefined
          ? `request ${request} executed in ${slot} before its sequence ${epoch.sequenceKey} got a slot`
          : `request ${request} executed in ${slot} but its sequence ${epoch.sequenceKey} holds ${epoch.slot}`,
        [index],
      );
    }
    const position = epoch.positionOf(request);
    this.checkArrivalOrder(epoch, request, position, index);
    this.checkNotAfterRelease(epoch, request, position, index);
  }

  /** False for a request that already ran; also flags a step that ran again as a client retry. */
  private runsOnce(request: string, index: number): boolean {
    if (this.executed.has(request)) {
      this.order.add(`request ${request} executed twice`, [index]);
      return false;
    }
    this.executed.add(request);
    // A client retry is a new request for the same step: if both ran, the step applied twice.
    const step = this.ledger.sent.get(request)?.retryOf ?? request;
    const earlier = this.stepRanAs.get(step);
    if (earlier !== undefined) {
      this.order.add(`request ${request} ran step ${step} again after ${earlier} had run it: a retried stateful request applied twice`, [index]);
    }
    this.stepRanAs.set(step, request);
    return true;
  }

  private checkArrivalOrder(epoch: Epoch, request: string, position: number, index: number): void {
    // Requests the client cancelled may be dropped without running (Oldest answers a request
    // cancelled inside its dynamic batcher alone, and the sequence goes on).
    while (epoch.executedUpTo + 1 < position && this.cancelled.has(epoch.requests[epoch.executedUpTo + 1]!)) epoch.executedUpTo++;
    if (position !== epoch.executedUpTo + 1) {
      const expected = epoch.requests[epoch.executedUpTo + 1];
      this.order.add(`request ${request} of sequence ${epoch.sequenceKey} executed before ${expected ?? 'its predecessor'}, which arrived first`, [index]);
    }
    epoch.executedUpTo = Math.max(epoch.executedUpTo, position);
  }

  /** Direct releases the slot when END is placed into a batch, so that END may run after the release; nothing else may. */
  private checkNotAfterRelease(epoch: Epoch, request: string, position: number, index: number): void {
    const release = epoch.release;
    if (release === undefined) return;
    const releasingEnd = release.reason === 'end' && position === epoch.requests.length - 1 && this.ledger.sent.get(request)?.end === true;
    if (!releasingEnd) {
      this.order.add(`request ${request} executed after its sequence ${epoch.sequenceKey} was released (${release.reason})`, [release.index, index]);
    }
  }
}
