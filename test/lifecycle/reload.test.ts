import { describe, expect, it } from 'vitest';
import { directModel, eventsOf, lifecycleEvents, responses, runExample, runJson } from './helpers.ts';

const START_ERROR = /^INVALID_ARG: inference request for sequence \d+ to model 'acc' must specify the START flag on the first request of the sequence$/;

describe('reload Direct → Oldest under load, Triton policy (rules 5–7)', () => {
  const run = runExample('direct-to-oldest-triton');

  it('passes every oracle; the 8 sequences in flight are reported interrupted, not violations', () => {
    expect(run.violations).toEqual([]);
    expect(run.lifecycle?.interrupted.map((i) => i.sequence).sort()).toEqual(['1', '2', '3', '4', '5', '6', '7', '8']);
    expect(run.lines[run.lines.length - 1]).toContain('"interrupted":8');
  });

  it('builds for load_us while the old model serves, then swaps atomically', () => {
    expect(
      lifecycleEvents(run)
        .filter((e) => e.action === 'load-start' || e.action === 'swap')
        .map((e) => [e.action, e.t, e.generation]),
    ).toEqual([
      ['load-start', 3000, 2],
      ['swap', 4000, 2],
    ]);
    const swap = lifecycleEvents(run, 'swap')[0]!;
    expect(swap['instances']).toEqual([2, 3]);
    // Requests arriving during the build bind to generation 1 and execute there.
    const during = eventsOf(run, 'arrive').filter((a) => a.t > 3000 && a.t < 4000);
    expect(during.length).toBeGreaterThan(0);
    expect(new Set(during.map((a) => a.generation))).toEqual(new Set([1]));
  });

  it("an in-flight sequence's next non-START request gets Triton's START-flag error from the new model", () => {
    const out = responses(run);
    const after = eventsOf(run, 'arrive').filter((a) => a.t >= 4000 && Number(a.request.split(':')[0]) <= 8);
    expect(after.length).toBeGreaterThan(0);
    for (const a of after) {
      expect(a.generation).toBe(2);
      expect(String(out.get(a.request))).toMatch(START_ERROR);
    }
  });

  it('new STARTs after the swap run on the new (Oldest) model with fresh state', () => {
    const out = responses(run);
    expect([out.get('9:0'), out.get('9:1'), out.get('9:2'), out.get('9:3')]).toEqual([90, 181, 273, 366]);
    expect(eventsOf(run, 'dispatch').some((d) => d.request === '9:0' && d.generation === 2)).toBe(true);
  });

  it('the old model is destroyed after its last request, releasing held slots as destroyed', () => {
    const lastOld = Math.max(
      ...eventsOf(run, 'response')
        .filter((r) => r.generation === 1)
        .map((r) => r.t),
    );
    const destroyed = lifecycleEvents(run, 'model-destroyed');
    expect(destroyed.map((e) => e.generation)).toEqual([1]);
    expect(destroyed[0]!.t).toBe(Math.max(lastOld, 4000));
    const cut = eventsOf(run, 'release').filter((r) => r.reason === 'destroyed');
    expect(cut.length).toBeGreaterThan(0);
    expect(cut.every((r) => r.generation === 1 && r.t === destroyed[0]!.t)).toBe(true);
  });

  it('writes generation on arrive, assign, execute and response lines', () => {
    for (const type of ['arrive', 'assign', 'execute'] as const) expect(eventsOf(run, type).every((e) => typeof e.generation === 'number')).toBe(true);
    expect(eventsOf(run, 'response').every((e) => typeof e.generation === 'number')).toBe(true);
  });

  it('--strict-lifecycle turns each interrupted sequence into a violation', () => {
    const strict = runExample('direct-to-oldest-triton', { strictLifecycle: true });
    expect(strict.violations.map((v) => v.oracle)).toEqual(Array(8).fill('lifecycle'));
    expect(strict.header.options['strict_lifecycle']).toBe(true);
  });
});

