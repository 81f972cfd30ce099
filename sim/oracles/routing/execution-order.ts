import type { TraceEvent } from '../../../src/core/events.ts';
import { FlagColumn } from '../books/columns.ts';
import { type Ledger, slotName } from '../ledger.ts';
import { ViolationSink, type Violation } from '../types.ts';
import type { Epoch } from './epoch.ts';

const EXECUTED = 1;
const CANCELLED = 2;
/** Ran as its own step (not as a retry of another): the last to run its step unless a retry ran it since. */
const RAN_OWN_STEP = 4;

/** Where each request joined (routing/slot-occupancy.ts), by request number. */
export interface Placements {
  epochOf(request: number): Epoch | undefined;
  positionOf(epoch: Epoch, request: number): number;
}

/**
 * Checks every executed row against the epoch its request joined: in its sequence's slot
 * (affinity), once, in arrival order and not after the sequence was released (order).
 * Books by request number (the ledger's ids).
 */
export class ExecutionOrder {
  private readonly affinity = new ViolationSink('affinity');
  private readonly order = new ViolationSink('order');
  /** EXECUTED, CANCELLED, RAN_OWN_STEP. */
  private readonly flags = new FlagColumn();
  /**
   * First attempt's request number → the retry that executed that step last. A step its first
   * attempt ran last has no entry (its RAN_OWN_STEP flag says so): only retries cost a Map entry.
   */
  private readonly retryRanStep = new Map<number, number>();

  constructor(
    private readonly ledger: Ledger,
    private readonly placements: Placements,
  ) {}

  onCancel(event: Extract<TraceEvent, { type: 'cancel' }>): void {
    this.flags.add(this.ledger.sent.ids.intern(event.request), CANCELLED);
  }

  onExecute(event: Extract<TraceEvent, { type: 'execute' }>, index: number): void {
    const rows = event.rows;
    const numbers = this.ledger.sent.ids.internRows(rows);
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i]!;
      if (row.request !== null) this.checkRow(row.request, numbers[i]!, slotName(event.instance, row.slot), index);
    }
  }

  violations(): Violation[] {
    return [...this.affinity.done(), ...this.order.done()];
  }

  private checkRow(request: string, number: number, slot: string, index: number): void {
    if (!this.runsOnce(request, number, index)) return;
    const epoch = this.placements.epochOf(number);
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
    const position = this.placements.positionOf(epoch, number);
    this.checkArrivalOrder(epoch, request, position, index);
    this.checkNotAfterRelease(epoch, request, number, position, index);
  }

  /** False for a request that already ran; also flags a step that ran again as a client retry. */
  private runsOnce(request: string, number: number, index: number): boolean {
    const flags = this.flags;
    if (flags.has(number, EXECUTED)) {
      this.order.add(`request ${request} executed twice`, [index]);
      return false;
    }
    // A client retry is a new request for the same step: if both ran, the step applied twice.
    const ids = this.ledger.sent.ids;
    const firstAttempt = this.ledger.sent.retryOf(number);
    const step = firstAttempt < 0 ? number : firstAttempt;
    const earlier = this.retryRanStep.get(step) ?? (flags.has(step, RAN_OWN_STEP) ? step : -1);
    flags.add(number, EXECUTED);
    if (earlier >= 0) {
      this.order.add(`request ${request} ran step ${ids.text(step)} again after ${ids.text(earlier)} had run it: a retried stateful request applied twice`, [
        index,
      ]);
    }
    if (number === step) {
      flags.add(number, RAN_OWN_STEP);
      this.retryRanStep.delete(step);
    } else this.retryRanStep.set(step, number);
    return true;
  }

  private checkArrivalOrder(epoch: Epoch, request: string, position: number, index: number): void {
    // Requests the client cancelled may be dropped without running (Oldest answers a request
    // cancelled inside its dynamic batcher alone, and the sequence goes on).
    const requests = epoch.requests;
    while (epoch.executedUpTo + 1 < position && this.flags.has(requests.at(epoch.executedUpTo + 1)!, CANCELLED)) epoch.executedUpTo++;
    if (position !== epoch.executedUpTo + 1) {
      const expected = requests.at(epoch.executedUpTo + 1);
      const named = expected === undefined ? 'its predecessor' : this.ledger.sent.ids.text(expected);
      this.order.add(`request ${request} of sequence ${epoch.sequenceKey} executed before ${named}, which arrived first`, [index]);
    }
    epoch.executedUpTo = Math.max(epoch.executedUpTo, position);
  }

  /** Direct releases the slot when END is placed into a batch, so that END may run after the release; nothing else may. */
  private checkNotAfterRelease(epoch: Epoch, request: string, number: number, position: number, index: number): void {
    const release = epoch.release;
    if (release === undefined) return;
    const releasingEnd = release.reason === 'end' && position === epoch.requests.length - 1 && this.ledger.sent.endOf(number);
    if (!releasingEnd) {
      this.order.add(`request ${request} executed after its sequence ${epoch.sequenceKey} was released (${release.reason})`, [release.index, index]);
    }
  }
}
