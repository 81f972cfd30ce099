import type { BatchRow } from '../../src/core/ports.ts';
import type { InferRequest, InferResult, SlotState } from '../../src/core/request.ts';
import { correlationKey } from '../../src/core/ids.ts';
import { SequenceBatchScheduler } from '../../src/batcher/scheduler.ts';
import type { BacklogQueue } from '../../src/batcher/backlog.ts';
import { DirectBatcher } from '../../src/batcher/direct.ts';
import { OldestBatcher } from '../../src/batcher/oldest.ts';
import { REAP_MARKER, type InstanceBatcher, type Occupant, type SlotItem } from '../../src/batcher/slot-queue.ts';
import { HARD_ZOO } from './hard-variants.ts';
import type { ZooBug } from './zoo-bug.ts';

/**
 * The bug zoo: realistic batcher bugs, each a small documented deviation from the real batcher
 * (several from Triton's own history, spec §15). `seqsim explore --batcher bug:<name>` must find
 * every one from random seeds; the real batcher must pass the same exploration.
 */
export type { ZooBug } from './zoo-bug.ts';

/** server#7117 before core PR #341: a cancel-release keeps the id, so the reaper releases the slot again. */
class DoubleReleaseAfterCancel extends SequenceBatchScheduler {
  protected override forgetCancelledId(): void {}
}

/** The backlog served newest-first. */
class LifoBacklog extends SequenceBatchScheduler {
  protected override popBacklog(): BacklogQueue | undefined {
    while (this.backlog.queues.length > this.backlog.head) {
      const backlog = this.backlog.queues.pop()!;
      if (!backlog.expired) return backlog;
    }
    return undefined;
  }
}

/** The idle clock restarts when a response goes out, not only on arrival (a spec deviation). */
class IdleFromCompletion extends SequenceBatchScheduler {
  override respond(request: InferRequest, result: InferResult): void {
    const key = correlationKey(request.correlationId);
    if (this.holdsSlot(key)) this.touchIdleClock(key, this.deps.clock.nowUs());
    super.respond(request, result);
  }
}

/** Builds a scheduler whose instance batchers are `Batcher` (a Direct or Oldest subclass). */
function withBatchers(
  direct: (new (scheduler: SequenceBatchScheduler, instance: number) => InstanceBatcher) | undefined,
  oldest: (new (scheduler: SequenceBatchScheduler, instance: number) => InstanceBatcher) | undefined,
): ZooBug['make'] {
  return (model, deps, options) =>
    new (class extends SequenceBatchScheduler {
      protected override createBatcher(instance: number): InstanceBatcher {
        if (this.model.strategy.kind === 'direct' && direct) return new direct(this, instance);
        if (this.model.strategy.kind === 'oldest' && oldest) return new oldest(this, instance);
        return super.createBatcher(instance);
      }
    })(model, deps, options);
}

/** END never releases its slot (slot leak). */
class LeakOnEnd extends DirectBatcher {
  protected override releaseOnEnd(): void {}
}

/** Padding rows go out with READY=1. */
class ReadyPadding extends DirectBatcher {
  protected override nullRow(slot: number): BatchRow {
    return { ...super.nullRow(slot), ready: true };
  }
}

/** START does not reset the slot's implicit state: a new occupant sees its predecessor's sum. */
class DirectStateNotReset extends DirectBatcher {
  protected override stateForRow(slot: number, start: boolean): SlotState {
    return keepState(slot, start, (s, st) => super.stateForRow(s, st));
  }
}

class OldestStateNotReset extends OldestBatcher {
  protected override stateForRow(slot: number, start: boolean): SlotState {
    return keepState(slot, start, (s, st) => super.stateForRow(s, st));
  }
}

/** Initialises a never-used slot on START but otherwise keeps whatever state the slot has. */
function keepState(slot: number, start: boolean, real: (slot: number, start: boolean) => SlotState): SlotState {
  const state = real(slot, false);
  return start && !state.initialized ? real(slot, true) : state;
}

/** The reaper's marker jumps the queue: queued work of a reaped sequence is dropped. */
class ReaperDropsQueuedWork extends DirectBatcher {
  protected override appendToSlot(slot: number, occupant: Occupant, item: SlotItem): void {
    super.appendToSlot(slot, occupant, item);
    if (item === REAP_MARKER) {
      const queue = this.queues[slot]!;
      queue.unshift(queue.pop()!);
    }
  }
}

/** Oldest lets every arriving request of a sequence into the dynamic batcher at once. */
class OldestTwoPerBatch extends OldestBatcher {
  protected override holdsDispatchedRequest(): boolean {
    return false;
  }
}

/** Oldest dispatches the next sequence's START while the previous sequence's END is still in flight. */
class EndReleasesEarly extends OldestBatcher {
  protected override waitsForDispatchedEnd(): boolean {
    return false;
  }
}

