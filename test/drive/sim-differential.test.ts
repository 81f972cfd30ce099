import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TraceEvent } from '../../src/core/events.ts';
import { loadScenarioFile, parseScenario } from '../../src/scenario/load.ts';
import type { Scenario } from '../../src/scenario/types.ts';
import { simulate } from '../../sim/simulate.ts';
import { referenceModel } from '../../sim/oracles/client/expectations.ts';
import { checkClientTrace } from '../../sim/oracles/client/client-oracle.ts';
import { compareWithSim, type DifferentialInput } from '../../live/drive/sim-differential.ts';
import { nothingCompared, testHookEnvironment } from '../../live/drive/compare-sim.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const example = (name: string): Scenario => loadScenarioFile(join(root, 'sim/examples', `${name}.json`));

/** What a client sees of a run: the simulated trace cut down to a client-side trace. */
function clientView(events: readonly TraceEvent[]): TraceEvent[] {
  return events.filter((event) => ['send', 'response', 'error', 'cancel', 'fault'].includes(event.type));
}

function simulated(scenario: Scenario, seed = 1): TraceEvent[] {
  return [...simulate(scenario, { seed, serialize: false }).events];
}

function batchCounts(events: readonly TraceEvent[]): { inferenceCount: number; batchExecutions: Record<string, number> } {
  const batchExecutions: Record<string, number> = {};
  let inferenceCount = 0;
  for (const event of events) {
    if (event.type !== 'execute') continue;
    batchExecutions[String(event.rows.length)] = (batchExecutions[String(event.rows.length)] ?? 0) + 1;
    inferenceCount += event.rows.filter((row) => row.request !== null).length;
  }
  return { inferenceCount, batchExecutions };
}

function input(scenario: Scenario, real: TraceEvent[], sim: TraceEvent[], extra: Partial<DifferentialInput> = {}): DifferentialInput {
  return { scenario, real, simulated: sim, realStatistics: null, marginUs: 5000, ...extra };
}

/** Replaces the answer to `request` in a client-side trace. */
function answer(events: TraceEvent[], request: string, replacement: Record<string, unknown>): TraceEvent[] {
  return events.map((event) => (event.type === 'response' && event.request === request ? ({ ...event, ...replacement } as TraceEvent) : event));
}

