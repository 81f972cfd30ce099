import { describe, expect, it } from 'vitest';
import { classifyLoad, instanceSignatures, planInstances } from '../../src/config/model-diff.ts';
import { normalizeModelConfig } from '../../src/config/normalize.ts';
import { directModel } from './helpers.ts';

const norm = (json: unknown): Record<string, unknown> => normalizeModelConfig(json, { file: 't', field: '' }).normalized;

describe('rule 1: what a load does (normalised configs compared as Triton does)', () => {
  const base = norm(directModel(2));

  it('identical configs are a no-op', () => {
    expect(classifyLoad(base, norm(directModel(2)), false)).toBe('noop');
  });

  it('an omitted idle timeout equals the explicit default after normalisation: no-op', () => {
    const omitted = norm({ name: 'acc', max_batch_size: 1, instance_group: [{ count: 2, kind: 'KIND_CPU' }], sequence_batching: { direct: {} } });
    const explicit = norm({
      name: 'acc',
      max_batch_size: 1,
      instance_group: [{ count: 2, kind: 'KIND_CPU' }],
      sequence_batching: { max_sequence_idle_microseconds: 1_000_000, direct: {} },
    });
    expect(classifyLoad(omitted, explicit, false)).toBe('noop');
  });

  it('instance_group and version_policy changes are updates', () => {
    expect(classifyLoad(base, norm(directModel(4)), false)).toBe('update');
    expect(classifyLoad(base, norm({ ...directModel(2), version_policy: { latest: { num_versions: 2 } } }), false)).toBe('update');
  });

  it('any other difference is a reload: strategy, max_batch_size, idle timeout', () => {
    expect(classifyLoad(base, norm({ ...directModel(2), sequence_batching: { max_sequence_idle_microseconds: 8_000_000, oldest: {} } }), false)).toBe('reload');
    expect(classifyLoad(base, norm(directModel(2, 4)), false)).toBe('reload');
    expect(classifyLoad(base, norm({ ...directModel(2), sequence_batching: { max_sequence_idle_microseconds: 5, direct: {} } }), false)).toBe('reload');
  });

  it('files_changed forces a reload even for an identical or instance-only config', () => {
    expect(classifyLoad(base, norm(directModel(2)), true)).toBe('reload');
    expect(classifyLoad(base, norm(directModel(3)), true)).toBe('reload');
  });

  it('count 0 means 1', () => {
    expect(instanceSignatures(norm({ ...directModel(1), instance_group: [{ count: 0, kind: 'KIND_CPU' }] }))).toHaveLength(1);
  });
});

describe('rule 2: instances matched by signature', () => {
  it('the signature ignores name and count, and includes kind and device', () => {
    const cpu = instanceSignatures(norm({ ...directModel(1), instance_group: [{ name: 'a', count: 2, kind: 'KIND_CPU' }] }));
    const renamed = instanceSignatures(norm({ ...directModel(1), instance_group: [{ name: 'b', count: 2, kind: 'KIND_CPU' }] }));
    expect(renamed).toEqual(cpu);
    const gpu = instanceSignatures(norm({ ...directModel(1), instance_group: [{ count: 1, kind: 'KIND_GPU', gpus: [0, 1] }] }));
    expect(gpu).toHaveLength(2);
    expect(gpu[0]).not.toBe(gpu[1]);
    expect(gpu).not.toContain(cpu[0]);
  });

  it('shrinking removes the front-most instances of a signature, growing adds new ones', () => {
    expect(planInstances(['c', 'c', 'c'], ['c'])).toEqual({ kept: [2], removed: [0, 1], added: [] });
    expect(planInstances(['c', 'c'], ['c', 'c', 'c', 'c'])).toEqual({ kept: [0, 1], removed: [], added: ['c', 'c'] });
    expect(planInstances(['c', 'c', 'c'], ['g'])).toEqual({ kept: [], removed: [0, 1, 2], added: ['g'] });
  });
});