export const ZOO: readonly ZooBug[] = [
  {
    name: 'double-release-after-cancel',
    summary:
      'server#7117 (fixed by core PR #341): a cancelled sequence keeps its slot-map ' +
      'entry, so the reaper releases its slot a second time and two sequences share it',
    strategy: 'any',
    make: (model, deps, options) => new DoubleReleaseAfterCancel(model, deps, options),
  },
  {
    name: 'slot-leak-on-end',
    summary: 'Direct never releases a slot when its END is batched: the slot leaks and the backlog starves',
    strategy: 'direct',
    make: withBatchers(LeakOnEnd, undefined),
  },
  {
    name: 'end-releases-early',
    summary: "Oldest dispatches the next sequence's START into a slot whose END is still in flight, so both run in one batch on one slot",
    strategy: 'oldest',
    make: withBatchers(undefined, EndReleasesEarly),
  },
  {
    name: 'reaper-drops-queued-work',
    summary: "the reaper's null marker jumps ahead of the reaped sequence's queued requests, which are dropped (CANCELLED) instead of executed",
    strategy: 'direct',
    make: withBatchers(ReaperDropsQueuedWork, undefined),
  },
  {
    name: 'backlog-lifo',
    summary: 'a freed slot goes to the newest backlogged sequence instead of the oldest',
    strategy: 'any',
    make: (model, deps, options) => new LifoBacklog(model, deps, options),
  },
  {
    name: 'state-not-reset-on-start',
    summary: "implicit state is not reset on START: a new occupant continues from the previous occupant's state",
    strategy: 'any',
    make: withBatchers(DirectStateNotReset, OldestStateNotReset),
  },
  {
    name: 'oldest-two-per-batch',
    summary: 'Oldest puts several requests of one sequence into its dynamic batcher, so one batch holds two of them',
    strategy: 'oldest',
    make: withBatchers(undefined, OldestTwoPerBatch),
  },
  {
    name: 'padding-ready',
    summary: 'Direct padding rows are marked READY=1, so the model treats garbage as a request',
    strategy: 'direct',
    make: withBatchers(ReadyPadding, undefined),
  },
  {
    name: 'idle-from-completion',
    summary: 'the idle clock restarts when a response is sent instead of on arrival: a spec deviation (reaps come late), not a safety bug',
    strategy: 'any',
    make: (model, deps, options) => new IdleFromCompletion(model, deps, options),
  },
];

/** An update's removed instance puts its released slot back in the free pool, so a new sequence gets it. */
class RemovedSlotReturned extends SequenceBatchScheduler {
  protected override dropRemovedSlot(instance: number, slot: number): void {
    this.freeSlots.push({ instance, slot });
  }
}

/** An update destroys a removed instance at once, although its slots still serve sequences. */
class DestroysBusyInstance extends SequenceBatchScheduler {
  protected override retireInstance(instance: number): void {
    super.retireInstance(instance, 0);
  }
}

/**
 * A reload hands the old scheduler's sequence map to the new one, but not the slots' implicit
 * state: in-flight sequences go on without START, on fresh (uninitialised) state.
 */
class CarriesSequenceMap extends SequenceBatchScheduler {
  adoptSequencesOf(previous: SequenceBatchScheduler): void {
    for (const key of (previous as CarriesSequenceMap).slotOf.keys()) {
      const free = this.freeSlots.pop();
      if (free === undefined) return;
      this.slotOf.set(key, free);
    }
  }
}

/**
 * Model-switch bugs (update spec rules 4 and 7). They only show in scenarios with a lifecycle
 * load: `explore --generate --lifecycle` hunts them (test/explore/lifecycle-zoo.test.ts), and
 * test/lifecycle/zoo.test.ts runs each on the scenario that exposes it.
 */
export const LIFECYCLE_ZOO: readonly ZooBug[] = [
  {
    name: 'removed-slot-returned',
    summary:
      "an update's removed instance returns its released slot to the free pool instead " +
      'of deleting it, so a new sequence is assigned a slot of an instance being removed',
    strategy: 'any',
    make: (model, deps, options) => new RemovedSlotReturned(model, deps, options),
  },
  {
    name: 'destroys-busy-instance',
    summary: 'an update destroys a removed instance at once although its slots still hold sequences, which lose their slot, state and queued requests',
    strategy: 'any',
    make: (model, deps, options) => new DestroysBusyInstance(model, deps, options),
  },
  {
    name: 'reload-carries-sequence-map',
    summary:
      "a reload carries the old scheduler's sequence map into the new scheduler without " +
      "the slots' state: sequences continue without START on uninitialised state",
    strategy: 'any',
    make: (model, deps, options) => new CarriesSequenceMap(model, deps, options),
    onSwap: (previous, next) => (next as CarriesSequenceMap).adoptSequencesOf(previous),
  },
];

export function zooBug(name: string): ZooBug | undefined {
  return ZOO.find((bug) => bug.name === name) ?? LIFECYCLE_ZOO.find((bug) => bug.name === name) ?? HARD_ZOO.find((bug) => bug.name === name);
}
