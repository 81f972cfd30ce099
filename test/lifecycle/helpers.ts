import { fileURLToPath } from 'node:url';
import type { TraceEvent } from '../../src/core/events.ts';
import { loadScenarioFile, parseScenario } from '../../src/scenario/load.ts';
import { simulate, type RunResult } from '../../sim/simulate.ts';

export const EXAMPLES = fileURLToPath(new URL('../../sim/examples/lifecycle/', import.meta.url));

export function runExample(name: string, options: { batcher?: string; strictLifecycle?: boolean } = {}): RunResult {
  return simulate(loadScenarioFile(`${EXAMPLES}${name}.json`), { seed: 1, ...options });
}

export function runJson(json: unknown, options: { batcher?: string; strictLifecycle?: boolean } = {}): RunResult {
  return simulate(parseScenario(json, 'scn.json', '.'), { seed: 1, ...options });
}

/** A Direct accumulator config with `count` CPU instances. */
export function directModel(count: number, maxBatchSize = 1, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: 'acc',
    max_batch_size: maxBatchSize,
    instance_group: [{ count, kind: 'KIND_CPU' }],
    sequence_batching: { max_sequence_idle_microseconds: 8_000_000, direct: {} },
    ...extra,
  };
}

export function lifecycleEvents(run: RunResult, action?: string): Extract<TraceEvent, { type: 'lifecycle' }>[] {
  return run.events.filter((e): e is Extract<TraceEvent, { type: 'lifecycle' }> => e.type === 'lifecycle' && (action === undefined || e.action === action));
}

export function eventsOf<T extends TraceEvent['type']>(run: RunResult, type: T): Extract<TraceEvent, { type: T }>[] {
  return run.events.filter((e): e is Extract<TraceEvent, { type: T }> => e.type === type);
}

/** Responses by request id: output value, or the error's code and message. */
export function responses(run: RunResult): Map<string, number | string> {
  const out = new Map<string, number | string>();
  for (const r of eventsOf(run, 'response')) out.set(r.request, 'output' in r ? r.output : `${r.error.code}: ${r.error.message}`);
  return out;
}
