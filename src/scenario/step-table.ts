import type { ScenarioStep } from './types.ts';

/** Distinct steps shared at most: past this many, further distinct steps are kept as read (the table is for repetitive workloads). */
export const MAX_SHARED_STEPS = 65_536;

/**
 * One shared, frozen object per distinct step while a scenario loads: a generated workload of a
 * million steps repeats a few thousand, and each step object costs some 70 bytes for the whole run.
 */
export class StepTable {
  private readonly steps = new Map<string, ScenarioStep>();

  /** Distinct steps shared so far. */
  get size(): number {
    return this.steps.size;
  }

  /** The shared step equal to `step` (-0 and 0 differ: FP32 outputs keep the sign), `step` itself frozen at its first sight. */
  share(step: ScenarioStep): ScenarioStep {
    const value = Object.is(step.value, -0) ? '-0' : String(step.value);
    const key = `${value} ${+step.start}${+step.end} ${step.gapUs} ${step.timeoutUs} ${step.cancelAfterUs ?? '-'}`;
    const shared = this.steps.get(key);
    if (shared !== undefined) return shared;
    Object.freeze(step);
    if (this.steps.size < MAX_SHARED_STEPS) this.steps.set(key, step);
    return step;
  }
}