describe('compareWithSim: a real run against the simulation of the same scenario', () => {
  it('the same answers: every sequence compared and equal', () => {
    const scenario = example('direct-basic');
    const sim = simulated(scenario);
    const d = compareWithSim(input(scenario, clientView(simulated(scenario, 2)), sim));
    expect(d).toMatchObject({ sequences: 4, compared: 4, equal: 4, excluded: {}, differences: [] });
    expect(nothingCompared(d)).toBe(false);
  });

  it('a wrong output is a difference naming the sequence and the step', () => {
    const scenario = example('direct-basic');
    const sim = simulated(scenario);
    const real = answer(clientView(sim), '1002:1', { output: 49 });
    const d = compareWithSim(input(scenario, real, sim));
    expect(d.compared).toBe(4);
    expect(d.equal).toBe(3);
    expect(d.differences).toEqual([{ sequence: '1002', step: 1, real: 'output 49', simulated: 'output 48' }]);
  });

  it('error codes and messages are compared; the client label [request id: …] is not', () => {
    const scenario = example('triton-l0/no-sequence-start2');
    const sim = simulated(scenario);
    const missing = clientView(sim).find((event) => event.type === 'response' && 'error' in event);
    if (missing?.type !== 'response' || !('error' in missing)) throw new Error('the example answers one request with an error');
    const { request, error } = missing;
    const labelled = answer(clientView(sim), request, { error: { code: error.code, message: `[request id: 7] ${error.message}` } });
    expect(compareWithSim(input(scenario, labelled, sim)).differences).toEqual([]);
    const reworded = answer(clientView(sim), request, { error: { code: error.code, message: `${error.message}!` } });
    expect(compareWithSim(input(scenario, reworded, sim)).differences).toHaveLength(1);
    const recoded = answer(clientView(sim), request, { error: { code: 'UNAVAILABLE', message: error.message } });
    expect(compareWithSim(input(scenario, recoded, sim)).differences[0]!.real).toMatch(/^error UNAVAILABLE: /);
  });

  it('timing-dependent outcomes are excluded and counted by reason', () => {
    // backlog-fill: sequence 4's request times out in the backlog (expired).
    const backlog = example('backlog-fill');
    const sim = simulated(backlog);
    expect(compareWithSim(input(backlog, clientView(sim), sim)).excluded).toEqual({ expired: 1 });
    // idle-timeout: the reaper ends 7 during its gap, before its later steps.
    const idle = example('idle-timeout');
    const idleSim = simulated(idle);
    const exact = compareWithSim(input(idle, clientView(idleSim), idleSim, { marginUs: 0 }));
    expect(exact.excluded).toEqual({ 'idle-timeout': 1 });
    expect(exact.compared).toBe(1);
    // 8 waited in the backlog; its second request arrives 3 ms before its idle deadline: within 5 ms, timing.
    expect(compareWithSim(input(idle, clientView(idleSim), idleSim)).excluded).toEqual({ 'idle-timeout': 2 });
  });

  it('a real reap the simulation did not do is timing only when the gap came within the margin of the idle timeout', () => {
    const idle = example('idle-timeout');
    const sim = simulated(idle);
    const missingStart = (sequence: number) => ({
      error: {
        code: 'INVALID_ARG',
        message: `inference request for sequence ${sequence} to model 'acc_idle' must specify the START flag on the first request of the sequence`,
      },
    });
    // Sequence 8's second request came 17 ms after its first, 3 ms short of the 20 ms idle timeout.
    const real = answer(clientView(sim), '8:1', missingStart(8));
    expect(compareWithSim(input(idle, real, sim, { marginUs: 0 })).differences).toHaveLength(1);
    expect(compareWithSim(input(idle, real, sim, { marginUs: 2000 })).differences).toHaveLength(1);
    expect(compareWithSim(input(idle, real, sim, { marginUs: 4000 })).excluded).toEqual({ 'idle-timeout': 2 });
  });

  it('a request the real client got no answer for leaves its sequence out (no-answer)', () => {
    const scenario = example('direct-basic');
    const sim = simulated(scenario);
    const real = clientView(sim).map((event) =>
      event.type === 'response' && event.request === '1001:2'
        ? ({ t: event.t, type: 'error', request: event.request, sequence: event.sequence, step: event.step, reason: 'timeout', message: 'x' } as TraceEvent)
        : event,
    );
    expect(compareWithSim(input(scenario, real, sim))).toMatchObject({ compared: 3, excluded: { 'no-answer': 1 } });
  });

  it('two sequences of one id in flight at once are id-conflict', () => {
    const scenario = parseScenario(
      {
        model: { name: 'm', max_batch_size: 1, sequence_batching: { direct: {} } },
        sequences: [
          {
            id: 5,
            steps: [
              { value: 1, start: true },
              { value: 2, gap_us: 1000, end: true },
            ],
          },
          { id: 5, start_us: 100_000, steps: [{ value: 3, start: true, end: true }] },
        ],
      },
      'inline',
      '.',
    );
    const sim = simulated(scenario);
    expect(compareWithSim(input(scenario, clientView(sim), sim)).compared).toBe(2);
    // In the real run the second one was sent before the first one's last answer.
    const real = clientView(sim).map((event) => (event.type === 'send' && event.request === '5#1:0' ? { ...event, t: 500 } : event));
    expect(compareWithSim(input(scenario, real, sim)).excluded).toEqual({ 'id-conflict': 2 });
  });

  it('rejected requests (missing START, id 0) are Triton’s deterministic answers: compared', () => {
    for (const name of ['triton-l0/no-sequence-start', 'triton-l0/no-correlation-id']) {
      const scenario = example(name);
      const sim = simulated(scenario);
      expect(compareWithSim(input(scenario, clientView(sim), sim))).toMatchObject({ compared: 1, equal: 1, excluded: {} });
    }
  });

  it('nothing comparable: no sequence and no batch sizes', () => {
    const scenario = example('idle-timeout');
    const sim = simulated(scenario);
    const d = compareWithSim(input(scenario, clientView(sim), sim, { marginUs: 1_000_000 }));
    expect(d.compared).toBe(0);
    expect(nothingCompared(d)).toBe(true);
  });

  it('batch sizes are compared only when the test hook held the batcher until every request had arrived', () => {
    const hooked = example('triton-l0/four-starts-one-batch');
    const sim = simulated(hooked);
    const same = compareWithSim(input(hooked, clientView(sim), sim, { realStatistics: batchCounts(sim) }));
    expect(same.batches).toMatchObject({ compared: true, equal: true, simulated: { 4: 1 }, simulatedInferences: 4 });
    const split = compareWithSim(input(hooked, clientView(sim), sim, { realStatistics: { inferenceCount: 4, batchExecutions: { 2: 2 } } }));
    expect(split.batches).toMatchObject({ compared: true, equal: false });
    const plain = example('direct-basic');
    const plainSim = simulated(plain);
    const unhooked = compareWithSim(input(plain, clientView(plainSim), plainSim, { realStatistics: batchCounts(plainSim) }));
    expect(unhooked.batches.compared).toBe(false);
    expect(unhooked.batches.why).toMatch(/no test hook/);
    // The hook released the batcher before the later steps arrived: their batches are timing.
    const later = example('triton-l0/backlog-sequence-timeout');
    const laterSim = simulated(later);
    const partly = compareWithSim(input(later, clientView(laterSim), laterSim, { realStatistics: batchCounts(laterSim) }));
    expect(partly.batches.why).toMatch(/after the test hook released/);
  });

  it('the test hooks become the server environment drive asks for', () => {
    expect(testHookEnvironment(example('triton-l0/four-starts-one-batch'))).toEqual({ TRITONSERVER_DELAY_SCHEDULER: '4' });
    expect(testHookEnvironment(example('direct-basic'))).toEqual({});
  });
});

