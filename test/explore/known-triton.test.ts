import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadScenarioFile, parseScenario } from '../../src/scenario/load.ts';
import { simulate, type RunResult } from '../../sim/simulate.ts';
import { isKnownTritonBehaviour } from '../../sim/explore/known-triton.ts';
import { explore } from '../../sim/explore/explore.ts';

const fixtures = fileURLToPath(new URL('../fixtures/scenarios/', import.meta.url));

/**
 * `explore --generate --from 921108`, shrunk: a cancel-release of id "a" erases the timestamp of
 * the same-id sequence it then moves in from the backlog, so that slot (the only one) leaks, and
 * sequence 1, waiting in the backlog behind it, never gets a slot nor its responses.
 */
const leak = loadScenarioFile(join(fixtures, 'cancel-leak-starves-backlog.json'));

const describeViolations = (run: RunResult): string[] => run.violations.map((v) => `${v.oracle}: ${v.message}`);

describe('known Triton behaviour: every consequence of the cancel-release leak, and nothing else', () => {
  it('a backlog starved by the leaked slot: its requests left without a response are the leak too', () => {
    const run = simulate(leak, { seed: leak.seed! });
    expect(describeViolations(run)).toEqual([
      'slot-accounting: 1 slot(s) still held after the run went quiescent (slot leak)',
      'response: request 1:0 never got a response',
      'response: request 1:1 never got a response',
      'liveness: sequence 1 waited in the backlog and never got a slot nor an answer',
    ]);
    expect(run.events.some((e) => e.type === 'release' && e.reason === 'cancel' && e.sequence === 'a')).toBe(true);
    expect(isKnownTritonBehaviour(run)).toBe(true);
  });

  it('the generated seed it came from is known behaviour, not a finding', () => {
    const result = explore({ from: 921108, seeds: 1, batcher: 'real', keepGoing: true, maxEvents: 200_000 });
    expect(result.findings).toEqual([]);
    expect(result.knownTritonRuns).toBe(1);
  });

  it('a missing response of a request that did not starve behind the leak is still reported', () => {
    const run = simulate(leak, { seed: leak.seed! });
    // The leaked sequence's own request: the leak does not explain it going unanswered.
    const extra = { oracle: 'response' as const, message: 'request a#1:0 never got a response', events: [0] };
    expect(isKnownTritonBehaviour({ ...run, violations: [...run.violations, extra] })).toBe(false);
    // Nor another oracle's finding in the same run.
    const order = { oracle: 'order' as const, message: 'sequence 1 step 1 ran before step 0', events: [0] };
    expect(isKnownTritonBehaviour({ ...run, violations: [...run.violations, order] })).toBe(false);
  });

  it('a slot that leaks without a cancel-release (a batcher bug) starves the backlog just the same, and is reported', () => {
    const world = parseScenario(
      {
        name: 'leak-without-cancel',
        model: {
          name: 'm',
          max_batch_size: 1,
          input: [{ name: 'INPUT', data_type: 'TYPE_INT32', dims: [1] }],
          output: [{ name: 'OUTPUT', data_type: 'TYPE_INT32', dims: [1] }],
          sequence_batching: { max_sequence_idle_microseconds: 1_000_000, direct: {} },
        },
        sequences: [
          {
            id: 1,
            steps: [
              { value: 1, start: true },
              { value: 2, end: true },
            ],
          },
          { id: 2, start_us: 10, steps: [{ value: 3, start: true, end: true }] },
        ],
      },
      'leak-without-cancel.json',
      '.',
    );
    const buggy = simulate(world, { seed: 1, batcher: 'bug:slot-leak-on-end' });
    expect(buggy.violations.map((v) => v.oracle)).toEqual(expect.arrayContaining(['slot-accounting', 'response', 'liveness']));
    expect(describeViolations(buggy)).toContain('response: request 2:0 never got a response');
    expect(isKnownTritonBehaviour(buggy)).toBe(false);
    // The real batcher frees the slot at END: nothing to classify.
    expect(simulate(world, { seed: 1 }).violations).toEqual([]);
  });
});
