import { createHash } from 'node:crypto';
import { assert } from '../../src/core/assert.ts';
import type { TraceEvent } from '../../src/core/events.ts';
import { ScheduledTask, type PendingTask } from '../kernel/event-queue.ts';
import type { WorldProbe } from '../simulate.ts';
import { requestClient } from './independence.ts';

/** A world far bigger than any model-checkable scenario is a misuse, not something to hash. */
const MAX_DIGEST_NODES = 1_000_000;

/**
 * Serialises an object graph canonically: fields in their (construction) order, Maps and Sets in
 * insertion order (the reaper iterates them, so their order is behaviour), shared objects as
 * back-references (a batch row's state *is* its slot's state until a START replaces it), timer
 * handles as (time, label, cancelled), functions as an opaque mark (what a pending closure acts
 * on is given by its task's `about`). Task ids and batch-free bookkeeping never appear.
 */
export class GraphWriter {
  private readonly seen = new Map<object, number>();
  readonly parts: string[] = [];

  constructor(private readonly ignore: ReadonlySet<object>) {}

  write(value: unknown): void {
    const parts = this.parts;
    switch (typeof value) {
      case 'undefined':
        parts.push('u');
        return;
      case 'number':
        parts.push(`n${value}`);
        return;
      case 'string':
        parts.push(JSON.stringify(value));
        return;
      case 'boolean':
        parts.push(value ? 'T' : 'F');
        return;
      case 'bigint':
        parts.push(`${value}n`);
        return;
      case 'symbol':
        parts.push(String(value));
        return;
      case 'function':
        parts.push('f');
        return;
      default:
        if (value === null) parts.push('null');
        else this.writeObject(value as object);
    }
  }

  private writeObject(value: object): void {
    const parts = this.parts;
    if (this.ignore.has(value)) {
      parts.push('~');
      return;
    }
    const ref = this.seen.get(value);
    if (ref !== undefined) {
      parts.push(`#${ref}`);
      return;
    }
    this.seen.set(value, this.seen.size);
    assert(this.seen.size <= MAX_DIGEST_NODES, 'a state digest walks a bounded world');
    if (value instanceof ScheduledTask) {
      parts.push(`T(${value.atUs},${JSON.stringify(value.labelText())},${value.cancelled})`);
    } else if (Array.isArray(value)) {
      parts.push('[');
      for (const item of value) this.write(item);
      parts.push(']');
    } else if (value instanceof Map) {
      parts.push('M{');
      for (const [key, item] of value) {
        this.write(key);
        this.write(item);
      }
      parts.push('}');
    } else if (value instanceof Set) {
      parts.push('S{');
      for (const item of value) this.write(item);
      parts.push('}');
    } else {
      parts.push(`${value.constructor?.name ?? 'null-proto'}{`);
      for (const key of Object.keys(value)) {
        parts.push(key);
        this.write((value as Record<string, unknown>)[key]);
      }
      parts.push('}');
    }
  }
}

/**
 * Pending tasks without their ids (which depend on history): per channel in run order (a channel's
 * order decides which task is eligible), channel-less tasks sorted by (time, label). The checker
 * picks by label beyond its depth bound, so nothing else depends on how they were interleaved.
 */
export function canonicalPending(tasks: readonly PendingTask[]): PendingTask[] {
  const byChannel = new Map<string, PendingTask[]>();
  const free: PendingTask[] = [];
  for (const task of tasks) {
    if (task.channel === undefined) free.push(task);
    else byChannel.set(task.channel, [...(byChannel.get(task.channel) ?? []), task]);
  }
  free.sort((a, b) => a.atUs - b.atUs || (a.label < b.label ? -1 : a.label > b.label ? 1 : 0));
  const channels = [...byChannel.keys()].sort();
  return [...channels.flatMap((channel) => byChannel.get(channel)!), ...free];
}

/**
 * The trace so far up to the commutations the oracles cannot see (see README, "State hashing"):
 * `send` events only feed the oracles' per-request ledger, so they may move past anything but
 * their own client's events; adjacent `response` events of different clients commute (each is
 * checked against sets only other events change). So: the skeleton of every other event in order,
 * with each run of consecutive responses sorted by client (stably), plus each client's own events
 * in order. Two traces with equal digests are equivalent under those swaps, so every oracle gives
 * them — and any common continuation — the same verdict.
 */
export class TraceCanon {
  private readonly skeleton: string[] = [];
  private responseRun: { client: string; text: string }[] = [];
  private readonly perClient = new Map<string, string[]>();
  private seen = 0;

  constructor(private readonly events: readonly TraceEvent[]) {}

  /** Folds in the events recorded since the last call. */
  update(): void {
    for (; this.seen < this.events.length; this.seen++) {
      const event = this.events[this.seen]!;
      const text = JSON.stringify(event);
      const client = 'request' in event && typeof event.request === 'string' ? requestClient(event.request) : undefined;
      if (client !== undefined && (event.type === 'send' || event.type === 'response' || event.type === 'cancel')) {
        let own = this.perClient.get(client);
        if (own === undefined) {
          own = [];
          this.perClient.set(client, own);
        }
        own.push(text);
      }
      if (event.type === 'send') continue;
      if (event.type === 'response' && client !== undefined) {
        this.responseRun.push({ client, text });
        continue;
      }
      this.flushRun();
      this.skeleton.push(text);
    }
  }

  /** The canonical text; the open response run is sorted without being closed. */
  text(): string {
    const run = sortedRun(this.responseRun);
    const clients = [...this.perClient.keys()].sort();
    return [...this.skeleton, '|', ...run, '|', ...clients.flatMap((c) => [c, ...this.perClient.get(c)!])].join('\n');
  }

  private flushRun(): void {
    if (this.responseRun.length === 0) return;
    this.skeleton.push(...sortedRun(this.responseRun));
    this.responseRun = [];
  }
}

function sortedRun(run: readonly { client: string; text: string }[]): string[] {
  // Array.prototype.sort is stable: one client's responses keep their order.
  return [...run].sort((a, b) => (a.client < b.client ? -1 : a.client > b.client ? 1 : 0)).map((r) => r.text);
}

/**
 * Everything that decides a run's future and its oracles' verdict at a choice point: the time,
 * the task count (the event budget), the world's mutable objects, the pending tasks with what
 * they act on, and the canonical trace. SHA-256, so distinct states collide with negligible odds.
 */
export function stateDigest(probe: WorldProbe, trace: TraceCanon): string {
  const writer = new GraphWriter(probe.ignore);
  writer.parts.push(`t${probe.loop.nowUs()}`, `x${probe.loop.eventsExecuted}`);
  for (const root of probe.roots) writer.write(root);
  writer.parts.push('|pending');
  for (const task of canonicalPending(probe.loop.pendingTasks())) {
    writer.parts.push(`${task.atUs}`, JSON.stringify(task.label), task.channel ?? '-');
    writer.write(task.about);
  }
  trace.update();
  const hash = createHash('sha256');
  hash.update(writer.parts.join('\u0001'));
  hash.update('\u0002');
  hash.update(trace.text());
  return hash.digest('hex');
}
