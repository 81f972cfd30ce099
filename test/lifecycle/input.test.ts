import { InputError } from '../../src/core/input-errors.ts';
import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseScenario } from '../../src/scenario/load.ts';
import { directModel, EXAMPLES, lifecycleEvents, runJson } from './helpers.ts';
import { cli } from '../helpers/cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'seqsim-lifecycle-'));
const sequences = [{ id: 1, steps: [{ value: 1, start: true, end: true }] }];

function inputError(lifecycle: unknown): InputError {
  try {
    parseScenario({ model: directModel(1), sequences, lifecycle }, join(dir, 'scn.json'), dir);
  } catch (error) {
    if (error instanceof InputError) return error;
    throw error;
  }
  throw new Error('expected an InputError');
}

describe('§6: a broken lifecycle block is bad input naming the entry and field', () => {
  it.each([
    [
      'entries out of time order',
      [
        { at_us: 9, unload: true },
        { at_us: 5, load: directModel(2) },
      ],
      'lifecycle[1].at_us',
      /time order: 5 comes before the previous entry's 9/,
    ],
    ['no action', [{ at_us: 5, load_us: 3 }], 'lifecycle[0]', /names no action/],
    ['two actions', [{ at_us: 5, load: directModel(2), unload: true }], 'lifecycle[0]', /names load and unload: give one action per entry/],
    ['an unknown field', [{ at_us: 5, load: directModel(2), load_ms: 3 }], 'lifecycle[0].load_ms', /unknown field/],
    ['a missing config file', [{ at_us: 5, load: 'v2.pbtxt' }], 'lifecycle[0].load', /cannot read model config v2.pbtxt \(ENOENT\)/],
    ['policy on unload', [{ at_us: 5, unload: true, policy: 'drain' }], 'lifecycle[0].policy', /only a load takes policy/],
    ['policy on stop', [{ at_us: 5, stop: true, policy: 'triton' }], 'lifecycle[0].policy', /only a load takes policy/],
  ])('%s', (_name, lifecycle, field, message) => {
    const error = inputError(lifecycle);
    expect(error.field).toBe(field);
    expect(error.problem).toMatch(message);
  });

  it('an unparseable config file names the file, line and column', () => {
    writeFileSync(join(dir, 'broken.pbtxt'), 'name: "acc"\nmax_batch_size: {\n');
    const error = inputError([{ at_us: 5, load: 'broken.pbtxt' }]);
    expect(error.field).toBe('lifecycle[0].load');
    expect(error.problem).toContain(`cannot parse model config broken.pbtxt: ${join(dir, 'broken.pbtxt')}: line 3:1`);
  });

  it('a config file that parses but fails validation is load-failed at run time, not bad input', () => {
    writeFileSync(join(dir, 'v2.pbtxt'), 'name: "acc"\nmax_batch_size: -4\nsequence_batching { direct { } }\n');
    const scenario = parseScenario({ model: directModel(1), sequences, lifecycle: [{ at_us: 5, load: 'v2.pbtxt' }] }, join(dir, 'scn.json'), dir);
    expect(scenario.lifecycle[0]).toMatchObject({ kind: 'load', config: { invalid: expect.stringMatching(/max_batch_size/) } });
    const run = runJson({ model: directModel(1), sequences, lifecycle: [{ at_us: 5, load: { name: 'acc', max_batch_size: -4 } }] });
    expect(lifecycleEvents(run).map((e) => e.action)).toEqual(['load-failed']);
  });

  it('a load read from a pbtxt file applies like the inline form', () => {
    writeFileSync(
      join(dir, 'v3.pbtxt'),
      'name: "acc"\nmax_batch_size: 1\ninstance_group [ { count: 3, kind: KIND_CPU } ' +
        ']\nsequence_batching { max_sequence_idle_microseconds: 8000000 direct { } }\n',
    );
    const scenario = parseScenario({ model: directModel(1), sequences, lifecycle: [{ at_us: 5, load: 'v3.pbtxt' }] }, join(dir, 'scn.json'), dir);
    expect(scenario.normalized['lifecycle']).toEqual([
      {
        at_us: 5,
        load: expect.objectContaining({ name: 'acc', instance_group: [{ count: 3, kind: 'KIND_CPU' }] }),
        files_changed: false,
        load_us: 0,
        policy: 'triton',
      },
    ]);
  });

  it('seqsim run exits 2 with the entry and field on stderr', async () => {
    const file = join(dir, 'bad.json');
    writeFileSync(file, JSON.stringify({ model: directModel(1), sequences, lifecycle: [{ at_us: 5, unload: true, policy: 'drain' }] }));
    const result = await cli('run', file, '--trace', join(dir, 't.jsonl'));
    expect(result.code).toBe(2);
    expect(result.err).toContain('lifecycle[0].policy: only a load takes policy, and this entry is a unload');
  });

  it('seqsim run --strict-lifecycle exits 1 on the Triton-policy reload and prints the lifecycle line', async () => {
    const file = `${EXAMPLES}direct-to-oldest-triton.json`;
    const plain = await cli('run', file, '--trace', join(dir, 'r.jsonl'));
    expect(plain.code).toBe(0);
    expect(plain.out).toContain('lifecycle: 2 generation(s), 8 interrupted sequence(s)');
    const strict = await cli('run', file, '--trace', join(dir, 's.jsonl'), '--strict-lifecycle');
    expect(strict.code).toBe(1);
    expect(strict.out).toContain('✗ lifecycle: sequence');
  });
});
