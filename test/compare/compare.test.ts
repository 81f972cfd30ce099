import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compareSeed, compareSeeds } from '../../sim/compare/compare.ts';
import { sequenceOutcomes } from '../../sim/compare/outcomes.ts';
import { BASELINE, loadVariant, parseVariant, type VariantConfig } from '../../sim/compare/variants.ts';
import { simulate } from '../../sim/simulate.ts';
import { benchCompare } from '../../bench/compare-bench.ts';

const dir = mkdtempSync(join(tmpdir(), 'seqsim-compare-'));
const example = (name: string) => join('sim', 'examples', `${name}.json`);
const seeds = (from: number, count: number) => Array.from({ length: count }, (_, i) => from + i);

function configs(file: string, specs: readonly string[], batcher = 'real'): VariantConfig[] {
  return [loadVariant(file, BASELINE, batcher), ...specs.map((spec) => loadVariant(file, parseVariant(spec), batcher))];
}

function writeScenario(name: string, scenario: Record<string, unknown>): string {
  const path = join(dir, `${name}.json`);
  writeFileSync(path, JSON.stringify({ name, ...scenario }));
  return path;
}

describe('compare: the real batcher', () => {
  it.each([
    ['direct-basic', 4],
    ['oldest-basic', 4],
  ])('%s: strategy=direct, strategy=oldest and instances=2 give every sequence the same responses over 10 seeds', (name, perSeed) => {
    const summary = compareSeeds(
      configs(example(name), ['strategy=direct', 'strategy=oldest', 'instances=2', 'strategy=oldest,instances=2,executor_latency_x=3']),
      seeds(1, 10),
    );
    expect(summary.configs).toEqual(['baseline', 'strategy=direct', 'strategy=oldest', 'instances=2', 'strategy=oldest,instances=2,executor_latency_x=3']);
    expect(summary.sequences).toBe(perSeed * 10);
    expect(summary.compared).toBe(perSeed * 10);
    expect(summary.excludedTotal).toBe(0);
    expect(summary.violationCount).toBe(0);
    expect(summary.runViolationCount).toBe(0);
  });

  it('the variants really run differently (else the comparison proves nothing)', () => {
    const { comparison, runs } = compareSeed(configs(example('direct-basic'), ['strategy=oldest', 'instances=1']), 1);
    expect(comparison.compared).toBe(4);
    const batches = runs.map((r) => JSON.stringify(r.events.filter((e) => e.type === 'execute')));
    expect(new Set(batches).size).toBe(3);
    const instancesUsed = runs.map((r) => new Set(r.events.flatMap((e) => (e.type === 'execute' ? [e.instance] : []))).size);
    expect(instancesUsed).toEqual([2, 2, 1]);
    expect(runs[1]!.events.some((e) => e.type === 'dispatch')).toBe(true);
    expect(runs[0]!.events.some((e) => e.type === 'dispatch')).toBe(false);
  });
});

