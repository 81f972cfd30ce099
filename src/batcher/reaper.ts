/*
 * The idle reaper (spec §6, §7): Triton's reaper thread, here one `reaper` task.
 * - Each accepted arrival restarts its id's idle clock (touch). A sequence holding a slot whose
 *   clock passed max_sequence_idle_microseconds is force-ended: its slot queue gets the reaper's
 *   marker, and the slot is released when the marker reaches the front (slot-release.ts).
 * - seqsim reaps at exactly last_arrival + max_sequence_idle_microseconds (Triton: the first check
 *   at or after it, ≈ +1 µs).
 * - Backlogged sequences are never reaped, but their clock keeps ageing: while an idle-expired one
 *   waits, the reaper re-checks every 50 ms (Triton's polling, server#8449).
 * - The same task expires backlog queues whose request timeout passed (backlog.ts expireDue).
 * - It only runs while an id it watches holds a slot or waits in the backlog; ended ids are pruned
 *   at its next run (Triton keeps them until they are idle, which changes nothing observable), so
 *   finished runs go quiescent.
 */
import { assert } from '../core/assert.ts';
import type { TimerHandle } from '../core/ports.ts';
import type { Backlog } from './backlog.ts';
import type { BatcherDeps } from './scheduler-context.ts';
import type { SlotRef } from './slot-heap.ts';
import { REAP_MARKER, type InstanceBatcher } from './slot-queue.ts';

/** How often the reaper re-checks while an idle-expired sequence waits in the backlog. */
export const BACKLOG_IDLE_RECHECK_US = 50_000;

/** What the reaper looks at and acts on: the scheduler's slot map, backlog and batchers. */
export interface ReaperPort {
  /** Each id's slot (the scheduler's map; a reaped id is removed from it). */
  readonly slotOf: Map<string, SlotRef>;
  readonly backlog: Backlog;
  batcher(instance: number): InstanceBatcher | undefined;
  /** Expires backlog queues whose timeout passed; returns the next expiration (∞: none). */
  expireBacklogs(nowUs: number): number;
  /** Whether an idle-expired backlogged id stays watched (true in Triton; a hard-zoo bug says no). */
  keepsWatchingIdleBacklogged(key: string): boolean;
}

export class IdleReaper {
  /** Arrival time of each id's latest request: Triton's correlation_id_timestamps_ (the idle clock). */
  private readonly lastArrivalUs = new Map<string, number>();
  private timer: TimerHandle | undefined;
  private atUs = Number.POSITIVE_INFINITY;

  constructor(
    private readonly deps: BatcherDeps,
    private readonly maxIdleUs: number,
    private readonly port: ReaperPort,
  ) {}

  /** Restarts an id's idle clock: Triton does so on every accepted arrival (spec §4 step 8). */
  touch(key: string, nowUs: number): void {
    this.lastArrivalUs.set(key, nowUs);
    this.wakeBy(nowUs + this.maxIdleUs);
  }

  /** Drops an id's idle clock (a cancel-release erases the id, core PR #341). */
  forget(key: string): void {
    this.lastArrivalUs.delete(key);
  }

  /** Makes sure the reaper runs at `atUs` or earlier (at most one pending wake-up). */
  wakeBy(atUs: number): void {
    if (atUs >= this.atUs) return;
    if (this.timer !== undefined) this.deps.timers.cancel(this.timer);
    this.atUs = atUs;
    this.timer = this.deps.timers.schedule(atUs, { label: 'reaper', channel: 'reaper' }, () => this.run());
  }

  /** The model object is destroyed: the reaper never runs again. */
  stop(): void {
    if (this.timer !== undefined) this.deps.timers.cancel(this.timer);
    this.timer = undefined;
    this.atUs = Number.NEGATIVE_INFINITY;
  }

  private run(): void {
    this.timer = undefined;
    this.atUs = Number.POSITIVE_INFINITY;
    const now = this.deps.clock.nowUs();
    const nextIdleUs = this.reapIdleSequences(now);
    const nextExpiryUs = this.port.expireBacklogs(now);
    const next = Math.min(nextIdleUs, nextExpiryUs);
    if (next < Number.POSITIVE_INFINITY) this.wakeBy(next);
  }

  /** Where the reaper decides: force-ends every idle-expired sequence holding a slot; returns when the next check is due (∞: nothing watched). */
  private reapIdleSequences(now: number): number {
    const { slotOf, backlog } = this.port;
    let next = Number.POSITIVE_INFINITY;
    const forceEnd: { key: string; slot: SlotRef }[] = [];
    for (const [key, lastUs] of this.lastArrivalUs) {
      if (!slotOf.has(key) && !backlog.has(key)) {
        // Triton keeps an ended id's timestamp until it expires; it can never be reaped and a
        // new request rewrites it, so dropping it now changes nothing observable and keeps the
        // reaper's pass short.
        this.lastArrivalUs.delete(key);
        continue;
      }
      const remaining = this.maxIdleUs - (now - lastUs);
      if (remaining > 0) {
        next = Math.min(next, now + remaining);
        continue;
      }
      const slot = slotOf.get(key);
      if (slot !== undefined) {
        forceEnd.push({ key, slot });
      } else if (backlog.has(key) && this.port.keepsWatchingIdleBacklogged(key)) {
        // Backlogged sequences are never reaped, but their idle clock keeps ageing (backlog trap).
        next = Math.min(next, now + BACKLOG_IDLE_RECHECK_US);
      } else {
        this.lastArrivalUs.delete(key);
      }
    }
    for (const { key, slot } of forceEnd) this.forceEnd(key, slot);
    return next;
  }

  /** The reaper's marker goes behind the sequence's queued requests; the slot is released when it reaches the front. */
  private forceEnd(key: string, slot: SlotRef): void {
    this.port.slotOf.delete(key);
    this.lastArrivalUs.delete(key);
    const batcher = this.port.batcher(slot.instance);
    assert(batcher !== undefined, 'a reaped sequence holds a slot of a live instance');
    const occupant = batcher.occupant(slot.slot);
    assert(occupant !== undefined && occupant.key === key, 'a reaped sequence occupies its slot');
    this.deps.events.emit({ type: 'reap', sequence: occupant.sequence, instance: slot.instance, slot: slot.slot });
    batcher.enqueue(slot.slot, occupant, REAP_MARKER);
  }
}
