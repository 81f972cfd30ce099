/*
 * In-place model update (spec: triton-model-update.md rules 2–4, SequenceBatchScheduler::Update):
 * a config change that only adds or removes instances keeps the model object and its sequences.
 * - Added instances get a batcher each, with the same slot count, all slots straight into the free
 *   pool. The backlog is not drained here: it waits for the next release (rule 3).
 * - Removed instances lose their free slots at once; occupied ones keep serving their sequence
 *   until released, are then dropped (never refilled nor returned to the pool), and the instance
 *   is destroyed after its last slot and its queued and executing work (rule 4), from a clean-up
 *   task (Triton's clean-up thread).
 */
import { assert } from '../core/assert.ts';
import type { BatcherDeps, BatcherOptions } from './scheduler-context.ts';
import { pushInstanceSlots, type FreeSlotPool, type SlotRef } from './slot-heap.ts';
import type { InstanceBatcher } from './slot-queue.ts';

/** What an update reads and changes in its scheduler, and the steps bug-zoo variants replace. */
export interface UpdatePort {
  readonly deps: BatcherDeps;
  readonly slotsPerInstance: number;
  readonly freeSlots: FreeSlotPool;
  /** The scheduler's batchers, indexed by instance trace number (a destroyed instance leaves a hole). */
  readonly batchers: (InstanceBatcher | undefined)[];
  readonly slotOf: Map<string, SlotRef>;
  createBatcher(instance: number): InstanceBatcher;
  /** Marks an instance removed with `heldSlots` still serving (InPlaceUpdate.retire, unless a variant replaces it). */
  retireInstance(instance: number, heldSlots: number): void;
  /** The whole model object was destroyed. */
  modelDestroyed(): boolean;
  readonly onInstanceDestroyed: BatcherOptions['onInstanceDestroyed'];
}

export class InPlaceUpdate {
  /** Slots of live instances, free or held (removed instances' held slots count until released). */
  liveSlots: number;
  /** Removed instances → their slots still held by a sequence. */
  private readonly removing = new Map<number, number>();
  /** Removed instances whose last slot is gone, waiting for their queued and executing work. */
  private readonly awaitingIdle = new Set<number>();

  constructor(
    private readonly port: UpdatePort,
    initialInstances: number,
  ) {
    this.liveSlots = initialInstances * port.slotsPerInstance;
  }

  addInstances(instances: readonly number[]): void {
    const { batchers, slotsPerInstance } = this.port;
    for (const instance of instances) {
      assert(batchers[instance] === undefined, 'an added instance has a fresh trace number');
      batchers[instance] = this.port.createBatcher(instance);
    }
    pushInstanceSlots(this.port.freeSlots, instances, slotsPerInstance);
    this.liveSlots += instances.length * slotsPerInstance;
  }

  removeInstances(instances: readonly number[]): void {
    const { freeSlots, batchers, slotsPerInstance } = this.port;
    const removed = new Set(instances);
    const freeBefore = freeSlots.size;
    freeSlots.retain((ref) => !removed.has(ref.instance));
    this.liveSlots -= freeBefore - freeSlots.size;
    for (const instance of instances) {
      const batcher = batchers[instance];
      assert(batcher !== undefined && !this.removing.has(instance), 'a removed instance is live');
      let held = 0;
      for (let slot = 0; slot < slotsPerInstance; slot++) if (batcher.occupant(slot) !== undefined) held++;
      this.port.retireInstance(instance, held);
    }
  }

  /** Marks an instance removed with `heldSlots` still serving; destroyed once they are gone. */
  retire(instance: number, heldSlots: number): void {
    this.removing.set(instance, heldSlots);
    if (heldSlots === 0) this.destroyWhenIdle(instance);
  }

  /** Whether `instance` was removed by an update and is not destroyed yet. */
  isRemoving(instance: number): boolean {
    return this.removing.has(instance);
  }

  /** A removed instance's slot was released: deleted, never refilled nor returned to the pool. */
  dropRemovedSlot(instance: number, slot: number): void {
    const held = this.removing.get(instance);
    assert(held !== undefined && held > 0, `a released slot I${instance}/s${slot} of a removed instance was held`);
    this.removing.set(instance, held - 1);
    this.liveSlots--;
    if (held === 1) this.destroyWhenIdle(instance);
  }

  batchCompleted(instance: number): void {
    if (this.awaitingIdle.has(instance)) this.destroyWhenIdle(instance);
  }

  /** Destruction is off the hot path (Triton's clean-up thread), after queued and executing work. */
  private destroyWhenIdle(instance: number): void {
    const { clock, timers } = this.port.deps;
    timers.schedule(clock.nowUs(), { label: 'cleanup', channel: 'cleanup' }, () => {
      const batcher = this.port.batchers[instance];
      // The whole model went first: its destruction already took every instance with it.
      if (batcher === undefined || this.port.modelDestroyed()) return;
      if (batcher.inFlight() || batcher.queuedRequests() > 0) {
        this.awaitingIdle.add(instance);
        return;
      }
      this.destroyInstance(instance);
    });
  }

  private destroyInstance(instance: number): void {
    this.awaitingIdle.delete(instance);
    this.removing.delete(instance);
    this.port.batchers[instance] = undefined;
    // Only a buggy variant destroys an instance that still serves sequences: forget them.
    for (const [key, ref] of this.port.slotOf) if (ref.instance === instance) this.port.slotOf.delete(key);
    this.port.onInstanceDestroyed?.(instance);
  }
}
