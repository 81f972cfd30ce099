import type { ScenarioId } from './ids.ts';
import type { TritonError } from './errors.ts';

/**
 * Trace events (shared/TRACE.md). `generation` (the model object a request was bound to) is only
 * written when the scenario manages the model (a lifecycle `load` or `unload`). Key order in these object types is the serialised key order:
 * builders must create fields in this order, after `t` and `type`.
 */

/** The CORRID value a row carries, after conversion to the CORRID tensor's data type. */
export type CorridValue = number | string | { readonly u64: string } | { readonly i64: string };

/**
 * Why a client saw no response (client-side traces): `aborted` it cut the exchange (a cancel over
 * HTTP), `timeout` it gave up (the fault plan's client timeout), `deadline` nothing came within
 * --deadline, `connection` the connection failed or closed without an answer, `protocol` the answer
 * was not a KServe v2 response.
 */
export type ClientFailure = 'aborted' | 'timeout' | 'deadline' | 'connection' | 'protocol';

export type ReleaseReason = 'end' | 'idle-timeout' | 'cancel' | 'expired' | 'destroyed';

export interface TraceRow {
  slot: number;
  request: string | null;
  sequence: ScenarioId | null;
  start: boolean;
  end: boolean;
  ready: boolean;
  corrid: CorridValue;
}

export type TraceEventBody =
  | { type: 'send'; request: string; sequence: ScenarioId; step: number; start: boolean; end: boolean; value: number; retry_of?: string; timeout_us?: number }
  | { type: 'arrive'; request: string; generation?: number }
  | { type: 'reject'; request: string; code: string; message: string; generation?: number }
  | { type: 'assign'; sequence: ScenarioId; instance: number; slot: number; first_request?: string; generation?: number }
  | { type: 'backlog'; sequence: ScenarioId; generation?: number }
  | { type: 'reap'; sequence: ScenarioId; instance: number; slot: number; generation?: number }
  | {
      type: 'release';
      sequence: ScenarioId;
      instance: number | null;
      slot: number | null;
      reason: ReleaseReason;
      first_request?: string;
      exit?: true;
      generation?: number;
    }
  | { type: 'dispatch'; instance: number; slot: number; request: string; generation?: number }
  | { type: 'execute'; instance: number; batch: number; rows: TraceRow[]; generation?: number }
  | { type: 'complete'; instance: number; batch: number; ok: boolean; generation?: number }
  | { type: 'response'; request: string; sequence: ScenarioId; step: number; output: number; generation?: number }
  | { type: 'response'; request: string; sequence: ScenarioId; step: number; error: TritonError; generation?: number; http_status?: number }
  /** Client-side traces (`seqsim drive`): the request got no answer from the server (see ClientFailure). */
  | { type: 'error'; request: string; sequence: ScenarioId; step: number; reason: ClientFailure; message: string }
  /** Client-side traces: the slot-leak probe starts `sequences` new sequences, one per slot. */
  | { type: 'probe'; sequences: number }
  | { type: 'cancel'; request: string }
  | { type: 'warning'; message: string; sequence: ScenarioId; generation?: number }
  | { type: 'fault'; kind: string; [field: string]: unknown }
  | { type: 'violation'; oracle: string; message: string; events: number[] }
  | { type: 'lifecycle'; action: string; generation: number; [field: string]: unknown }
  | { type: 'summary'; requests: number; responses: number; violations: number; events: number; hash: string };

export type TraceEvent = { t: number } & TraceEventBody;

/**
 * Whether an event shows the world doing something: a violation or the summary closes a run, and a
 * late timer (a `timer_jitter` fault) only delays the reaper's polling. The stall stop
 * (sim/stall.ts) and the timeline's idle-tail cut (viz) share this rule.
 */
export function showsActivity(event: TraceEvent): boolean {
  if (event.type === 'violation' || event.type === 'summary') return false;
  return !(event.type === 'fault' && event.kind === 'timer_jitter');
}

/** Where the batcher (and the simulator) report observable events; `t` is added by the sink. */
export interface EventSink {
  /** False when nothing is recorded (benchmarks): hot paths then skip building events. */
  readonly enabled: boolean;
  emit(event: TraceEventBody): void;
}
