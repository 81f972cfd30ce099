/*
 * The "drain" load policy: seqsim's own safe-switch protocol, not Triton's. A router in front of
 * the server holds every new START for the model (and whatever its sequence sends after it) from
 * the load's at_us; in-flight sequences go on; the load is carried out once the old model holds no
 * sequence (no held slot, no backlog) or drain_timeout_us passed; then the held requests go to
 * the server in arrival order. With no timeout, a reload under this policy interrupts nothing.
 */
import { correlationKey } from '../src/core/ids.ts';
import type { TimerHandle } from '../src/core/ports.ts';
import type { LoadEvent } from '../src/scenario/types.ts';
import type { SimRequest } from './clients.ts';
import type { Clock, Timers } from '../src/core/ports.ts';
import type { SequenceBatchScheduler } from '../src/batcher/index.ts';

/** The model being drained, as the router sees it (model-server.ts's Generation). */
export interface DrainedGeneration {
  readonly number: number;
  readonly scheduler: Pick<SequenceBatchScheduler, 'occupancy'>;
}

/** What the router asks of the model server (model-server.ts's ModelServer provides it). */
export interface DrainServer {
  /** The router in front of the server; cleared when the held requests are let through. */
  drain: DrainRouter | undefined;
  readonly ready: { readonly number: number } | undefined;
  readonly latestGeneration: number;
  emit(action: string, generation: number, fields?: Record<string, unknown>): void;
  load(event: LoadEvent, done: () => void): void;
  route(request: SimRequest): void;
}

export class DrainRouter {
  private readonly held: { request: SimRequest; heldUs: number }[] = [];
  private readonly heldIds = new Set<string>();
  private readonly deadline: TimerHandle;
  private readonly startedUs: number;
  private checkPending = false;
  private loading = false;

  constructor(
    private readonly server: DrainServer,
    private readonly loop: Clock & Timers,
    private readonly event: LoadEvent,
    /** The model being drained. */
    private readonly generation: DrainedGeneration,
    private readonly done: () => void,
  ) {
    this.startedUs = loop.nowUs();
    const occupancy = generation.scheduler.occupancy();
    server.emit('drain-start', generation.number, {
      held_slots: occupancy.heldSlots,
      backlog: occupancy.backlogQueues,
      drain_timeout_us: event.drainTimeoutUs,
    });
    this.deadline = loop.schedule(this.startedUs + event.drainTimeoutUs, { label: 'lifecycle:drain-timeout' }, () => this.finish(true));
    this.checkSoon();
  }

  /** Holds a new START, and every later request of a sequence whose START is held (order). */
  holds(request: SimRequest): boolean {
    const key = correlationKey(request.correlationId);
    if (!request.start && !this.heldIds.has(key)) return false;
    this.heldIds.add(key);
    this.held.push({ request, heldUs: this.loop.nowUs() });
    this.server.emit('start-held', this.generation.number, { request: request.id, sequence: request.sequence, start: request.start });
    return true;
  }

  isHeld(request: SimRequest): boolean {
    return this.held.some((entry) => entry.request === request);
  }

  /** A slot of some model was released: the drained one may now be empty. */
  onRelease(generation: DrainedGeneration): void {
    if (generation === this.generation) this.checkSoon();
  }

  private checkSoon(): void {
    if (this.checkPending || this.loading) return;
    this.checkPending = true;
    this.loop.schedule(this.loop.nowUs(), { label: 'lifecycle:drain-check' }, () => {
      this.checkPending = false;
      const occupancy = this.generation.scheduler.occupancy();
      if (occupancy.heldSlots === 0 && occupancy.backlogQueues === 0) this.finish(false);
    });
  }

  private finish(timedOut: boolean): void {
    if (this.loading) return;
    this.loading = true;
    this.loop.cancel(this.deadline);
    const occupancy = this.generation.scheduler.occupancy();
    this.server.emit(timedOut ? 'drain-timeout' : 'drained', this.generation.number, {
      waited_us: this.loop.nowUs() - this.startedUs,
      ...(timedOut ? { held_slots: occupancy.heldSlots, backlog: occupancy.backlogQueues } : {}),
    });
    // New STARTs stay held while a reloaded model builds; they go to whichever model is READY after.
    this.server.load(this.event, () => this.release());
  }

  private release(): void {
    this.server.drain = undefined;
    const nowUs = this.loop.nowUs();
    const target = this.server.ready?.number ?? this.server.latestGeneration;
    for (const { request, heldUs } of this.held) {
      this.server.emit('start-released', target, { request: request.id, sequence: request.sequence, start: request.start, held_us: nowUs - heldUs });
      this.server.route(request);
    }
    this.done();
  }
}