describe('the ports of Triton’s L0_sequence_batcher give Triton’s expected values in the simulator', () => {
  const expected = JSON.parse(readFileSync(join(root, 'triton/l0-expected.json'), 'utf8')) as Record<
    string,
    { outputs: Record<string, (number | { error: string })[]>; batch_sizes?: Record<string, number> }
  >;
  it.each(Object.keys(expected))('%s', (name) => {
    const want = expected[name]!;
    const events = simulated(example(`triton-l0/${name}`));
    const seen = new Map<string, (number | string)[]>();
    for (const event of events) {
      if (event.type !== 'response') continue;
      const key = String(event.sequence);
      seen.set(key, [...(seen.get(key) ?? []), 'error' in event ? event.error.message : event.output]);
    }
    for (const [sequence, values] of Object.entries(want.outputs)) {
      const got = seen.get(sequence) ?? [];
      expect(got).toHaveLength(values.length);
      values.forEach((value, step) => {
        if (typeof value === 'number') expect(got[step]).toBe(value);
        else expect(String(got[step])).toContain(value.error);
      });
    }
    if (want.batch_sizes !== undefined) expect(batchCounts(events).batchExecutions).toEqual(want.batch_sizes);
  });
});

describe('the client oracle’s reference model', () => {
  it('adds the CORRID on END only when the config has an END control (a model cannot see END otherwise)', () => {
    const withCorrid = (controls: string[]) =>
      parseScenario(
        {
          model: {
            name: 'm',
            max_batch_size: 1,
            sequence_batching: {
              direct: {},
              control_input: controls.map((kind) =>
                kind === 'CORRID'
                  ? { name: 'CORRID', control: [{ kind: 'CONTROL_SEQUENCE_CORRID', data_type: 'TYPE_UINT64' }] }
                  : { name: kind, control: [{ kind: `CONTROL_SEQUENCE_${kind}`, int32_false_true: [0, 1] }] },
              ),
            },
          },
          sequences: [
            {
              id: 9,
              steps: [
                { value: 1, start: true },
                { value: 2, end: true },
              ],
            },
          ],
        },
        'inline',
        '.',
      );
    expect(referenceModel(withCorrid(['START', 'READY', 'CORRID']).model).addsCorridOnEnd).toBe(false);
    expect(referenceModel(withCorrid(['START', 'END', 'READY', 'CORRID']).model).addsCorridOnEnd).toBe(true);
    // The simulator agrees: the client oracle passes a simulated run of the CORRID-only config.
    const scenario = withCorrid(['START', 'READY', 'CORRID']);
    const verdict = checkClientTrace(simulated(scenario), {
      model: scenario.model,
      modelName: 'm',
      deadlineUs: 5_000_000,
      slackUs: 1000,
      ordered: true,
      timeoutOf: () => 0,
    });
    expect(verdict.violations).toEqual([]);
  });
});
