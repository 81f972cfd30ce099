import type { TraceEvent, TraceRow } from '../../src/core/events.ts';
import { assert } from '../../src/core/assert.ts';
import { Ledger, generationKey, sequenceKey, slotName } from './ledger.ts';
import { ViolationSink, type Violation } from './types.ts';

/**
 * One occupancy of a sequence id: from its START (or first request) until END is enqueued, the
 * reaper force-ends it, or it is cancelled / expired. Requests join the epoch live at arrival.
 */
interface Epoch {
  readonly sequenceKey: string;
  readonly requests: string[];
  slot: string | undefined;
  release: { index: number; reason: string } | undefined;
  executedUpTo: number;
  /** An END joined: the id was freed at its enqueue. */
  ended: boolean;
}

export interface RoutingResult {
  readonly violations: Violation[];
  /** Slots held at the end of the run, with the requests of the sequence holding each. */
  readonly heldAtEnd: readonly { slot: string; sequenceKey: string; requests: readonly string[] }[];
  /** Backlogged sequences never resolved by the end of the run, with their backlog event. */
  readonly backlogAtEnd: { sequenceKey: string; index: number }[];
}

/**
 * Follows every request into its sequence's slot (affinity), checks execution order within the
 * sequence (order), and checks that slots are held exclusively (slot-accounting).
 */
/**
 * `totalSlots` undefined: the slot count changes during the run (lifecycle updates), where Triton
 * legitimately leaves added slots free while the backlog waits (update spec rule 3).
 */
