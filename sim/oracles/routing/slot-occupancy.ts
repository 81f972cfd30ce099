import type { TraceEvent } from '../../../src/core/events.ts';
import { type Ledger, generationKey, sequenceKey, slotName } from '../ledger.ts';
import { ViolationSink, type Violation } from '../types.ts';
import { Backlog } from './backlog.ts';
import { type Epoch, Membership } from './epoch.ts';

type EventOf<T extends TraceEvent['type']> = Extract<TraceEvent, { type: T }>;

/** A request that arrived while no epoch of its sequence was live: the next assign or backlog opens one for it. */
interface UnplacedArrival {
  /** Its number in the ledger's ids. */
  readonly request: number;
  readonly key: string;
  readonly end: boolean;
}

/**
 * Which epoch each request joined, which slot each epoch holds, and who waits in the backlog:
 * checks that slots are held exclusively and released by their holder (slot-accounting) and that
 * the backlog is served FIFO (liveness).
 */
export class SlotOccupancy {
  private readonly slots = new ViolationSink('slot-accounting');
  private readonly fairness = new ViolationSink('liveness');
  /** The epoch a sequence id's next request joins, as Triton's slot and backlog maps route it. */
  private readonly live = new Map<string, Epoch>();
  private readonly holder = new Map<string, Epoch>();
  private readonly membership = new Membership();
  private readonly backlog = new Backlog();
  private unplaced: UnplacedArrival | undefined = undefined;

  /**
   * `totalSlots` undefined: the slot count changes during the run (lifecycle updates), where Triton
   * legitimately leaves added slots free while the backlog waits (update spec rule 3).
   */
  constructor(
    private readonly ledger: Ledger,
    private readonly totalSlots: number | undefined,
  ) {}

  /** The epoch the request numbered `request` joined. */
  epochOf(request: number): Epoch | undefined {
    return this.membership.epochOf(request);
  }

  positionOf(epoch: Epoch, request: number): number {
    return this.membership.positionOf(epoch, request);
  }

  onArrive(event: EventOf<'arrive'>): void {
    const sent = this.ledger.sent;
    const number = sent.numberOf(event.request);
    if (number < 0) return;
    const key = generationKey(sent.sequenceKeyOf(number), event.generation);
    const epoch = this.live.get(key);
    this.unplaced = epoch === undefined ? { request: number, key, end: sent.endOf(number) } : undefined;
    if (epoch !== undefined) this.join(epoch, number, sent.endOf(number));
  }

  onReject(event: EventOf<'reject'>, index: number): void {
    this.unplaced = undefined;
    const number = this.ledger.sent.ids.find(event.request);
    const epoch = number < 0 ? undefined : this.membership.epochOf(number);
    if (epoch === undefined) return;
    // Its sequence still holds a slot or waits in the backlog (no END, reap, cancel or expiry in
    // between): Triton routes the request there, it cannot be missing a START.
    if (epoch.release === undefined && event.message.includes('must specify the START flag')) {
      this.slots.add(`request ${event.request} rejected for a missing START while its sequence is still live (the server forgot it)`, [index]);
    }
    this.membership.leave(number);
    if (epoch.release === undefined) this.live.set(epoch.sequenceKey, epoch);
  }

  onBacklog(event: EventOf<'backlog'>, index: number): void {
    const epoch = this.openEpoch(generationKey(sequenceKey(event.sequence), event.generation), undefined);
    this.backlog.add(epoch, event.generation, index);
  }

  onAssign(event: EventOf<'assign'>, index: number): void {
    const name = slotName(event.instance, event.slot);
    const current = this.holder.get(name);
    if (current !== undefined) {
      this.slots.add(`sequence ${event.sequence} assigned ${name}, which ${current.sequenceKey} still holds`, [index]);
    }
    const key = generationKey(sequenceKey(event.sequence), event.generation);
    const unplaced = this.unplaced;
    const epoch =
      unplaced !== undefined && unplaced.key === key && this.membership.epochOf(unplaced.request) === undefined
        ? this.openEpoch(key, name)
        : this.promoteFromBacklog(event, key, name, index);
    if (epoch === undefined) {
      this.slots.add(`sequence ${event.sequence} assigned ${name} without a request asking for it`, [index]);
      return;
    }
    this.holder.set(name, epoch);
  }

  onReap(event: EventOf<'reap'>): void {
    const key = generationKey(sequenceKey(event.sequence), event.generation);
    if (this.live.get(key)?.slot === slotName(event.instance, event.slot)) this.live.delete(key);
  }

