import type { ScenarioStep } from './types.ts';

/** Distinct steps shared at most: past this many, further distinct steps are kept as read (the table is for repetitive workloads). */
export const MAX_SHARED_STEPS = 65_536;
/** Distinct shared steps with one value and gap at most (each lookup compares that many at worst). */
export const MAX_STEPS_PER_VALUE_AND_GAP = 8;

/**
 * One shared, frozen object per distinct step while a scenario loads: a generated workload of a
 * million steps repeats a few thousand, and each step object costs some 70 bytes for the whole run.
 * Found by value and gap (number keys, no key string to build), then compared field by field.
 */
export class StepTable {
  private readonly byValue = new Map<number, Map<number, ScenarioStep[]>>();
  private count = 0;

  /** Distinct steps shared so far. */
  get size(): number {
    return this.count;
  }

  /** The shared step equal to `step` (-0 and 0 differ: FP32 outputs keep the sign), `step` itself frozen at its first sight. */
  share(step: ScenarioStep): ScenarioStep {
    let byGap = this.byValue.get(step.value);
    const candidates = byGap?.get(step.gapUs);
    if (candidates !== undefined) for (const shared of candidates) if (sameStep(shared, step)) return shared;
    Object.freeze(step);
    if (this.count >= MAX_SHARED_STEPS || (candidates?.length ?? 0) >= MAX_STEPS_PER_VALUE_AND_GAP) return step;
    this.count++;
    if (candidates !== undefined) candidates.push(step);
    else {
      if (byGap === undefined) {
        byGap = new Map();
        this.byValue.set(step.value, byGap);
      }
      byGap.set(step.gapUs, [step]);
    }
    return step;
  }
}

function sameStep(a: ScenarioStep, b: ScenarioStep): boolean {
  return (
    Object.is(a.value, b.value) &&
    a.gapUs === b.gapUs &&
    a.start === b.start &&
    a.end === b.end &&
    a.timeoutUs === b.timeoutUs &&
    a.cancelAfterUs === b.cancelAfterUs
  );
}
