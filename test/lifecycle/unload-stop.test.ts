import { describe, expect, it } from 'vitest';
import { directModel, eventsOf, lifecycleEvents, responses, runExample, runJson } from './helpers.ts';

const UNKNOWN = "NOT_FOUND: Request for unknown model: 'acc' has no available versions";

describe('rule 8: unload with a backlogged sequence', () => {
  const run = runExample('unload-backlog');

  it('later requests, including the next step of an in-flight sequence, get the unknown-model error', () => {
    expect(run.violations).toEqual([]);
    const out = responses(run);
    expect([out.get('1:1'), out.get('1:2'), out.get('2:1')]).toEqual([UNKNOWN, UNKNOWN, UNKNOWN]);
  });

  it('the accepted backlogged request still runs once the idle timeout frees the slot, with fresh state', () => {
    const assign = eventsOf(run, 'assign').find((a) => a.sequence === 2)!;
    expect([assign.t, assign.first_request]).toEqual([5000, '2:0']);
    expect(responses(run).get('2:0')).toBe(10);
  });

  it('the model is destroyed after its last request; both sequences count as interrupted', () => {
    expect(lifecycleEvents(run).map((e) => [e.action, e.t])).toEqual([
      ['unload', 1000],
      ['instance-destroyed', 5100],
      ['model-destroyed', 5100],
    ]);
    expect(
      eventsOf(run, 'release')
        .filter((r) => r.reason === 'destroyed')
        .map((r) => [r.sequence, r.t]),
    ).toEqual([[2, 5100]]);
    expect(run.lifecycle?.interrupted.map((i) => i.sequence)).toEqual(['1', '2']);
  });
});

describe('rule 9: stop with the exit timeout', () => {
  const run = runExample('stop-exit-timeout');

  it('refuses STARTs, keeps serving the in-flight sequence, exits forced at the timeout, and ends with the model destroyed', () => {
    expect(run.violations).toEqual([]);
    const out = responses(run);
    expect(out.get('2:0')).toBe('UNAVAILABLE: Server is stopping, scheduler for model has stopped accepting new inference requests');
    expect([out.get('1:1'), out.get('1:2')]).toEqual([3, 6]);
    const last = run.events.filter((e) => e.type !== 'violation').at(-1)!.t;
    expect(lifecycleEvents(run).map((e) => [e.action, e.t, e.generation, e['forced'] ?? null, e['inflight'] ?? null])).toEqual([
      ['stop', 1000, 1, null, null],
      ['exit', 4000, 1, true, 1],
      ['instance-destroyed', last, 1, null, null],
      ['model-destroyed', last, 1, null, null],
    ]);
  });

  it('a slot still held when the exited server goes is released as destroyed at exit, and still counts as a leak', () => {
    // Sequence 1 never ends and the idle timeout (8 s) outlasts the run's other work: its slot is
    // held when the exited server's process goes.
    const held = runJson({
      name: 'stop-with-held-slot',
      model: directModel(1),
      executor: { latency_us: 100 },
      sequences: [{ id: 1, steps: [{ value: 1, start: true }] }],
      lifecycle: [{ at_us: 1000, stop: true, exit_timeout_us: 3000 }],
    });
    const releases = eventsOf(held, 'release');
    expect(releases.map((r) => [r.sequence, r.reason, r.exit ?? false])).toEqual([[1, 'idle-timeout', false]]);
    const stuck = runJson(
      {
        name: 'stop-with-leaked-slot',
        model: directModel(1),
        executor: { latency_us: 100 },
        sequences: [
          {
            id: 1,
            steps: [
              { value: 1, start: true },
              { value: 2, end: true },
            ],
          },
        ],
        lifecycle: [{ at_us: 50, stop: true, exit_timeout_us: 3000 }],
      },
      { batcher: 'bug:slot-leak-on-end' },
    );
    expect(eventsOf(stuck, 'release').map((r) => [r.sequence, r.reason, r.exit ?? false])).toEqual([[1, 'destroyed', true]]);
    expect(lifecycleEvents(stuck).map((e) => e.action)).toEqual(['stop', 'exit', 'instance-destroyed', 'model-destroyed']);
    expect(stuck.violations.map((v) => v.message)).toContain('1 slot(s) still held after the run went quiescent (slot leak)');
  });

  it('every model object still alive at the end of an exited run is destroyed, each with its generation', () => {
    const model = directModel(1);
    const step = (value: number, flags: Record<string, unknown> = {}) => ({ value, ...flags });
    const stopped = runJson({
      name: 'reload-then-stop',
      model,
      executor: { latency_us: 100 },
      sequences: [
        { id: 1, steps: [step(1, { start: true })] },
        { id: 2, start_us: 3000, steps: [step(5, { start: true }), step(6, { gap_us: 100, end: true })] },
      ],
      lifecycle: [
        { at_us: 1000, load: { ...model, max_batch_size: 2 }, load_us: 500 },
        { at_us: 5000, stop: true, exit_timeout_us: 2_000_000 },
      ],
    });
    expect(stopped.violations).toEqual([]);
    const destroyed = lifecycleEvents(stopped).filter((e) => e.action === 'model-destroyed' || e.action === 'exit');
    // Generation 1 goes once the swap left it idle; generation 2 with the exited server's process.
    expect(destroyed.map((e) => [e.action, e.generation])).toEqual([
      ['model-destroyed', 1],
      ['exit', 2],
      ['model-destroyed', 2],
    ]);
    expect(eventsOf(stopped, 'release').map((r) => [r.sequence, r.reason, r.generation])).toEqual([
      [1, 'destroyed', 1],
      [2, 'end', 2],
    ]);
  });

  it('a stop-only block keeps the v1 trace shape: no generation fields, no interrupted count', () => {
    expect(eventsOf(run, 'arrive').every((a) => a.generation === undefined)).toBe(true);
    expect(run.lines[run.lines.length - 1]).not.toContain('interrupted');
    expect(run.lifecycle).toBeUndefined();
  });
});