  onRelease(event: EventOf<'release'>, index: number): void {
    const key = generationKey(sequenceKey(event.sequence), event.generation);
    if (event.instance === null || event.slot === null) {
      this.releaseFromBacklog(event, key, index);
      return;
    }
    const name = slotName(event.instance, event.slot);
    const epoch = this.holder.get(name);
    // The exited server's process took the slot down at the end of the run: Triton never freed it,
    // so it still counts as held (a leak) — only a release before that frees a slot.
    if (event.reason === 'destroyed' && event.exit === true && epoch?.sequenceKey === key) return;
    if (epoch === undefined || epoch.sequenceKey !== key) {
      this.slots.add(`release of ${name} by sequence ${event.sequence}, which does not hold it`, [index]);
      return;
    }
    this.holder.delete(name);
    this.close(epoch, index, event.reason);
    // Triton's cancel-release erases the id from the slot map whichever sequence it maps
    // to now (spec §5 step 1, §8): later requests of that id start over. The backlog map
    // is untouched, so a backlogged sequence with that id keeps taking its requests.
    if (event.reason === 'cancel' && this.live.get(key)?.slot !== undefined) this.live.delete(key);
  }

  /** Called between instants, once the batcher has finished reacting: no slot may idle while one waits. */
  checkIdleSlotsWhileBacklogged(index: number): void {
    const total = this.totalSlots;
    if (total !== undefined && this.backlog.size > 0 && this.holder.size < total) {
      this.slots.add(`${total - this.holder.size} slot(s) free while ${this.backlog.size} sequence(s) wait in the backlog`, [index]);
    }
  }

  /** Slots held at the end of the run, with the requests of the sequence holding each. */
  heldAtEnd(): { slot: string; sequenceKey: string; requests: readonly string[] }[] {
    const ids = this.ledger.sent.ids;
    return [...this.holder].map(([slot, epoch]) => ({ slot, sequenceKey: epoch.sequenceKey, requests: epoch.requests.toArray().map((r) => ids.text(r)) }));
  }

  /** Backlogged sequences never resolved by the end of the run, with their backlog event. */
  backlogAtEnd(): { sequenceKey: string; index: number }[] {
    return this.backlog.atEnd();
  }

  violations(): Violation[] {
    return [...this.slots.done(), ...this.fairness.done()];
  }

  /** `first_request` names the backlog queue that was promoted (one id may have several). */
  private promoteFromBacklog(event: EventOf<'assign'>, key: string, name: string, index: number): Epoch | undefined {
    const named = this.epochNamed(event.first_request);
    const epoch = this.backlog.promote(key, named);
    if (epoch === undefined) return undefined;
    // Each model object has its own backlog: FIFO holds within a generation only.
    const oldest = this.backlog.oldestWaiting(event.generation);
    if (oldest !== undefined && oldest !== epoch) {
      this.fairness.add(`backlog served out of order: sequence ${epoch.sequenceKey} got ${name} while ${oldest.sequenceKey}, backlogged earlier, still waits`, [
        index,
      ]);
    }
    epoch.slot = name;
    // Promotion maps the id to the slot again unless the sequence's END already came.
    if (!epoch.ended) this.live.set(key, epoch);
    return epoch;
  }

  /** Several backlog queues may share an id; `first_request` names the one that left. */
  private releaseFromBacklog(event: EventOf<'release'>, key: string, index: number): void {
    const named = this.epochNamed(event.first_request);
    const epoch = this.backlog.leave(key, named);
    if (epoch === undefined) {
      this.slots.add(`backlog release of ${event.sequence}, which is not in the backlog`, [index]);
      return;
    }
    this.close(epoch, index, event.reason);
  }

  /** The epoch of the request a `first_request` names. */
  private epochNamed(request: string | undefined): Epoch | undefined {
    const number = request === undefined ? -1 : this.ledger.sent.ids.find(request);
    return number < 0 ? undefined : this.membership.epochOf(number);
  }

  private openEpoch(key: string, slot: string | undefined): Epoch {
    const epoch = this.membership.open(key, slot);
    const unplaced = this.unplaced;
    if (unplaced !== undefined && unplaced.key === key) {
      this.unplaced = undefined;
      this.join(epoch, unplaced.request, unplaced.end);
    }
    return epoch;
  }

  private join(epoch: Epoch, request: number, end: boolean): void {
    this.membership.join(epoch, request);
    if (end) epoch.ended = true;
    // END frees the id when it is enqueued (spec §4 step 11): later requests start anew.
    if (end) this.live.delete(epoch.sequenceKey);
    else this.live.set(epoch.sequenceKey, epoch);
  }

  private close(epoch: Epoch, index: number, reason: string): void {
    epoch.release = { index, reason };
    if (this.live.get(epoch.sequenceKey) === epoch) this.live.delete(epoch.sequenceKey);
  }
}
