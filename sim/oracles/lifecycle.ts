/*
 * Oracles across a model switch (update spec rules 2–8), on traces whose scenario manages the
 * model. A reload or unload may cut sequences off (Triton does): those are reported as
 * `interrupted`, not violations, unless `strict`. State corruption always is a violation: a
 * sequence continuing without START on a model object that never saw its START, a request run
 * or answered by a model it was not bound to, a slot of a removed instance refilled, an instance
 * or model destroyed while a slot still serves a sequence, a retired model never destroyed, and a
 * drain-policy switch that interrupted a sequence without hitting its timeout.
 */
import type { TraceEvent } from '../../src/core/events.ts';
import type { Ledger } from './ledger.ts';
import { generationKey, sequenceKey, slotName } from './ledger.ts';
import { ViolationSink, type Violation } from './types.ts';
import { percentile } from '../../src/core/percentile.ts';

export interface InterruptedSequence {
  readonly sequence: string;
  /** The model object that was serving it when it was cut off. */
  readonly generation: number;
  /** Trace line of the cut (swap or unload) and of the request that found the sequence gone. */
  readonly cutLine: number;
  readonly line: number;
}

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

export function checkLifecycle(
  events: readonly TraceEvent[],
  ledger: Ledger,
  options: { readonly strict: boolean; readonly quiescent: boolean },
): LifecycleCheck {
  const sink = new ViolationSink('lifecycle');
  const rejected = new Set(events.flatMap((e) => (e.type === 'reject' ? [e.request] : [])));
  const boundTo = new Map<string, number>();
  /** Sequences (key@generation) with an accepted START and no END or force-end since. */
  const open = new Set<string>();
  /**
   * The backlog queue (by its first request) each waiting sequence lives in: a backlog release
   * ends only that queue, while a later START of the id may wait in a queue of its own.
   */
  const waitingIn = new Map<string, string>();
  let lastArrived: string | undefined;
  const removed = new Set<number>();
  const destroyedInstances = new Set<number>();
  const instanceGeneration = new Map<number, number>();
  const holder = new Map<string, { key: string; instance: number; index: number }>();
  const retired = new Map<number, number>();
  const destroyedModels = new Set<number>();
  /** Cut-off sequences waiting for their next request: sequence key → the cut. */
  const cutOff = new Map<string, { generation: number; cutLine: number }>();
  const interrupted: InterruptedSequence[] = [];
  const holdUs: number[] = [];
  let heldStarts = 0;
  let drainTimeouts = 0;
  /** The drain that finished without timeout, until its load took effect: it must cut nothing. */
  let cleanDrain: { generation: number; index: number } | undefined;
  let drainingGeneration: number | undefined;

  events.forEach((event, index) => {
    switch (event.type) {
      case 'arrive':
        lastArrived = event.request;
        onArrive(event.request, event.generation, index);
        return;
      case 'backlog':
        // A new backlog queue starts with the request that just arrived.
        if (lastArrived !== undefined) waitingIn.set(generationKey(sequenceKey(event.sequence), event.generation), lastArrived);
        return;
      case 'assign': {
        const generation = event.generation;
        if (generation !== undefined) instanceGeneration.set(event.instance, generation);
        if (removed.has(event.instance))
          sink.add(
            `sequence ${event.sequence} assigned ${slotName(event.instance, event.slot)}, a slot of ` +
              `instance ${event.instance}, which an update removed: its slots must not be refilled`,
            [index],
          );
        if (destroyedInstances.has(event.instance))
          sink.add(`sequence ${event.sequence} assigned a slot of instance ${event.instance}, which was destroyed`, [index]);
        holder.set(slotName(event.instance, event.slot), { key: generationKey(sequenceKey(event.sequence), generation), instance: event.instance, index });
        // The id's latest sequence leaves the backlog only if this is its queue (or it never waited).
        const key = generationKey(sequenceKey(event.sequence), generation);
        if (event.first_request === undefined || waitingIn.get(key) === event.first_request) waitingIn.delete(key);
        return;
      }
      case 'reap':
        open.delete(generationKey(sequenceKey(event.sequence), event.generation));
        return;
      case 'release':
        if (event.instance !== null && event.slot !== null) holder.delete(slotName(event.instance, event.slot));
        {
          // A cancel-release erases the id (spec §8); expiry drops a backlogged sequence. A backlog
          // queue's release ends only that queue: a later START of the id may have its own queue.
          const key = generationKey(sequenceKey(event.sequence), event.generation);
          // A slot's release does not touch a newer sequence of the id that waits in the backlog.
          const own = event.instance === null ? waitingIn.get(key) === event.first_request : !waitingIn.has(key);
          if ((event.reason === 'cancel' || event.reason === 'expired' || event.reason === 'destroyed') && own) open.delete(key);
          return;
        }
      case 'execute':
        for (const row of event.rows) {
          if (row.request === null) continue;
          const bound = boundTo.get(row.request);
          if (bound !== event.generation)
            sink.add(
              `request ${row.request} bound to generation ${bound ?? 'none'} executed on ` +
                `instance ${event.instance} of generation ${event.generation ?? 'none'}`,
              [index],
            );
        }
        if (destroyedInstances.has(event.instance)) sink.add(`a batch executed on instance ${event.instance} after it was destroyed`, [index]);
        return;
      case 'response': {
        const bound = boundTo.get(event.request);
        if (bound !== undefined && event.generation !== bound)
          sink.add(`request ${event.request} bound to generation ${bound} was answered as generation ${event.generation ?? 'none'}`, [index]);
        return;
      }
      case 'lifecycle':
        onLifecycle(event, index);
        return;
      default:
        return;
    }
  });

  function onArrive(request: string, generation: number | undefined, index: number): void {
    const sent = ledger.sent.get(request);
    if (sent === undefined) return;
    const cut = cutOff.get(sent.sequenceKey);
    if (cut !== undefined) {
      cutOff.delete(sent.sequenceKey);
      // The sequence's next step after the cut: a START begins anew; anything else was cut off.
      if (!sent.start) interrupted.push({ sequence: sent.sequenceKey, generation: cut.generation, cutLine: cut.cutLine + 1, line: index + 1 });
    }
    if (generation === undefined || rejected.has(request)) return;
    boundTo.set(request, generation);
    const key = generationKey(sent.sequenceKey, generation);
    if (drainingGeneration === generation && sent.start)
      sink.add(`START ${request} reached generation ${generation} while the drain policy holds new STARTs`, [index]);
    if (sent.start) open.add(key);
    else if (!open.has(key)) {
      sink.add(
        `request ${request} continued sequence ${sent.sequenceKey} on generation ` +
          `${generation}, which never saw its START: the sequence would run on fresh state`,
        [index],
      );
    }
    if (sent.end) open.delete(key);
  }

  function onLifecycle(event: Extract<TraceEvent, { type: 'lifecycle' }>, index: number): void {
    const generation = event.generation;
    const instance = typeof event['instance'] === 'number' ? event['instance'] : undefined;
    switch (event.action) {
      case 'swap':
        if (typeof event['previous'] === 'number') cut(event['previous'], index);
        cleanDrain = undefined;
        return;
      case 'update':
      case 'noop':
      case 'load-failed':
        cleanDrain = undefined;
        return;
      case 'unload':
        if (event['loaded'] !== false) cut(generation, index);
        return;
      case 'instance-removed':
        if (instance !== undefined) removed.add(instance);
        return;
      case 'instance-destroyed':
        if (instance === undefined) return;
        destroyedInstances.add(instance);
        for (const [slot, held] of holder) {
          if (held.instance === instance) sink.add(`instance ${instance} was destroyed while ${slot} still served sequence ${held.key}`, [held.index, index]);
        }
        return;
      case 'model-destroyed':
        destroyedModels.add(generation);
        for (const [slot, held] of holder) {
          if (instanceGeneration.get(held.instance) === generation)
            sink.add(`generation ${generation} was destroyed but ${slot} was never released by sequence ${held.key}`, [held.index, index]);
        }
        return;
      case 'drain-start':
        drainingGeneration = generation;
        return;
      case 'drained':
        cleanDrain = { generation, index };
        drainingGeneration = undefined;
        return;
      case 'drain-timeout':
        drainTimeouts++;
        drainingGeneration = undefined;
        return;
      case 'start-released':
        if (event['start'] === true) {
          heldStarts++;
          if (typeof event['held_us'] === 'number') holdUs.push(event['held_us']);
        }
        cleanDrain = undefined;
        return;
      default:
        return;
    }
  }

  /** Generation `generation` stops taking requests: every sequence open on it is cut off. */
  function cut(generation: number, index: number): void {
    retired.set(generation, index);
    const suffix = `@g${generation}`;
    for (const key of open) {
      if (!key.endsWith(suffix)) continue;
      open.delete(key);
      const plain = key.slice(0, -suffix.length);
      cutOff.set(plain, { generation, cutLine: index });
      if (cleanDrain !== undefined && cleanDrain.generation === generation) {
        sink.add(`the drain policy finished without its timeout, yet sequence ${plain} was still open on generation ${generation} at the switch`, [
          cleanDrain.index,
          index,
        ]);
      }
    }
  }

  if (options.quiescent) {
    for (const [generation, index] of retired) {
      if (!destroyedModels.has(generation))
        sink.add(`generation ${generation} was retired but never destroyed: a request or slot still references it`, [index]);
    }
  }
  if (options.strict) {
    for (const entry of interrupted) {
      sink.add(`sequence ${entry.sequence} was interrupted by the switch away from generation ${entry.generation} (--strict-lifecycle)`, [
        entry.cutLine - 1,
        entry.line - 1,
      ]);
    }
  }
  const sorted = [...holdUs].sort((a, b) => a - b);
  const report: LifecycleReport = {
    generations: Math.max(1, ...events.flatMap((e) => (e.type === 'lifecycle' ? [e.generation] : []))),
    interrupted,
    heldStarts,
    holdUs: { p50: percentile(sorted, 0.5), p99: percentile(sorted, 0.99), max: sorted[sorted.length - 1] ?? 0 },
    drainTimeouts,
  };
  return { violations: sink.done(), report };
}
