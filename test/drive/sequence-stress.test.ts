import { describe, expect, it } from 'vitest';
import { parseScenario } from '../../src/scenario/load.ts';
import { simulate } from '../../sim/simulate.ts';
import {
  STRESS_COMMON_CONTEXTS,
  STRESS_ID_BLOCK,
  STRESS_MODEL_JSON,
  STRESS_VALUE_LIMIT,
  stressScenarioJson,
  stressThread,
  stressThreadSeeds,
  type StressSequence,
} from '../../sim/generate/sequence-stress.ts';

function workload(seed: number, threads: number, iterations: number): StressSequence[][] {
  return stressThreadSeeds(seed, threads).map((threadSeed, thread) => [...stressThread(threadSeed, thread, iterations)]);
}

describe("Triton's sequence stress workload", () => {
  const lanes = workload(5, 8, 300);
  const all = lanes.flat();

  it('is reproducible from the seed, and another seed gives another workload', () => {
    expect(workload(5, 8, 300)).toEqual(lanes);
    expect(workload(6, 8, 300)).not.toEqual(lanes);
    // A thread's sequences do not depend on how many threads run beside it.
    expect(workload(5, 2, 300)).toEqual(lanes.slice(0, 2));
  });

  it('draws lengths max(1, int(N(16, 8))) and values in [0, 2^20)', () => {
    const lengths = all.filter((s) => s.kind !== 'no-start').map((s) => s.steps.length);
    const mean = lengths.reduce((a, b) => a + b, 0) / lengths.length;
    expect(Math.min(...lengths)).toBe(1);
    expect(mean).toBeGreaterThan(14.5);
    expect(mean).toBeLessThan(17.5);
    expect(lengths.filter((length) => length === 1).length).toBeGreaterThan(0);
    const values = all.flatMap((s) => s.steps.map((step) => step.value));
    expect(values.every((v) => Number.isInteger(v) && v >= 0 && v < STRESS_VALUE_LIMIT)).toBe(true);
    expect(Math.max(...values)).toBeGreaterThan(STRESS_VALUE_LIMIT * 0.99);
  });

  it('gives each thread its block of ids: 2 common and 8 rare contexts, about 10 % of passes rare, rare contexts round-robin', () => {
    lanes.forEach((lane, thread) => {
      const base = 1 + thread * STRESS_ID_BLOCK;
      expect(lane.every((s) => s.id >= base && s.id < base + 10 && s.rare === s.id - base >= STRESS_COMMON_CONTEXTS)).toBe(true);
      const rare = lane.filter((s) => s.rare);
      expect(rare.map((s) => s.id)).toEqual(rare.map((_, index) => base + STRESS_COMMON_CONTEXTS + (index % 8)));
    });
    const rareShare = all.filter((s) => s.rare).length / all.length;
    expect(rareShare).toBeGreaterThan(0.06);
    expect(rareShare).toBeLessThan(0.14);
  });

  it('sends each kind with its flags: valid and valid-valid START…END, no-end and valid-no-end without END, no-start one bare request', () => {
    const kinds = new Set(all.map((s) => s.kind));
    expect(kinds).toEqual(new Set(['valid', 'valid-valid', 'valid-no-end', 'no-end', 'no-start']));
    for (const sequence of all) {
      const { steps } = sequence;
      if (sequence.kind === 'no-start') {
        expect(steps).toHaveLength(1);
        expect(steps[0]!.start || steps[0]!.end).toBe(false);
        continue;
      }
      expect(steps.map((s) => s.start)).toEqual(steps.map((_, i) => i === 0));
      const ends = sequence.kind === 'valid' || sequence.kind === 'valid-valid';
      expect(steps.map((s) => s.end)).toEqual(steps.map((_, i) => ends && i === steps.length - 1));
    }
    expect(all.every((s) => !s.rare || s.kind === 'no-end' || s.kind === 'valid-no-end' || s.kind === 'valid-valid')).toBe(true);
  });

  it('never sends no-start on a common context right after no-end or valid-no-end (the server would continue that sequence)', () => {
    for (const lane of lanes) {
      const last = new Map<number, string>();
      for (const sequence of lane) {
        if (sequence.kind === 'no-start') expect(['no-end', 'valid-no-end']).not.toContain(last.get(sequence.id));
        last.set(sequence.id, sequence.kind);
      }
    }
  });

  it('writes a scenario that seqsim run simulates without a violation, with the same sequences in each lane', () => {
    const json = stressScenarioJson(3, 2, 12, STRESS_MODEL_JSON);
    const scenario = parseScenario(json, 'stress.json', '.');
    const written = workload(3, 2, 12).flat();
    expect(scenario.sequences).toHaveLength(written.length);
    const values = (steps: readonly { value: number }[]) => steps.map((s) => s.value);
    expect(scenario.sequences.map((s) => values(s.steps)).sort()).toEqual(written.map((s) => values(s.steps)).sort());
    expect(scenario.sequences.every((s) => s.mode === 'stream')).toBe(true);
    expect(simulate(scenario, { seed: 3 }).violations).toEqual([]);
  });
});
