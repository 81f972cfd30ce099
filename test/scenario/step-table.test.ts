import { describe, expect, it } from 'vitest';
import { parseScenario } from '../../src/scenario/load.ts';
import { MAX_SHARED_STEPS, MAX_STEPS_PER_VALUE_AND_GAP, StepTable } from '../../src/scenario/step-table.ts';
import type { ScenarioStep } from '../../src/scenario/types.ts';

const step = (value: number, extra: Partial<ScenarioStep> = {}): ScenarioStep => ({
  value,
  start: false,
  end: false,
  gapUs: 0,
  timeoutUs: 0,
  cancelAfterUs: undefined,
  ...extra,
});

describe('StepTable', () => {
  it('shares one frozen object per distinct step, telling every field apart (and -0 from 0)', () => {
    const table = new StepTable();
    const first = table.share(step(1));
    expect(table.share(step(1))).toBe(first);
    expect(Object.isFrozen(first)).toBe(true);
    const others = [
      step(2),
      step(1, { start: true }),
      step(1, { end: true }),
      step(1, { gapUs: 5 }),
      step(1, { timeoutUs: 5 }),
      step(1, { cancelAfterUs: 0 }),
      step(-0),
      step(0),
    ];
    const shared = others.map((s) => table.share(s));
    expect(new Set([first, ...shared]).size).toBe(9);
    expect(Object.is(table.share(step(-0)).value, -0)).toBe(true);
    expect(table.size).toBe(9);
  });

  it('stops sharing past its bound, still answering an equal step', () => {
    const table = new StepTable();
    for (let value = 0; value < MAX_SHARED_STEPS + 10; value++) table.share(step(value));
    expect(table.size).toBe(MAX_SHARED_STEPS);
    const late = step(MAX_SHARED_STEPS + 5);
    expect(table.share(late)).toEqual(late);
  });
  it('keeps few distinct steps under one value and gap, so a lookup stays short', () => {
    const table = new StepTable();
    const timeouts = Array.from({ length: MAX_STEPS_PER_VALUE_AND_GAP + 3 }, (_, t) => table.share(step(1, { timeoutUs: t })));
    expect(table.size).toBe(MAX_STEPS_PER_VALUE_AND_GAP);
    expect(table.share(step(1, { timeoutUs: 0 }))).toBe(timeouts[0]);
    expect(table.share(step(1, { timeoutUs: MAX_STEPS_PER_VALUE_AND_GAP + 1 }))).not.toBe(timeouts[MAX_STEPS_PER_VALUE_AND_GAP + 1]);
  });
});

describe('a loaded scenario', () => {
  const json = {
    model: { name: 'm', max_batch_size: 2, sequence_batching: { direct: {} } },
    sequences: [1, 2].map((id) => ({
      id,
      steps: [
        { value: 1, start: true },
        { value: 2, gap_us: 10 },
        { value: 2, gap_us: 10, cancel_after_us: 3 },
        { value: 1, end: true },
      ],
    })),
  };

  it('shares equal steps between sequences and normalises each as written, as plain JSON however it is copied', () => {
    const scenario = parseScenario(json, 'a.json', '.');
    const [a, b] = scenario.sequences;
    expect(a!.steps[1]).toBe(b!.steps[1]);
    expect(a!.steps[0]).not.toBe(a!.steps[3]);
    const normalized = scenario.normalized['sequences'] as Record<string, unknown>[];
    const expected = {
      id: 1,
      start_us: 0,
      mode: 'sync',
      steps: [
        { value: 1, start: true, end: false, gap_us: 0, timeout_us: 0 },
        { value: 2, start: false, end: false, gap_us: 10, timeout_us: 0 },
        { value: 2, start: false, end: false, gap_us: 10, timeout_us: 0, cancel_after_us: 3 },
        { value: 1, start: false, end: true, gap_us: 0, timeout_us: 0 },
      ],
    };
    expect(JSON.parse(JSON.stringify(normalized[0]))).toEqual(expected);
    expect(JSON.stringify(normalized[0])).toBe(JSON.stringify(expected));
    expect(structuredClone(normalized[0])).toEqual(expected);
    // A copy is the caller's own: editing it changes neither the scenario nor its next read.
    const copy = structuredClone(scenario.normalized) as { sequences: { steps: { gap_us: number }[] }[] };
    copy.sequences[0]!.steps[1]!.gap_us = 99;
    expect(copy.sequences[1]!.steps[1]!.gap_us).toBe(10);
    expect((normalized[0]!['steps'] as { gap_us: number }[])[1]!.gap_us).toBe(10);
    expect({ ...normalized[1] }['steps']).toEqual(expected.steps);
  });
});
