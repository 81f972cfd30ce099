import { describe, expect, it } from 'vitest';
import { eventsOf, lifecycleEvents, responses, runExample } from './helpers.ts';

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

  it('refuses STARTs, keeps serving the in-flight sequence, and exits forced at the timeout', () => {
    expect(run.violations).toEqual([]);
    const out = responses(run);
    expect(out.get('2:0')).toBe('UNAVAILABLE: Server is stopping, scheduler for model has stopped accepting new inference requests');
    expect([out.get('1:1'), out.get('1:2')]).toEqual([3, 6]);
    expect(lifecycleEvents(run).map((e) => [e.action, e.t, e['forced'] ?? null, e['inflight'] ?? null])).toEqual([
      ['stop', 1000, null, null],
      ['exit', 4000, true, 1],
    ]);
  });

  it('a stop-only block keeps the v1 trace shape: no generation fields, no interrupted count', () => {
    expect(eventsOf(run, 'arrive').every((a) => a.generation === undefined)).toBe(true);
    expect(run.lines[run.lines.length - 1]).not.toContain('interrupted');
    expect(run.lifecycle).toBeUndefined();
  });
});
