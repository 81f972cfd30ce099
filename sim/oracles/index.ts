import type { TraceEvent } from '../../src/core/events.ts';
import type { ModelConfig } from '../../src/config/types.ts';
import type { RunOutcome } from '../kernel/event-queue.ts';

export type OracleName = 'affinity' | 'order' | 'control-signals' | 'slot-accounting' | 'response' | 'outputs' | 'batch-shape' | 'liveness';
export interface Violation {
  oracle: OracleName;
  message: string;
  events: number[];
}
export interface OracleContext {
  model: ModelConfig;
  runEnded: RunOutcome;
  maxEvents: number;
}
export function checkTrace(_events: readonly TraceEvent[], _context: OracleContext): Violation[] {
  return [];
}
