/*
 * Releasing a sequence slot (spec §5, Triton's ReleaseSequenceSlot): when a sequence's END, the
 * reaper's marker or a cancellation reaches the front of its slot queue. Whatever is still queued
 * for the slot is answered CANCELLED; then the slot goes, in this order, to
 * - nobody, when its instance was removed by an update (in-place-update.ts: never refilled);
 * - the oldest backlog queue, whose requests move into the slot (a queue with a cancelled request
 *   is answered CANCELLED instead and the next one is tried);
 * - the free pool.
 */
import type { EventSink, ReleaseReason } from '../core/events.ts';
import { correlationKey } from '../core/ids.ts';
import type { InferRequest } from '../core/request.ts';
import type { Backlog, BacklogQueue } from './backlog.ts';
import type { FreeSlotPool, SlotRef } from './slot-heap.ts';
import { REAP_MARKER, type Occupant, type SlotItem } from './slot-queue.ts';

/** What a release reads and changes in its scheduler, and the steps bug-zoo variants replace. */
export interface SlotReleasePort {
  readonly events: EventSink;
  readonly slotOf: Map<string, SlotRef>;
  readonly freeSlots: FreeSlotPool;
  readonly backlog: Backlog;
  /** A cancellation release erases the id (slot map and idle clock). */
  forgetCancelledId(key: string): void;
  cancelAll(requests: readonly InferRequest[]): void;
  /** The backlog queue a freed slot goes to (the oldest waiting one). */
  popBacklog(): BacklogQueue | undefined;
  /** Drops the slot if its instance is being removed; true when it was. */
  dropIfRemoved(instance: number, slot: number): boolean;
}

/** Releases `slot` of `instance`; returns the backlog sequence moved into it, if any. */
export function releaseSequenceSlot(
  port: SlotReleasePort,
  instance: number,
  slot: number,
  queue: SlotItem[],
  reason: ReleaseReason,
  occupant: Occupant | undefined,
): Occupant | undefined {
  const { events } = port;
  if (occupant !== undefined) events.emit({ type: 'release', sequence: occupant.sequence, instance, slot, reason });
  const front = queue[0];
  if (front !== undefined && front !== REAP_MARKER) port.forgetCancelledId(correlationKey(front.correlationId));
  const leftovers = queue.splice(0, queue.length).filter((item): item is InferRequest => item !== REAP_MARKER);
  port.cancelAll(leftovers);
  if (port.dropIfRemoved(instance, slot)) return undefined;
  for (;;) {
    const waiting = port.popBacklog();
    if (waiting === undefined) break;
    port.backlog.leave(waiting);
    const last = waiting.requests[waiting.requests.length - 1]!;
    if (waiting.requests.some((r) => r.cancelled)) {
      events.emit({
        type: 'release',
        sequence: waiting.occupant.sequence,
        instance: null,
        slot: null,
        reason: 'cancel',
        first_request: waiting.requests[0]!.id,
      });
      port.cancelAll(waiting.requests);
      continue;
    }
    if (!last.end) port.slotOf.set(waiting.occupant.key, { instance, slot });
    events.emit({ type: 'assign', sequence: waiting.occupant.sequence, instance, slot, first_request: waiting.requests[0]!.id });
    for (const request of waiting.requests) queue.push(request);
    return waiting.occupant;
  }
  port.freeSlots.push({ instance, slot });
  return undefined;
}