export function checkRouting(events: readonly TraceEvent[], ledger: Ledger, totalSlots: number | undefined): RoutingResult {
  const affinity = new ViolationSink('affinity');
  const order = new ViolationSink('order');
  const slots = new ViolationSink('slot-accounting');
  const live = new Map<string, Epoch>();
  const awaitingSlot = new Map<string, { epoch: Epoch; index: number }[]>();
  /** Backlog queues in creation order: Triton serves them FIFO (spec §5 step 4). */
  const backlogFifo: { epoch: Epoch; generation: number | undefined }[] = [];
  const fairness = new ViolationSink('liveness');
  const holder = new Map<string, Epoch>();
  const epochOf = new Map<string, Epoch>();
  const executed = new Set<string>();
  /** First attempt's request id → the attempt that executed that step. */
  const stepRanAs = new Map<string, string>();
  const cancelled = new Set<string>();
  let lastArrive: { request: string; epoch: Epoch | undefined; key: string } | undefined;
  let backlogCount = 0;
  let lastInstantT = -1;

  const checkIdleSlotsWhileBacklogged = (index: number): void => {
    if (totalSlots !== undefined && backlogCount > 0 && holder.size < totalSlots) {
      slots.add(`${totalSlots - holder.size} slot(s) free while ${backlogCount} sequence(s) wait in the backlog`, [index]);
    }
  };

  events.forEach((event, index) => {
    if (event.t !== lastInstantT) {
      // Between instants the batcher has finished reacting: no slot may idle while one waits.
      if (lastInstantT >= 0) checkIdleSlotsWhileBacklogged(index - 1);
      lastInstantT = event.t;
    }
    switch (event.type) {
      case 'arrive': {
        const sent = ledger.sent.get(event.request);
        if (sent === undefined) return;
        const key = generationKey(sent.sequenceKey, event.generation);
        const epoch = live.get(key);
        lastArrive = { request: event.request, epoch, key };
        if (epoch !== undefined) join(epoch, event.request, sent.end, key);
        return;
      }
      case 'reject': {
        lastArrive = undefined;
        const epoch = epochOf.get(event.request);
        if (epoch !== undefined) {
          epoch.requests.splice(epoch.requests.indexOf(event.request), 1);
          epochOf.delete(event.request);
          if (epoch.release === undefined) live.set(epoch.sequenceKey, epoch);
        }
        return;
      }
      case 'backlog': {
        const epoch = openEpoch(generationKey(sequenceKey(event.sequence), event.generation), undefined);
        backlogFifo.push({ epoch, generation: event.generation });
        const queue = awaitingSlot.get(epoch.sequenceKey) ?? [];
        queue.push({ epoch, index });
        awaitingSlot.set(epoch.sequenceKey, queue);
        backlogCount++;
        return;
      }
      case 'assign': {
        const name = slotName(event.instance, event.slot);
        const current = holder.get(name);
        if (current !== undefined) {
          slots.add(`sequence ${event.sequence} assigned ${name}, which ${current.sequenceKey} still holds`, [index]);
        }
        const key = generationKey(sequenceKey(event.sequence), event.generation);
        const waiting = awaitingSlot.get(key);
        let epoch: Epoch;
        if (lastArrive !== undefined && lastArrive.epoch === undefined && lastArrive.key === key && !epochOf.has(lastArrive.request)) {
          epoch = openEpoch(key, name);
        } else if (waiting !== undefined && waiting.length > 0) {
          // `first_request` names the backlog queue that was promoted (one id may have several).
          const target = event.first_request === undefined ? undefined : epochOf.get(event.first_request);
          const at = target === undefined ? 0 : Math.max(0, waiting.findIndex((w) => w.epoch === target));
          epoch = waiting.splice(at, 1)[0]!.epoch;
          // Each model object has its own backlog: FIFO holds within a generation only.
          const oldest = backlogFifo.find(({ epoch: e, generation }) => generation === event.generation && e.release === undefined && e.slot === undefined)?.epoch;
          if (oldest !== undefined && oldest !== epoch) {
            fairness.add(`backlog served out of order: sequence ${epoch.sequenceKey} got ${name} while ${oldest.sequenceKey}, backlogged earlier, still waits`, [index]);
          }
          epoch.slot = name;
          backlogCount--;
          // Promotion maps the id to the slot again unless the sequence's END already came.
          if (!epoch.ended) live.set(key, epoch);
        } else {
          slots.add(`sequence ${event.sequence} assigned ${name} without a request asking for it`, [index]);
          return;
        }
        holder.set(name, epoch);
        return;
      }
      case 'reap': {
        const key = generationKey(sequenceKey(event.sequence), event.generation);
        if (live.get(key)?.slot === slotName(event.instance, event.slot)) live.delete(key);
        return;
      }
      case 'release': {
        const key = generationKey(sequenceKey(event.sequence), event.generation);
        if (event.instance === null || event.slot === null) {
          // Several backlog queues may share an id; `first_request` names the one that left.
          const waiting = awaitingSlot.get(key) ?? [];
          const target = event.first_request === undefined ? undefined : epochOf.get(event.first_request);
          const at = target === undefined ? 0 : waiting.findIndex((w) => w.epoch === target);
          const entry = at >= 0 ? waiting.splice(at, 1)[0] : undefined;
          if (entry === undefined) {
            slots.add(`backlog release of ${event.sequence}, which is not in the backlog`, [index]);
            return;
          }
          backlogCount--;
          closeEpoch(entry.epoch, index, event.reason);
          return;
        }
        const name = slotName(event.instance, event.slot);
        const epoch = holder.get(name);
        if (epoch === undefined || epoch.sequenceKey !== key) {
          slots.add(`release of ${name} by sequence ${event.sequence}, which does not hold it`, [index]);
          return;
        }
        holder.delete(name);
        closeEpoch(epoch, index, event.reason);
        // Triton's cancel-release erases the id from the slot map whichever sequence it maps
        // to now (spec §5 step 1, §8): later requests of that id start over. The backlog map
        // is untouched, so a backlogged sequence with that id keeps taking its requests.
        if (event.reason === 'cancel' && live.get(key)?.slot !== undefined) live.delete(key);
        return;
      }
      case 'execute':
        checkExecution(event.instance, event.rows, index);
        return;
      case 'cancel':
        cancelled.add(event.request);
        return;
      default:
        return;
    }
  });
  if (events.length > 0) checkIdleSlotsWhileBacklogged(events.length - 1);

  function openEpoch(key: string, slot: string | undefined): Epoch {
    const epoch: Epoch = { sequenceKey: key, requests: [], slot, release: undefined, executedUpTo: -1, ended: false };
    if (lastArrive !== undefined && lastArrive.epoch === undefined && lastArrive.key === key) {
      const sent = ledger.sent.get(lastArrive.request)!;
      lastArrive = undefined;
      join(epoch, sent.request, sent.end, key);
    }
    return epoch;
  }

  function join(epoch: Epoch, request: string, end: boolean, key: string): void {
    epoch.requests.push(request);
    epochOf.set(request, epoch);
    if (end) epoch.ended = true;
    // END frees the id when it is enqueued (spec §4 step 11): later requests start anew.
    if (end) live.delete(key);
    else live.set(key, epoch);
  }

  function closeEpoch(epoch: Epoch, index: number, reason: string): void {
    epoch.release = { index, reason };
    if (live.get(epoch.sequenceKey) === epoch) live.delete(epoch.sequenceKey);
  }

  function checkExecution(instance: number, rows: readonly TraceRow[], index: number): void {
    for (const row of rows) {
      if (row.request === null) continue;
      const name = slotName(instance, row.slot);
      if (executed.has(row.request)) {
        order.add(`request ${row.request} executed twice`, [index]);
        continue;
      }
      executed.add(row.request);
      // A client retry is a new request for the same step: if both ran, the step applied twice.
      const step = ledger.sent.get(row.request)?.retryOf ?? row.request;
      const earlier = stepRanAs.get(step);
      if (earlier !== undefined) {
        order.add(`request ${row.request} ran step ${step} again after ${earlier} had run it: a retried stateful request applied twice`, [index]);
      }
      stepRanAs.set(step, row.request);
      const epoch = epochOf.get(row.request);
      if (epoch === undefined) {
        order.add(`request ${row.request} executed but the scheduler never accepted it`, [index]);
        continue;
      }
      if (epoch.slot !== name) {
        affinity.add(
          epoch.slot === undefined
            ? `request ${row.request} executed in ${name} before its sequence ${epoch.sequenceKey} got a slot`
            : `request ${row.request} executed in ${name} but its sequence ${epoch.sequenceKey} holds ${epoch.slot}`,
          [index],
        );
      }
      const position = epoch.requests.indexOf(row.request);
      assert(position >= 0, 'an epoch lists its requests');
      // Requests the client cancelled may be dropped without running (Oldest answers a request
      // cancelled inside its dynamic batcher alone, and the sequence goes on).
      while (epoch.executedUpTo + 1 < position && cancelled.has(epoch.requests[epoch.executedUpTo + 1]!)) epoch.executedUpTo++;
      if (position !== epoch.executedUpTo + 1) {
        const expected = epoch.requests[epoch.executedUpTo + 1];
        order.add(`request ${row.request} of sequence ${epoch.sequenceKey} executed before ${expected ?? 'its predecessor'}, which arrived first`, [index]);
      }
      epoch.executedUpTo = Math.max(epoch.executedUpTo, position);
      const release = epoch.release;
      if (release !== undefined && !(release.reason === 'end' && position === epoch.requests.length - 1 && ledger.sent.get(row.request)?.end)) {
        order.add(`request ${row.request} executed after its sequence ${epoch.sequenceKey} was released (${release.reason})`, [release.index, index]);
      }
    }
  }

  const backlogAtEnd: { sequenceKey: string; index: number }[] = [];
  for (const [key, queue] of awaitingSlot) for (const entry of queue) backlogAtEnd.push({ sequenceKey: key, index: entry.index });
  const heldAtEnd = [...holder].map(([slot, epoch]) => ({ slot, sequenceKey: epoch.sequenceKey, requests: epoch.requests }));
  return { violations: [...affinity.done(), ...order.done(), ...slots.done(), ...fairness.done()], heldAtEnd, backlogAtEnd };
}
