/*
 * Oracles across a model switch (update spec rules 2–8), on traces whose scenario manages the
 * model. A reload or unload may cut sequences off (Triton does): those are reported as
 * `interrupted`, not violations, unless `strict`. State corruption always is a violation. Each
 * concern is a piece in lifecycle/:
 *   sequence-binding.ts    a sequence continuing without START on a model object that never saw
 *                          its START; a request run or answered by a model it was not bound to;
 *                          which sequences a switch cut off (interrupted)
 *   instance-lifetimes.ts  a slot of a removed instance refilled; an instance or model destroyed
 *                          while a slot still serves a sequence
 *   model-retirement.ts    a retired model never destroyed
 *   drain-policy.ts        a START reaching a model being drained; a drain that finished without
 *                          its timeout yet interrupted a sequence; held STARTs and drain timeouts
 */
import type { TraceEvent } from '../../src/core/events.ts';
import type { Ledger } from './ledger.ts';
import { ViolationSink, type Violation } from './types.ts';
import { SequenceBinding } from './lifecycle/sequence-binding.ts';
import { InstanceLifetimes } from './lifecycle/instance-lifetimes.ts';
import { ModelRetirement } from './lifecycle/model-retirement.ts';
import { DrainPolicy } from './lifecycle/drain-policy.ts';

export type { InterruptedSequence } from './lifecycle/sequence-binding.ts';
import type { InterruptedSequence } from './lifecycle/sequence-binding.ts';

export interface LifecycleReport {
  /** Model objects over the run (1 + reloads). */
  readonly generations: number;
  readonly interrupted: readonly InterruptedSequence[];
  /** Drain policy: STARTs held by the router (requests that follow a held START not counted). */
  readonly heldStarts: number;
  readonly holdUs: { readonly p50: number; readonly p99: number; readonly max: number };
  readonly drainTimeouts: number;
}

export interface LifecycleCheck {
  readonly violations: Violation[];
  readonly report: LifecycleReport;
}

/**
 * The lifecycle oracles, fed one event at a time. An arrival is judged when the next event shows
 * whether the scheduler refused it: the scheduler emits a rejection right after its arrival.
 */
export class LifecycleOracle {
  // One sink for every piece: violations keep the trace order and share the oracle's cap.
  private readonly sink = new ViolationSink('lifecycle');
  private readonly binding: SequenceBinding;
  private readonly instances: InstanceLifetimes;
  private readonly retirement: ModelRetirement;
  private readonly drain: DrainPolicy;
  private arrival: { event: Extract<TraceEvent, { type: 'arrive' }>; index: number } | undefined;
  private generations = 1;

  constructor(
    ledger: Ledger,
    private readonly options: { readonly strict: boolean },
  ) {
    this.binding = new SequenceBinding(ledger, this.sink);
    this.instances = new InstanceLifetimes(this.sink);
    this.retirement = new ModelRetirement(this.sink);
    this.drain = new DrainPolicy(this.sink);
  }

  observe(event: TraceEvent, index: number): void {
    const arrival = this.arrival;
    if (arrival !== undefined) {
      this.arrival = undefined;
      this.onArrive(arrival.event, arrival.index, event.type === 'reject' && event.request === arrival.event.request);
    }
    const { binding, instances } = this;
    switch (event.type) {
      case 'arrive':
        this.arrival = { event, index };
        return;
      case 'backlog':
        binding.onBacklog(event);
        return;
      case 'assign':
        instances.onAssign(event, index);
        binding.onAssign(event);
        return;
      case 'reap':
        binding.onReap(event);
        return;
      case 'release':
        instances.onRelease(event);
        binding.onRelease(event);
        return;
      case 'execute':
        binding.onExecute(event, index);
        instances.onExecute(event, index);
        return;
      case 'response':
        binding.onResponse(event, index);
        return;
      case 'lifecycle':
        this.generations = Math.max(this.generations, event.generation);
        this.onLifecycle(event, index);
        return;
      default:
        return;
    }
  }

  finish(quiescent: boolean): LifecycleCheck {
    const arrival = this.arrival;
    this.arrival = undefined;
    if (arrival !== undefined) this.onArrive(arrival.event, arrival.index, false);
    if (quiescent) this.retirement.checkAllDestroyed();
    if (this.options.strict) {
      for (const entry of this.binding.interrupted) {
        this.sink.add(`sequence ${entry.sequence} was interrupted by the switch away from generation ${entry.generation} (--strict-lifecycle)`, [
          entry.cutLine - 1,
          entry.line - 1,
        ]);
      }
    }
    const report: LifecycleReport = { generations: this.generations, interrupted: this.binding.interrupted, ...this.drain.report() };
    return { violations: this.sink.done(), report };
  }

  private onArrive(event: Extract<TraceEvent, { type: 'arrive' }>, index: number, rejected: boolean): void {
    const arrival = this.binding.bind(event, index, rejected);
    if (arrival === undefined) return;
    this.drain.onArrive(arrival, index);
    this.binding.openOrContinue(arrival, index);
  }

  /** Generation `generation` stops taking requests: every sequence open on it is cut off. */
  private cut(generation: number, index: number): void {
    this.retirement.onRetired(generation, index);
    for (const sequence of this.binding.cut(generation, index)) this.drain.onCut(generation, sequence, index);
  }

  private onLifecycle(event: Extract<TraceEvent, { type: 'lifecycle' }>, index: number): void {
    const { drain, instances, retirement } = this;
    const generation = event.generation;
    const instance = typeof event['instance'] === 'number' ? event['instance'] : undefined;
    switch (event.action) {
      case 'swap':
        if (typeof event['previous'] === 'number') this.cut(event['previous'], index);
        drain.onLoadSettled();
        return;
      case 'update':
      case 'noop':
      case 'load-failed':
        drain.onLoadSettled();
        return;
      case 'unload':
        if (event['loaded'] !== false) this.cut(generation, index);
        return;
      case 'instance-removed':
        if (instance !== undefined) instances.onInstanceRemoved(instance);
        return;
      case 'instance-destroyed':
        if (instance !== undefined) instances.onInstanceDestroyed(instance, index);
        return;
      case 'model-destroyed':
        retirement.onModelDestroyed(generation);
        instances.onModelDestroyed(generation, index);
        return;
      case 'drain-start':
        drain.onDrainStart(generation);
        return;
      case 'drained':
        drain.onDrained(generation, index);
        return;
      case 'drain-timeout':
        drain.onDrainTimeout();
        return;
      case 'start-released':
        drain.onStartReleased(event['start'] === true, typeof event['held_us'] === 'number' ? event['held_us'] : undefined);
        return;
      default:
        return;
    }
  }
}

/** LifecycleOracle over a whole trace. */
export function checkLifecycle(
  events: readonly TraceEvent[],
  ledger: Ledger,
  options: { readonly strict: boolean; readonly quiescent: boolean },
): LifecycleCheck {
  const oracle = new LifecycleOracle(ledger, options);
  for (let index = 0; index < events.length; index++) oracle.observe(events[index]!, index);
  return oracle.finish(options.quiescent);
}
