import { parseScenario } from '../../src/scenario/load.ts';
import { simulate, type RunResult } from '../../sim/simulate.ts';
import type { Chooser } from '../../sim/kernel/event-queue.ts';
import type { TraceEvent, TraceRow } from '../../src/core/events.ts';

/** Same-instant tasks run in the order they were scheduled: expectations can be reasoned out. */
export const FIFO: Chooser = { choose: () => 0 };

export interface World {
  model: Record<string, unknown>;
  sequences: unknown[];
  executorUs?: number;
  transportUs?: number;
  lifecycle?: unknown[];
}

export function runWorld(world: World, seed = 1): RunResult {
  const json = {
    name: 'conformance',
    model: world.model,
    executor: { latency_us: world.executorUs ?? 1000 },
    transport: { latency_us: world.transportUs ?? 0 },
    sequences: world.sequences,
    ...(world.lifecycle ? { lifecycle: world.lifecycle } : {}),
  };
  return simulate(parseScenario(json, 'conformance.json', '.'), { seed, chooser: FIFO });
}

export function directModel(extra: Record<string, unknown> = {}, direct: Record<string, unknown> = {}): Record<string, unknown> {
  const { sequence_batching: sb, ...rest } = extra as { sequence_batching?: Record<string, unknown> };
  return {
    name: 'acc',
    max_batch_size: 1,
    instance_group: [{ count: 1, kind: 'KIND_CPU' }],
    ...rest,
    sequence_batching: { max_sequence_idle_microseconds: 10_000_000, direct, ...(sb ?? {}) },
  };
}

export function oldestModel(extra: Record<string, unknown> = {}, oldest: Record<string, unknown> = {}): Record<string, unknown> {
  const { sequence_batching: sb, ...rest } = extra as { sequence_batching?: Record<string, unknown> };
  return {
    name: 'acc',
    max_batch_size: 4,
    instance_group: [{ count: 1, kind: 'KIND_CPU' }],
    ...rest,
    sequence_batching: { max_sequence_idle_microseconds: 10_000_000, oldest, ...(sb ?? {}) },
  };
}

/** request id → output value, or "CODE: message" for an error response. */
export function results(run: RunResult): Record<string, number | string> {
  const out: Record<string, number | string> = {};
  for (const e of run.events) {
    if (e.type !== 'response') continue;
    out[e.request] = 'output' in e ? e.output : `${e.error.code}: ${e.error.message}`;
  }
  return out;
}

/** request id → time the client received its response. */
export function responseTimes(run: RunResult): Record<string, number> {
  const out: Record<string, number> = {};
  for (const e of run.events) if (e.type === 'response') out[e.request] = e.t;
  return out;
}

export interface ExecutedBatch {
  t: number;
  instance: number;
  rows: TraceRow[];
}

export function batches(run: RunResult): ExecutedBatch[] {
  return run.events.flatMap((e) => (e.type === 'execute' ? [{ t: e.t, instance: e.instance, rows: e.rows }] : []));
}

/** Compact batch picture: "t I<n> [req|-, …]" with "-" for padding. */
export function batchShapes(run: RunResult): string[] {
  return batches(run).map((b) => `${b.t} I${b.instance} [${b.rows.map((r) => r.request ?? '-').join(', ')}]`);
}

export function ofType<T extends TraceEvent['type']>(run: RunResult, type: T): Extract<TraceEvent, { type: T }>[] {
  return run.events.filter((e): e is Extract<TraceEvent, { type: T }> => e.type === type);
}

export function assignments(run: RunResult): string[] {
  return ofType(run, 'assign').map((e) => `${e.t} ${JSON.stringify(e.sequence)}→I${e.instance}s${e.slot}`);
}

export function releases(run: RunResult): string[] {
  return ofType(run, 'release').map((e) => `${e.t} ${JSON.stringify(e.sequence)} ${e.instance === null ? 'backlog' : `I${e.instance}s${e.slot}`} ${e.reason}`);
}

export const startError = (id: string | number, model = 'acc'): string =>
  `INVALID_ARG: inference request for sequence ${id} to model '${model}' must specify the START flag on the first request of the sequence`;
