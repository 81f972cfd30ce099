import type { BatchRow } from '../core/ports.ts';
import type { TraceRow } from '../core/events.ts';
import type { InferRequest } from '../core/request.ts';
import type { SlotState } from '../core/request.ts';
import type { ModelConfig } from '../config/types.ts';
import { corridValue, paddingCorrid } from './controls.ts';
import { paddingState } from './implicit-state.ts';

/** A real row: controls from the request's flags, READY=true, CORRID converted to its data type. */
export function requestRow(model: ModelConfig, slot: number, request: InferRequest, state: SlotState): BatchRow {
  return {
    slot,
    request,
    start: request.start,
    end: request.end,
    ready: true,
    corrid: corridValue(model.controls.corrid, request.correlationId),
    state,
  };
}

/** Triton's null request (Direct padding): READY=false, START=END=false, CORRID=0. */
export function paddingRow(model: ModelConfig, slot: number): BatchRow {
  return { slot, request: null, start: false, end: false, ready: false, corrid: paddingCorrid(model.controls.corrid), state: paddingState() };
}

export function traceRows(rows: readonly BatchRow[]): TraceRow[] {
  return rows.map((row) => ({
    slot: row.slot,
    request: row.request?.id ?? null,
    sequence: row.request?.sequence ?? null,
    start: row.start,
    end: row.end,
    ready: row.ready,
    corrid: row.corrid,
  }));
}
