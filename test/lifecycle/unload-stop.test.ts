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

  it('refuses STARTs, keeps serving the in-flight sequence, exits forced at the timeout and unloads the model', () => {
    expect(run.violations).toEqual([]);
    const out = responses(run);
    expect(out.get('2:0')).toBe('UNAVAILABLE: Server is stopping, scheduler for model has stopped accepting new inference requests');
    // 1:1 runs before the exit; 1:2 comes after it, when the server has unloaded every model.
    expect([out.get('1:1'), out.get('1:2')]).toEqual([3, UNKNOWN]);
    expect(lifecycleEvents(run).map((e) => [e.action, e.t, e.generation, e['forced'] ?? null, e['inflight'] ?? null])).toEqual([
      ['stop', 1000, 1, null, null],
      ['exit', 4000, 1, true, 1],
      ['instance-destroyed', 4000, 1, null, null],
      ['model-destroyed', 4000, 1, null, null],
    ]);
    // The sequence still holding its slot is released because its model object is gone.
    expect(eventsOf(run, 'release').map((r) => [r.sequence, r.t, r.reason])).toEqual([[1, 4000, 'destroyed']]);
  });

  it('on exit every model object still alive is destroyed after its last request, each with its generation', () => {
    const model = directModel(1, 1, { sequence_batching: { max_sequence_idle_microseconds: 8_000_000, direct: {} } });
    const step = (value: number, flags: Record<string, unknown> = {}) => ({ value, ...flags });
    const stopped = runJson({
      name: 'reload-then-stop',
      model,
      executor: { latency_us: 100 },
      sequences: [
        // Holds generation 1's slot across the reload, never ends.
        { id: 1, steps: [step(1, { start: true })] },
        // Starts on generation 2 after the swap and never ends either.
        { id: 2, start_us: 3000, steps: [step(5, { start: true })] },
      ],
      lifecycle: [
        { at_us: 1000, load: { ...model, max_batch_size: 2 }, load_us: 500 },
        { at_us: 5000, stop: true, exit_timeout_us: 2_000_000 },
      ],
    });
    expect(stopped.violations).toEqual([]);
    const destroyed = lifecycleEvents(stopped).filter((e) => e.action === 'model-destroyed' || e.action === 'exit');
    // Generation 1 goes once the swap left it idle; generation 2 when the exit unloads it.
    expect(destroyed.map((e) => [e.action, e.generation])).toEqual([
      ['model-destroyed', 1],
      ['exit', 2],
      ['model-destroyed', 2],
    ]);
    expect(eventsOf(stopped, 'release').map((r) => [r.sequence, r.reason, r.generation])).toEqual([
      [1, 'destroyed', 1],
      [2, 'destroyed', 2],
    ]);
  });

  it('a stop-only block keeps the v1 trace shape: no generation fields, no interrupted count', () => {
    expect(eventsOf(run, 'arrive').every((a) => a.generation === undefined)).toBe(true);
    expect(run.lines[run.lines.length - 1]).not.toContain('interrupted');
    expect(run.lifecycle).toBeUndefined();
  });
});
