import type { TraceEvent } from '../../../src/core/events.ts';
import { generationKey, sequenceKey, slotName } from '../ledger.ts';
import type { ViolationSink } from '../types.ts';

type EventOf<T extends TraceEvent['type']> = Extract<TraceEvent, { type: T }>;

/**
 * Slots and the instances and models that own them (update spec rules 4 and 7): a removed
 * instance's slot is never refilled, a destroyed instance runs nothing, and neither an instance
 * nor a model is destroyed while one of its slots still serves a sequence.
 */
export class InstanceLifetimes {
  private readonly removed = new Set<number>();
  private readonly destroyed = new Set<number>();
  private readonly generationOf = new Map<number, number>();
  /** Slot name → the sequence (key@generation) holding it, with its instance and the assign's index. */
  private readonly holder = new Map<string, { key: string; instance: number; index: number }>();

  constructor(private readonly sink: ViolationSink) {}

  onAssign(event: EventOf<'assign'>, index: number): void {
    const generation = event.generation;
    if (generation !== undefined) this.generationOf.set(event.instance, generation);
    if (this.removed.has(event.instance))
      this.sink.add(
        `sequence ${event.sequence} assigned ${slotName(event.instance, event.slot)}, a slot of instance ${event.instance}, which an update removed: ` +
          `its slots must not be refilled`,
        [index],
      );
    if (this.destroyed.has(event.instance))
      this.sink.add(`sequence ${event.sequence} assigned a slot of instance ${event.instance}, which was destroyed`, [index]);
    this.holder.set(slotName(event.instance, event.slot), { key: generationKey(sequenceKey(event.sequence), generation), instance: event.instance, index });
  }

  onRelease(event: EventOf<'release'>): void {
    if (event.instance !== null && event.slot !== null) this.holder.delete(slotName(event.instance, event.slot));
  }

  onExecute(event: EventOf<'execute'>, index: number): void {
    if (this.destroyed.has(event.instance)) this.sink.add(`a batch executed on instance ${event.instance} after it was destroyed`, [index]);
  }

  onInstanceRemoved(instance: number): void {
    this.removed.add(instance);
  }

  onInstanceDestroyed(instance: number, index: number): void {
    this.destroyed.add(instance);
    for (const [slot, held] of this.holder) {
      if (held.instance === instance) this.sink.add(`instance ${instance} was destroyed while ${slot} still served sequence ${held.key}`, [held.index, index]);
    }
  }

  onModelDestroyed(generation: number, index: number): void {
    for (const [slot, held] of this.holder) {
      if (this.generationOf.get(held.instance) === generation)
        this.sink.add(`generation ${generation} was destroyed but ${slot} was never released by sequence ${held.key}`, [held.index, index]);
    }
  }
}