describe('load outcomes', () => {
  const sequences = [
    {
      id: 1,
      steps: [
        { value: 1, start: true },
        { value: 2, gap_us: 2000, end: true },
      ],
    },
  ];

  it('an identical config is a no-op: one noop event, the sequence goes on', () => {
    const run = runJson({ model: directModel(1), executor: { latency_us: 100 }, sequences, lifecycle: [{ at_us: 500, load: directModel(1) }] });
    expect(lifecycleEvents(run).map((e) => e.action)).toEqual(['noop']);
    expect(responses(run).get('1:1')).toBe(3);
  });

  it('files_changed forces a reload of an identical config, cutting the sequence off', () => {
    const run = runJson({
      model: directModel(1),
      executor: { latency_us: 100 },
      sequences,
      lifecycle: [{ at_us: 500, load: directModel(1), files_changed: true }],
    });
    expect(lifecycleEvents(run).map((e) => e.action)).toEqual(['load-start', 'swap', 'instance-destroyed', 'model-destroyed']);
    expect(String(responses(run).get('1:1'))).toMatch(START_ERROR);
    expect(run.lifecycle?.interrupted).toHaveLength(1);
  });

  it('a config failing Triton validation is load-failed at run time; the old model keeps serving', () => {
    const run = runJson({
      model: directModel(1),
      executor: { latency_us: 100 },
      sequences,
      lifecycle: [{ at_us: 500, load: { ...directModel(1), max_batch_size: -1 } }],
    });
    const failed = lifecycleEvents(run, 'load-failed');
    expect(failed).toHaveLength(1);
    expect(failed[0]!.generation).toBe(1);
    expect(String(failed[0]!['reason'])).toMatch(/max_batch_size/);
    expect(responses(run).get('1:1')).toBe(3);
    expect(run.violations).toEqual([]);
  });

  it('a config naming another model is load-failed', () => {
    const run = runJson({ model: directModel(1), sequences, lifecycle: [{ at_us: 500, load: { ...directModel(1), name: 'other' } }] });
    expect(lifecycleEvents(run, 'load-failed').map((e) => e['reason'])).toEqual(["the config names model 'other', the load is for 'acc'"]);
  });

  it('a reload of a changed max_batch_size numbers the new instances after the old ones', () => {
    const run = runJson({ model: directModel(2), sequences, lifecycle: [{ at_us: 500, load: directModel(1, 2) }] });
    expect(lifecycleEvents(run, 'swap')[0]!['instances']).toEqual([2]);
  });

  it('replays byte for byte from the header alone', async () => {
    const { parseTrace } = await import('../../traces/read.ts');
    const { replayTrace } = await import('../../sim/replay.ts');
    const run = runExample('direct-to-oldest-triton');
    const verdict = replayTrace(parseTrace(`${run.lines.join('\n')}\n`, 't.jsonl'), 't.jsonl');
    expect(verdict.identical).toBe(true);
  });
});

describe('rule 6: the old backlog drains only through the old model', () => {
  it('a backlogged sequence gets its old slot after the old reaper frees it, then its next step fails on the new model', () => {
    const model = { ...directModel(1), sequence_batching: { max_sequence_idle_microseconds: 5000, direct: {} } };
    const run = runJson({
      model,
      executor: { latency_us: 100 },
      sequences: [
        {
          id: 1,
          steps: [
            { value: 1, start: true },
            { value: 2, gap_us: 8000, end: true },
          ],
        },
        {
          id: 2,
          start_us: 500,
          steps: [
            { value: 10, start: true },
            { value: 20, gap_us: 100, end: true },
          ],
        },
        { id: 3, start_us: 2000, steps: [{ value: 7, start: true, end: true }] },
      ],
      lifecycle: [{ at_us: 1000, load: { ...model, max_batch_size: 2 } }],
    });
    expect(run.violations).toEqual([]);
    // 3 STARTs on the new model at once; 2 waits in the old backlog until the old reaper frees 1's slot.
    expect(eventsOf(run, 'assign').map((a) => [a.t, a.sequence, a.instance, a.generation])).toEqual([
      [0, 1, 0, 1],
      [2000, 3, 1, 2],
      [5000, 2, 0, 1],
    ]);
    const out = responses(run);
    expect([out.get('2:0'), out.get('3:0')]).toEqual([10, 7]);
    expect(String(out.get('2:1'))).toMatch(START_ERROR);
    expect(String(out.get('1:1'))).toMatch(START_ERROR);
    expect(lifecycleEvents(run, 'model-destroyed').map((e) => [e.generation, e.t])).toEqual([[1, 5100]]);
    expect(run.lifecycle?.interrupted.map((i) => i.sequence).sort()).toEqual(['1', '2']);
  });
});
