import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadScenarioFile, parseScenario } from '../../src/scenario/load.ts';
import { simulate } from '../../sim/simulate.ts';
import { stallHorizonUs } from '../../sim/stall.ts';
import { isKnownTritonBehaviour } from '../../sim/explore/known-triton.ts';
import { parseTrace } from '../../traces/read.ts';
import { replayTrace } from '../../sim/replay.ts';

const fixtures = fileURLToPath(new URL('../fixtures/scenarios/', import.meta.url));

/**
 * Generated worlds (`explore --generate --lifecycle`, seeds 5361 and 556) of Triton's known
 * "backlog an update starved" behaviour: a sequence waits in the backlog for ever while the reaper
 * re-checks it every 50 ms — the second with reaper timer jitter, whose fault events are not progress.
 */
const starvedByUpdate = loadScenarioFile(join(fixtures, 'starved-by-update.json'));
const starvedWithJitter = loadScenarioFile(join(fixtures, 'starved-with-jitter.json'));
const starved = JSON.parse(readFileSync(join(fixtures, 'starved-by-update.json'), 'utf8')) as Record<string, unknown> & { model: Record<string, unknown> };

describe('stall stop: a run that can only spin ends as stalled, not at its event budget', () => {
  const scenario = starvedByUpdate;

  it('ends soon after the horizon with a liveness violation that says so, and replays exactly', () => {
    const run = simulate(scenario, { seed: scenario.seed!, maxEvents: 200_000 });
    expect(run.outcome).toBe('stalled');
    expect(run.tasksExecuted).toBeLessThan(1000);
    expect(run.endUs).toBeGreaterThan(stallHorizonUs(scenario));
    expect(run.endUs).toBeLessThan(2 * stallHorizonUs(scenario) + 100_000);
    expect(run.header.options['stalled']).toBe(true);
    const liveness = run.violations.filter((v) => v.oracle === 'liveness');
    expect(liveness.map((v) => v.message)).toEqual([
      "run stalled: only the idle reaper's polling was left, with no progress for longer than " +
        'any timeout (it would have run to its event budget); 1 request(s) unanswered: 2:0',
    ]);
    // Still Triton's known leak, as explore classifies it.
    expect(isKnownTritonBehaviour(run)).toBe(true);
    const verdict = replayTrace(parseTrace(run.lines.join('\n'), 'starved.jsonl'), 'starved.jsonl');
    expect(verdict.identical).toBe(true);
  });

  it('without the stall stop (traces recorded before it) the same world runs to its event budget', () => {
    const run = simulate(scenario, { seed: scenario.seed!, maxEvents: 5_000, stallStop: false });
    expect(run.outcome).toBe('budget-exhausted');
    expect(run.tasksExecuted).toBe(5_000);
    expect(run.header.options['stalled']).toBeUndefined();
    expect(run.violations.some((v) => v.oracle === 'liveness' && v.message.startsWith('run did not finish within its event budget of 5000 events'))).toBe(true);
    expect(isKnownTritonBehaviour(run)).toBe(true);
    // Such a trace replays to its budget, as it was recorded.
    expect(replayTrace(parseTrace(run.lines.join('\n'), 'budget.jsonl'), 'budget.jsonl').identical).toBe(true);
  });

  it('a late reaper (timer jitter faults) is not progress: the jittered world stalls too', () => {
    const run = simulate(starvedWithJitter, { seed: starvedWithJitter.seed!, maxEvents: 200_000 });
    expect(run.outcome).toBe('stalled');
    expect(run.tasksExecuted).toBeLessThan(1000);
    expect(run.events.some((e) => e.type === 'fault' && e.kind === 'timer_jitter')).toBe(true);
    expect(isKnownTritonBehaviour(run)).toBe(true);
  });

  it('never cuts a world that still has a deadline to act on: a long idle timeout is reaped, not stalled', () => {
    const longIdle = parseScenario(
      {
        ...starved,
        model: { ...starved.model, sequence_batching: { max_sequence_idle_microseconds: 30_000_000, direct: {} } },
        lifecycle: [],
        // One sequence that never ENDs: only the reaper, 30 s later, can free its slot for the next.
        sequences: [
          { id: 1, steps: [{ value: 1, start: true }] },
          { id: 2, start_us: 10, steps: [{ value: 2, start: true, end: true }] },
        ],
      },
      'long-idle.json',
      '.',
    );
    const run = simulate(longIdle, { seed: 1 });
    expect(run.outcome).toBe('quiescent');
    expect(run.events.some((e) => e.type === 'reap')).toBe(true);
    expect(run.violations).toEqual([]);
  });

  it('the horizon covers every model object, step timeout and timer jitter of the scenario', () => {
    const base = stallHorizonUs(scenario);
    const withTimeout = parseScenario(
      { ...starved, sequences: [...(starved['sequences'] as unknown[]), { id: 99, steps: [{ value: 1, start: true, end: true, timeout_us: 700_000 }] }] },
      't.json',
      '.',
    );
    // The fixture's longest step timeout is 3 ms.
    expect(stallHorizonUs(withTimeout)).toBe(base + 2 * (700_000 - 3000));
    const withLoad = parseScenario(
      {
        ...starved,
        lifecycle: [
          ...(starved['lifecycle'] as unknown[]),
          { at_us: 5000, load: { ...starved.model, sequence_batching: { max_sequence_idle_microseconds: 9_000_000, direct: {} } } },
        ],
      },
      'l.json',
      '.',
    );
    expect(stallHorizonUs(withLoad)).toBe(base + 2 * (9_000_000 - 1_000_000));
  });
});
