import { InputError } from '../../src/core/input-errors.ts';
import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BASELINE, loadVariant, parseVariant } from '../../sim/compare/variants.ts';

const dir = mkdtempSync(join(tmpdir(), 'seqsim-variants-'));
const example = (name: string) => join('sim', 'examples', `${name}.json`);

function writeJson(name: string, value: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify(value));
  return path;
}

/** The InputError message a spec produces (fails the test when none is thrown). */
function problemOf(action: () => unknown): string {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    return (error as InputError).message;
  }
  throw new Error('expected an InputError');
}

describe('parseVariant', () => {
  it('reads built-in axes, combined with commas, named by the spec as written', () => {
    const variant = parseVariant('strategy=oldest, instances=2,executor_latency_x=1.5');
    expect(variant.name).toBe('strategy=oldest, instances=2,executor_latency_x=1.5');
    expect(variant.axes).toEqual([
      { axis: 'strategy', strategy: 'oldest' },
      { axis: 'instances', count: 2 },
      { axis: 'executor_latency_x', factor: 1.5 },
    ]);
  });

  it.each([
    ['strategy=fifo', 'strategy must be "direct" or "oldest", got "fifo"'],
    ['instances=0', 'instances must be an integer ≥ 1, got "0"'],
    ['instances=two', 'instances must be an integer ≥ 1, got "two"'],
    ['max_batch_size=-1', 'max_batch_size must be an integer ≥ 0, got "-1"'],
    ['max_candidate_sequences=0', 'max_candidate_sequences must be an integer ≥ 1, got "0"'],
    ['executor_latency_x=-2', 'executor_latency_x must be a non-negative number'],
    ['executor_latency_x=fast', 'executor_latency_x must be a non-negative number'],
    ['instances=1,instances=2', 'instances is given twice'],
    ['strategy=oldest,,instances=2', 'empty part between commas'],
    ['colour=blue', 'unknown axis "colour" (axes: strategy, instances, max_batch_size, max_candidate_sequences, executor_latency_x, batcher'],
    ['no/such/patch.json', 'no merge patch file "no/such/patch.json"'],
    ['batcher=bug:no-such-bug', 'batcher: unknown batcher "bug:no-such-bug"'],
    ['', 'empty variant'],
  ])('%j is refused: %s', (spec, problem) => {
    const message = problemOf(() => parseVariant(spec));
    expect(message).toContain(`--variant ${JSON.stringify(spec)}`);
    expect(message).toContain(problem);
  });

  it('a merge patch file that is not JSON is bad input naming the file', () => {
    const file = join(dir, 'broken.json');
    writeFileSync(file, '{"max_batch_size": ');
    expect(problemOf(() => parseVariant(file))).toContain(`${file}:`);
  });
});

