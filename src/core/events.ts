import type { ScenarioId } from './ids.ts';
import type { TritonError } from './errors.ts';

/**
 * Trace events (shared/TRACE.md). Key order in these object types is the serialised key order:
 * builders must create fields in this order, after `t` and `type`.
 */

/** The CORRID value a row carries, after conversion to the CORRID tensor's data type. */
export type CorridValue = number | string | { readonly u64: string } | { readonly i64: string };

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
  | { type: 'send'; request: string; sequence: ScenarioId; step: number; start: boolean; end: boolean; value: number; retry_of?: string }
  | { type: 'arrive'; request: string }
  | { type: 'reject'; request: string; code: string; message: string }
  | { type: 'assign'; sequence: ScenarioId; instance: number; slot: number; first_request?: string }
  | { type: 'backlog'; sequence: ScenarioId }
  | { type: 'reap'; sequence: ScenarioId; instance: number; slot: number }
  | { type: 'release'; sequence: ScenarioId; instance: number | null; slot: number | null; reason: ReleaseReason; first_request?: string }
  | { type: 'dispatch'; instance: number; slot: number; request: string }
  | { type: 'execute'; instance: number; batch: number; rows: TraceRow[] }
  | { type: 'complete'; instance: number; batch: number; ok: boolean }
  | { type: 'response'; request: string; sequence: ScenarioId; step: number; output: number }
  | { type: 'response'; request: string; sequence: ScenarioId; step: number; error: TritonError }
  | { type: 'cancel'; request: string }
  | { type: 'warning'; message: string; sequence: ScenarioId }
  | { type: 'fault'; kind: string; [field: string]: unknown }
  | { type: 'violation'; oracle: string; message: string; events: number[] }
  | { type: 'lifecycle'; action: string; generation: number; [field: string]: unknown }
  | { type: 'summary'; requests: number; responses: number; violations: number; events: number; hash: string };

export type TraceEvent = { t: number } & TraceEventBody;

/** Where the batcher (and the simulator) report observable events; `t` is added by the sink. */
export interface EventSink {
  /** False when nothing is recorded (benchmarks): hot paths then skip building events. */
  readonly enabled: boolean;
  emit(event: TraceEventBody): void;
}
