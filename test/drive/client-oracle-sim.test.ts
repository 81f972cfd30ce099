import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadScenarioFile, parseScenario } from '../../src/scenario/load.ts';
import type { Scenario } from '../../src/scenario/types.ts';
import { simulate } from '../../sim/simulate.ts';
import { requestPrefixes } from '../../sim/pipeline/request-ids.ts';
import { checkClientTrace } from '../../sim/oracles/client/client-oracle.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));

/** The client-side oracles over a simulated run: they read only its send and response lines. */
function clientVerdict(scenario: Scenario, seed: number, batcher = 'real') {
  const run = simulate(scenario, { seed, batcher });
  const prefixes = requestPrefixes(scenario);
  const timeouts = new Map<string, number>();
  for (const [index, sequence] of scenario.sequences.entries()) {
    for (const [k, step] of sequence.steps.entries()) timeouts.set(`${prefixes[index]}:${k}`, step.timeoutUs);
  }
  return checkClientTrace(run.events, {
    model: scenario.model,
    modelName: scenario.model.name,
    deadlineUs: 5_000_000,
    // Virtual time is exact; the slack covers the scenarios' transport latency (sends may overtake).
    slackUs: 1000,
    ordered: true,
    timeoutOf: (request) => timeouts.get(request.replace(/~r\d+$/, '')) ?? 0,
  });
}

describe('the client-side oracles agree with the simulator', () => {
  it.each(['direct-basic', 'oldest-basic', 'backlog-fill', 'idle-timeout', 'drive/client-faults', 'drive/backlog-fifo', 'drive/idle-clock', 'drive/slot-leak'])(
    '%s: the real batcher passes from the client’s side too (seeds 1–5)',
    (name) => {
      const scenario = loadScenarioFile(join(root, 'sim/examples', `${name}.json`));
      for (let seed = 1; seed <= 5; seed++) expect(clientVerdict(scenario, seed).violations).toEqual([]);
    },
  );

  it.each([
    ['state-not-reset-on-start', 'outputs'],
    ['reaper-drops-queued-work', 'errors'],
    ['slot-leak-on-end', 'response'],
  ])('bug:%s in the simulator reaches the client: %s', (bug, oracle) => {
    const scenario = loadScenarioFile(join(root, 'sim/zoo/minimal', `${bug}.json`));
    expect(clientVerdict(scenario, 1, `bug:${bug}`).violations.map((v) => v.oracle)).toContain(oracle);
  });

  it.each([true, false])('a CORRID control with END=%s: the client expects the id added on END only with an END control', (withEnd) => {
    const flag = (name: string) => ({ name, control: [{ kind: `CONTROL_SEQUENCE_${name}`, int32_false_true: [0, 1] }] });
    const scenario = parseScenario(
      {
        name: 'corrid-end',
        model: {
          name: 'm',
          max_batch_size: 1,
          sequence_batching: {
            control_input: [
              flag('START'),
              ...(withEnd ? [flag('END')] : []),
              flag('READY'),
              { name: 'CORRID', control: [{ kind: 'CONTROL_SEQUENCE_CORRID', data_type: 'TYPE_UINT64' }] },
            ],
          },
        },
        sequences: [{ u64: '18446744073709551615' }, 52].map((id) => ({
          id,
          steps: [
            { value: 1, start: true },
            { value: 2, end: true },
          ],
        })),
      },
      '<test>',
      '.',
    );
    expect(clientVerdict(scenario, 1).violations).toEqual([]);
  });
});