describe('compare: exclusions', () => {
  it('backlog-fill: the sequence whose backlog timeout fires is excluded as expired, the other three compared', () => {
    const { comparison } = compareSeed(configs(example('backlog-fill'), ['strategy=oldest', 'instances=2']), 3);
    expect(comparison.sequences).toBe(4);
    expect(comparison.compared).toBe(3);
    expect(comparison.excluded).toMatchObject({ expired: 1, 'idle-timeout': 0, cancel: 0, fault: 0, reject: 0 });
  });

  it('idle-timeout: the reaped sequence is excluded, the other compared', () => {
    const { comparison } = compareSeed(configs(example('idle-timeout'), ['instances=2']), 11);
    expect(comparison.compared).toBe(1);
    expect(comparison.excluded['idle-timeout']).toBe(1);
  });

  it('cancel-and-stop: two cancelled sequences and one refused after stop are excluded', () => {
    const { comparison } = compareSeed(configs(example('cancel-and-stop'), ['strategy=oldest']), 5);
    expect(comparison.compared).toBe(1);
    expect(comparison.excluded).toMatchObject({ cancel: 2, reject: 1 });
    expect(comparison.violations).toEqual([]);
  });

  it('sums exclusions over seeds', () => {
    const summary = compareSeeds(configs(example('backlog-fill'), ['instances=2']), seeds(1, 5));
    expect(summary.sequences).toBe(20);
    expect(summary.excluded.expired).toBe(5);
    expect(summary.compared).toBe(15);
  });

  it('an injected fault excludes only the sequence it touched', () => {
    const file = writeScenario('faulted', {
      model: { name: 'm', max_batch_size: 2, sequence_batching: { max_sequence_idle_microseconds: 1_000_000 } },
      executor: { latency_us: 1000 },
      faults: { client_timeout_us: 5000, retries: 1, scheduled: [{ kind: 'request_drop', sequence: 7, step: 1 }] },
      sequences: [
        { id: 7, steps: [{ value: 1, start: true }, { value: 2 }, { value: 4, end: true }] },
        {
          id: 8,
          steps: [
            { value: 8, start: true },
            { value: 16, end: true },
          ],
        },
      ],
    });
    const { comparison } = compareSeed(configs(file, ['strategy=oldest']), 1);
    expect(comparison.excluded.fault).toBe(1);
    expect(comparison.compared).toBe(1);
  });

  it('keys sequences by scenario entry: a reused id is excluded only where it was reaped', () => {
    const file = writeScenario('reused', {
      model: { name: 'm', max_batch_size: 1, sequence_batching: { max_sequence_idle_microseconds: 20_000 } },
      executor: { latency_us: 1000 },
      sequences: [
        // Reaped while idle; its END then arrives without a slot and is refused.
        {
          id: 7,
          steps: [
            { value: 1, start: true },
            { value: 2, gap_us: 50_000, end: true },
          ],
        },
        // The same id, later, as a new sequence: comparable.
        {
          id: 7,
          start_us: 200_000,
          steps: [
            { value: 8, start: true },
            { value: 16, end: true },
          ],
        },
      ],
    });
    const baseline = loadVariant(file, BASELINE);
    const outcomes = sequenceOutcomes(baseline.scenario, simulate(baseline.scenario, { seed: 1 }));
    expect([...outcomes[0]!.reasons].sort()).toEqual(['idle-timeout', 'reject']);
    expect([...outcomes[1]!.reasons]).toEqual([]);
    expect(outcomes[1]!.steps).toEqual([
      { kind: 'output', output: 8 },
      { kind: 'output', output: 24 },
    ]);
    const { comparison } = compareSeed(configs(file, ['instances=2']), 1);
    expect(comparison.excluded['idle-timeout']).toBe(1);
    expect(comparison.compared).toBe(1);
  });

  it('a sequence sharing its id with one the reaper released while both were active is id-conflict (explore --metamorphic seed 63031)', () => {
    // Sequence 1 is reaped; its next step, still sent, joins sequence 0 (same id) in one config only.
    const file = join('test', 'fixtures', 'scenarios', 'reaped-id-reused.json');
    const spec = 'strategy=oldest,instances=3,max_batch_size=1,max_candidate_sequences=2,executor_latency_x=2';
    const { comparison, runs } = compareSeed(configs(file, [spec]), 63031);
    const joined = runs[1]!.events.some((e) => e.type === 'execute' && e.rows.some((row) => row.request === 'x<y>#1:1'));
    expect(joined).toBe(true);
    expect(comparison.violations).toEqual([]);
    expect(comparison.compared).toBe(0);
    expect(comparison.excluded).toMatchObject({ 'idle-timeout': 1, 'id-conflict': 1 });
    // The baseline alone keeps the two apart: the sibling is excluded through the variant's run.
    const baseline = loadVariant(file, BASELINE);
    expect([...sequenceOutcomes(baseline.scenario, runs[0]!)[0]!.reasons]).toEqual([]);
    expect([...sequenceOutcomes(baseline.scenario, runs[1]!)[0]!.reasons]).toEqual(['id-conflict']);
  });
});

describe('compare: a zoo bug', () => {
  it('a buggy batcher on one side: cross-config violation at the first differing step, with both values', () => {
    const { comparison } = compareSeed(configs(example('backlog-fill'), ['batcher=bug:state-not-reset-on-start']), 3);
    expect(comparison.violations[0]).toMatchObject({
      oracle: 'cross-config',
      seed: 3,
      sequence: 2,
      sequenceIndex: 1,
      step: 0,
      baseline: { config: 'baseline', value: 'output 8' },
      variant: { config: 'batcher=bug:state-not-reset-on-start', value: 'output 15' },
    });
    expect(comparison.violations[0]!.message).toBe('sequence 2 (sequences[1]) step 0: baseline output 8, batcher=bug:state-not-reset-on-start output 15');
    expect(comparison.violations.map((v) => v.sequenceIndex)).toEqual([1, 2]);
    // Its own oracles fail in that run too, and are reported with the configuration's name.
    expect(comparison.runViolations.every((v) => v.config === 'batcher=bug:state-not-reset-on-start' && v.oracle === 'outputs')).toBe(true);
    expect(comparison.failingConfigs).toEqual(['baseline', 'batcher=bug:state-not-reset-on-start']);
  });

  it('the same bug everywhere shows up as a difference between configurations (a fresh slot hides it)', () => {
    const { comparison } = compareSeed(configs(example('backlog-fill'), ['instances=2'], 'bug:state-not-reset-on-start'), 3);
    expect(comparison.violations[0]).toMatchObject({
      sequenceIndex: 1,
      step: 0,
      baseline: { value: 'output 15' },
      variant: { config: 'instances=2', value: 'output 8' },
    });
  });

  it('the response line of each side points at the differing response in its trace', () => {
    const cs = configs(example('backlog-fill'), ['batcher=bug:state-not-reset-on-start']);
    const { comparison, runs } = compareSeed(cs, 3);
    const v = comparison.violations[0]!;
    const baseEvent = runs[0]!.events[v.baseline.line - 1]!;
    const variantEvent = runs[1]!.events[v.variant.line - 1]!;
    expect(baseEvent).toMatchObject({ type: 'response', request: '2:0', output: 8 });
    expect(variantEvent).toMatchObject({ type: 'response', request: '2:0', output: 15 });
  });
});

describe('benchCompare', () => {
  it('times a compare against its single runs on the same seeds', () => {
    const figures = benchCompare(5, example('backlog-fill'), ['instances=2'], 1);
    expect(figures).toMatchObject({ scenario: 'backlog-fill', configs: ['baseline', 'instances=2'], seeds: 5 });
    expect(figures.compareWallMs).toBeGreaterThan(0);
    expect(figures.singleRunsWallMs).toBeGreaterThan(0);
    expect(figures.overheadX).toBeCloseTo(figures.compareWallMs / figures.singleRunsWallMs, 10);
  });
});
