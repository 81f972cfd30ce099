import type { Scenario } from '../src/scenario/types.ts';
import { parseScenario } from '../src/scenario/load.ts';

/** perf_analyzer's sequence mode: N sequences of L steps, C of them in flight at any time. */
export interface LoadSpec {
  readonly sequences: number;
  readonly sequenceLength: number;
  readonly concurrency: number;
}

/** Distinct powers of two per step, so a lost, repeated or misrouted step shows in the sum. */
function stepValue(step: number): number {
  return 1 << (step % 24);
}

/**
 * The scenario a load run drives: the user's model, with its sequences replaced by N generated
 * sync sequences (ids 1..N; numeric-string ids for a TYPE_STRING CORRID). They all have
 * start_us 0: the load lanes start each one when an earlier one ends (a closed loop).
 */
export function loadScenario(base: Scenario, spec: LoadSpec, file: string): Scenario {
  const stringIds = base.model.controls.corrid?.dataType === 'TYPE_STRING';
  const sequences = Array.from({ length: spec.sequences }, (_, index) => ({
    id: stringIds ? String(index + 1) : index + 1,
    steps: Array.from({ length: spec.sequenceLength }, (_, step) => ({
      value: stepValue(step),
      ...(step === 0 ? { start: true } : {}),
      ...(step === spec.sequenceLength - 1 ? { end: true } : {}),
    })),
  }));
  const json = { ...base.normalized, name: `${base.name} (load)`, transport: { latency_us: 0 }, sequences };
  delete (json as Record<string, unknown>)['faults'];
  delete (json as Record<string, unknown>)['lifecycle'];
  return parseScenario(json, file, '.');
}

/** What a load run leaves out of the base scenario, as notes for the report. */
export function loadNotes(base: Scenario): string[] {
  const notes: string[] = [];
  if (base.lifecycle.length > 0)
    notes.push(
      `load mode left out the scenario's lifecycle block (${base.lifecycle.length} ` +
        `entr${base.lifecycle.length === 1 ? 'y' : 'ies'}): its times belong to the scenario's own sequences`,
    );
  if (base.faults !== undefined)
    notes.push("load mode left out the scenario's faults block: injected faults need the virtual clock (simulate them: npx seqsim run <scenario>)");
  return notes;
}