describe('loadVariant', () => {
  it('the baseline is the scenario as written', () => {
    const base = loadVariant(example('direct-basic'), BASELINE);
    expect(base.name).toBe('baseline');
    expect(base.batcher).toBe('real');
    expect(base.scenario.model.strategy.kind).toBe('direct');
    expect(base.scenario.model.instanceCount).toBe(2);
  });

  it('strategy, instances and max_batch_size change the model before normalisation', () => {
    const v = loadVariant(example('direct-basic'), parseVariant('strategy=oldest,instances=3,max_batch_size=4'));
    expect(v.scenario.model.strategy.kind).toBe('oldest');
    expect(v.scenario.model.instanceCount).toBe(3);
    expect(v.scenario.model.maxBatchSize).toBe(4);
    // Oldest's candidate slots default to max_batch_size, as Triton normalises them.
    expect(v.scenario.model.slotsPerInstance).toBe(4);
    // The trace header carries the changed config, so `seqsim replay` re-runs the variant.
    const model = v.scenario.normalized['model'] as { sequence_batching: Record<string, unknown>; instance_group: unknown };
    expect(Object.keys(model.sequence_batching)).toContain('oldest');
    expect(Object.keys(model.sequence_batching)).not.toContain('direct');
    expect(model.instance_group).toEqual([{ count: 3, kind: 'KIND_CPU' }]);
  });

  it('strategy=direct on an Oldest model drops the oldest block; max_candidate_sequences sets the Oldest field', () => {
    expect(loadVariant(example('oldest-basic'), parseVariant('strategy=direct')).scenario.model.strategy.kind).toBe('direct');
    const v = loadVariant(example('oldest-basic'), parseVariant('max_candidate_sequences=1'));
    expect(v.scenario.model.strategy).toMatchObject({ kind: 'oldest', maxCandidateSequences: 1 });
  });

  it('max_candidate_sequences on a Direct model needs strategy=oldest (in any order)', () => {
    expect(problemOf(() => loadVariant(example('direct-basic'), parseVariant('max_candidate_sequences=2')))).toBe(
      '--variant "max_candidate_sequences=2": max_candidate_sequences is an Oldest setting and the model uses Direct: add strategy=oldest',
    );
    const v = loadVariant(example('direct-basic'), parseVariant('max_candidate_sequences=2,strategy=oldest'));
    expect(v.scenario.model.strategy).toMatchObject({ kind: 'oldest', maxCandidateSequences: 2 });
  });

  it('executor_latency_x scales a fixed latency and both ends of a range, to whole µs', () => {
    expect(loadVariant(example('backlog-fill'), parseVariant('executor_latency_x=2.5')).scenario.executorLatencyUs).toBe(2500);
    expect(loadVariant(example('direct-basic'), parseVariant('executor_latency_x=0.5')).scenario.executorLatencyUs).toEqual({ min: 400, max: 600 });
  });

  it('batcher= runs that side with a zoo bug; otherwise the command-wide batcher', () => {
    expect(loadVariant(example('direct-basic'), parseVariant('batcher=bug:padding-ready')).batcher).toBe('bug:padding-ready');
    expect(loadVariant(example('direct-basic'), parseVariant('instances=1'), 'bug:backlog-lifo').batcher).toBe('bug:backlog-lifo');
  });

  it('a merge patch file is applied to the Triton JSON config: null deletes, arrays are replaced', () => {
    const patch = writeJson('patch.json', {
      instance_group: [{ count: 1 }],
      sequence_batching: { direct: null, oldest: { max_candidate_sequences: 3 }, max_sequence_idle_microseconds: 7000 },
    });
    const v = loadVariant(example('direct-basic'), parseVariant(patch));
    expect(v.name).toBe(patch);
    expect(v.scenario.model.instanceCount).toBe(1);
    expect(v.scenario.model.maxSequenceIdleUs).toBe(7000);
    expect(v.scenario.model.strategy).toMatchObject({ kind: 'oldest', maxCandidateSequences: 3 });
  });

  it('patches a model given as a config.pbtxt path too', () => {
    writeFileSync(join(dir, 'config.pbtxt'), 'name: "pb"\nmax_batch_size: 2\nsequence_batching { max_sequence_idle_microseconds: 5000000 direct { } }\n');
    const scenario = writeJson('pb-scenario.json', {
      name: 'pb',
      model: 'config.pbtxt',
      sequences: [{ id: 1, steps: [{ value: 1, start: true, end: true }] }],
    });
    expect(loadVariant(scenario, BASELINE).scenario.model.instanceCount).toBe(1);
    const v = loadVariant(scenario, parseVariant('strategy=oldest,instances=2'));
    expect(v.scenario.model.name).toBe('pb');
    expect(v.scenario.model.strategy.kind).toBe('oldest');
    expect(v.scenario.model.instanceCount).toBe(2);
  });

  it("a variant that makes an invalid config is bad input naming the variant and Triton's problem", () => {
    // oldest-basic prefers batches of 2 and 4: max_batch_size 2 is below the second.
    expect(problemOf(() => loadVariant(example('oldest-basic'), parseVariant('max_batch_size=2')))).toBe(
      '--variant "max_batch_size=2": makes an invalid scenario: sim/examples/oldest-basic.json: model.sequence_batching.oldest.preferred_batch_size[1]: ' +
        'sequence batching preferred batch size must be <= max batch size for acc_oldest',
    );
    const both = writeJson('both.json', { sequence_batching: { oldest: {} } });
    expect(problemOf(() => loadVariant(example('direct-basic'), parseVariant(both)))).toContain('direct and oldest are one oneof');
  });
});
