import { describe, expect, it } from 'vitest';
import type { ScenarioId } from '../../src/core/ids.ts';
import type { TraceEvent } from '../../src/core/events.ts';
import type { ModelConfig } from '../../src/config/types.ts';
import { parseScenario } from '../../src/scenario/load.ts';
import { checkClientTrace, type ClientOracleOptions } from '../../sim/oracles/client/client-oracle.ts';

const MISSING_START = (id: string) => `inference request for sequence ${id} to model 'm' must specify the START flag on the first request of the sequence`;

function modelOf(json: Record<string, unknown> = {}): ModelConfig {
  const sequenceBatching = { max_sequence_idle_microseconds: 1_000_000, ...((json['sequence_batching'] as object) ?? {}) };
  return parseScenario({ name: 't', model: { name: 'm', max_batch_size: 2, ...json, sequence_batching: sequenceBatching }, sequences: [] }, 't.json', '.')
    .model;
}

/** A client-side trace built by hand: each call appends one event at time `t` µs. */
class Trace {
  readonly events: TraceEvent[] = [];
  send(t: number, request: string, sequence: ScenarioId, flags: { start?: boolean; end?: boolean; value?: number; timeoutUs?: number } = {}): this {
    const step = Number(request.split(':')[1]?.split('~')[0] ?? 0);
    this.events.push({
      t,
      type: 'send',
      request,
      sequence,
      step,
      start: flags.start ?? false,
      end: flags.end ?? false,
      value: flags.value ?? 1,
      ...(flags.timeoutUs ? { timeout_us: flags.timeoutUs } : {}),
    });
    return this;
  }
  output(t: number, request: string, sequence: ScenarioId, output: number): this {
    this.events.push({ t, type: 'response', request, sequence, step: 0, output });
    return this;
  }
  error(t: number, request: string, sequence: ScenarioId, code: 'INVALID_ARG' | 'UNAVAILABLE' | 'CANCELLED', message: string): this {
    this.events.push({ t, type: 'response', request, sequence, step: 0, error: { code, message } });
    return this;
  }
  failure(t: number, request: string, sequence: ScenarioId, reason: 'aborted' | 'deadline' | 'timeout' | 'connection'): this {
    this.events.push({ t, type: 'error', request, sequence, step: 0, reason, message: reason });
    return this;
  }
}

function check(trace: Trace, options: Partial<ClientOracleOptions> = {}) {
  return checkClientTrace(trace.events, { model: modelOf(), modelName: 'm', deadlineUs: 5_000_000, slackUs: 100_000, ordered: false, ...options });
}

const oracles = (trace: Trace, options: Partial<ClientOracleOptions> = {}) => check(trace, options).violations.map((v) => v.oracle);

describe('client-side oracles: outputs', () => {
  it('a sequence whose outputs are the running sums passes; a wrong sum is an outputs violation naming the request', () => {
    const good = new Trace()
      .send(0, '1:0', 1, { start: true, value: 3 })
      .output(10, '1:0', 1, 3)
      .send(20, '1:1', 1, { value: 4 })
      .output(30, '1:1', 1, 7)
      .send(40, '1:2', 1, { end: true, value: 5 })
      .output(50, '1:2', 1, 12);
    expect(check(good).violations).toEqual([]);
    const bad = new Trace().send(0, '1:0', 1, { start: true, value: 3 }).output(10, '1:0', 1, 3).send(20, '1:1', 1, { value: 4 }).output(30, '1:1', 1, 4);
    const verdict = check(bad);
    expect(verdict.violations).toHaveLength(1);
    expect(verdict.violations[0]!.oracle).toBe('outputs');
    expect(verdict.violations[0]!.message).toMatch(/request 1:1 .* output 4, expected output 7 \(the state was lost/);
    // Trace lines: the send is line 3, the response line 4 (header = 0).
    expect(verdict.violations[0]!.events).toEqual([3, 4]);
  });

  it('a START continuing from another sequence’s state (a missed reset, state leaking) is named as such', () => {
    const trace = new Trace()
      .send(0, '1:0', 1, { start: true, end: true, value: 3 })
      .output(10, '1:0', 1, 3)
      .send(20, '2:0', 2, { start: true, value: 2 })
      .output(30, '2:0', 2, 5);
    expect(check(trace).violations[0]!.message).toMatch(/START did not restart from the initial state/);
  });

  it('one fault is reported once: the oracle goes on from what the server said', () => {
    const trace = new Trace()
      .send(0, '1:0', 1, { start: true, value: 1 })
      .output(1, '1:0', 1, 100)
      .send(2, '1:1', 1, { value: 1 })
      .output(3, '1:1', 1, 101)
      .send(4, '1:2', 1, { value: 1 })
      .output(5, '1:2', 1, 102);
    expect(oracles(trace)).toEqual(['outputs']);
  });

  it('the dyna accumulator adds the CORRID on END, as the control’s data type carries it (UINT32: the low 32 bits)', () => {
    const model = modelOf({
      sequence_batching: {
        control_input: [
          { name: 'START', control: [{ kind: 'CONTROL_SEQUENCE_START', int32_false_true: [0, 1] }] },
          { name: 'END', control: [{ kind: 'CONTROL_SEQUENCE_END', int32_false_true: [0, 1] }] },
          { name: 'READY', control: [{ kind: 'CONTROL_SEQUENCE_READY', int32_false_true: [0, 1] }] },
          { name: 'CORRID', control: [{ kind: 'CONTROL_SEQUENCE_CORRID', data_type: 'TYPE_UINT32' }] },
        ],
      },
    });
    const id = 2 ** 32 + 7;
    const trace = new Trace()
      .send(0, `${id}:0`, id, { start: true, value: 1 })
      .output(1, `${id}:0`, id, 1)
      .send(2, `${id}:1`, id, { end: true, value: 2 })
      .output(3, `${id}:1`, id, 10);
    expect(check(trace, { model }).violations).toEqual([]);
  });
});

describe('client-side oracles: Triton’s errors', () => {
  it('a continuation without START for an unknown id gets the START-flag error; a server that accepts it is an errors violation', () => {
    const refused = new Trace().send(0, '5:0', 5).error(1, '5:0', 5, 'INVALID_ARG', MISSING_START('5'));
    expect(check(refused).violations).toEqual([]);
    const accepted = new Trace().send(0, '5:0', 5, { value: 2 }).output(1, '5:0', 5, 2);
    const violation = check(accepted).violations[0]!;
    expect(violation.oracle).toBe('errors');
    expect(violation.message).toContain('expected error INVALID_ARG');
  });

  it('id 0 gets the non-zero-id error, whatever flags it carries; another message is a violation', () => {
    const nullId = "inference request to model 'm' must specify a non-zero or non-empty correlation ID";
    expect(check(new Trace().send(0, '3:1', 0, { start: true }).error(1, '3:1', 0, 'INVALID_ARG', nullId)).violations).toEqual([]);
    expect(oracles(new Trace().send(0, '3:1', 0, { start: true }).error(1, '3:1', 0, 'INVALID_ARG', 'something else'))).toEqual(['errors']);
  });

  it('a string id on an integer CORRID gets the data-type error; its request-id prefix is the client’s label and any is accepted', () => {
    const model = modelOf({
      sequence_batching: {
        control_input: [
          { name: 'START', control: [{ kind: 'CONTROL_SEQUENCE_START', int32_false_true: [0, 1] }] },
          { name: 'CORRID', control: [{ kind: 'CONTROL_SEQUENCE_CORRID', data_type: 'TYPE_UINT64' }] },
        ],
      },
    });
    const message = (id: string) => `[request id: ${id}] sequence batching control 'CORRID' data-type is 'BYTES', but model 'm' expects 'UINT64'`;
    expect(check(new Trace().send(0, '4:1', '4', { start: true }).error(1, '4:1', '4', 'INVALID_ARG', message('4:0')), { model }).violations).toEqual([]);
    expect(check(new Trace().send(0, '4:1', '4', { start: true }).error(1, '4:1', '4', 'INVALID_ARG', message('<id_unknown>')), { model }).violations).toEqual(
      [],
    );
    expect(oracles(new Trace().send(0, '4:1', '4', { start: true }).output(1, '4:1', '4', 1), { model })).toEqual(['errors']);
  });

  it('CANCELLED is an answer only to a client that cancelled; the backlog timeout only for a request that carried a timeout', () => {
    expect(oracles(new Trace().send(0, '1:0', 1, { start: true }).error(1, '1:0', 1, 'CANCELLED', ''))).toEqual(['errors']);
    const cancelled = new Trace().send(0, '1:0', 1, { start: true });
    cancelled.events.push({ t: 1, type: 'cancel', request: '1:0' });
    cancelled.error(2, '1:0', 1, 'CANCELLED', '');
    expect(check(cancelled).violations).toEqual([]);
    const expired = 'timeout of the corresponding sequence has been expired';
    expect(check(new Trace().send(0, '1:0', 1, { start: true, timeoutUs: 500 }).error(900, '1:0', 1, 'UNAVAILABLE', expired)).violations).toEqual([]);
    expect(oracles(new Trace().send(0, '1:0', 1, { start: true }).error(900, '1:0', 1, 'UNAVAILABLE', expired))).toEqual(['errors']);
  });
});

describe('client-side oracles: the idle timeout from the client’s clock', () => {
  // Idle timeout 1 s, slack 100 ms: surely alive below 0.98 s, surely reaped beyond 1.1 s.
  const continued = (gapUs: number) => new Trace().send(0, '1:0', 1, { start: true, value: 1 }).output(1000, '1:0', 1, 1).send(gapUs, '1:1', 1, { value: 2 });

  it('well inside the idle timeout the sequence must still be there: a START-flag error is a lost sequence', () => {
    expect(oracles(continued(500_000).error(500_100, '1:1', 1, 'INVALID_ARG', MISSING_START('1')))).toEqual(['errors']);
    expect(check(continued(500_000).output(500_100, '1:1', 1, 3)).violations).toEqual([]);
  });

  it('around the idle timeout either answer is right', () => {
    expect(check(continued(1_050_000).error(1_050_100, '1:1', 1, 'INVALID_ARG', MISSING_START('1'))).violations).toEqual([]);
    expect(check(continued(1_050_000).output(1_050_100, '1:1', 1, 3)).violations).toEqual([]);
  });

  it('well past it the reaper must have ended the sequence: an output is a violation that says why', () => {
    const verdict = check(continued(1_300_000).output(1_300_100, '1:1', 1, 3));
    expect(verdict.violations.map((v) => v.oracle)).toEqual(['errors']);
    expect(verdict.violations[0]!.message).toMatch(/past the idle timeout of 1000 ms: the reaper must have ended the sequence/);
    expect(check(continued(1_300_000).error(1_300_100, '1:1', 1, 'INVALID_ARG', MISSING_START('1'))).violations).toEqual([]);
  });
});

describe('client-side oracles: one answer per request, bounded waiting', () => {
  it('no answer within the deadline, a second answer, an answer to nothing, a request never answered: response violations', () => {
    expect(oracles(new Trace().send(0, '1:0', 1, { start: true }).failure(5_000_000, '1:0', 1, 'deadline'))).toContain('response');
    expect(oracles(new Trace().send(0, '1:0', 1, { start: true }).output(1, '1:0', 1, 1).output(2, '1:0', 1, 1))).toEqual(['response']);
    expect(oracles(new Trace().output(2, '9:0', 9, 1))).toEqual(['response']);
    expect(oracles(new Trace().send(0, '1:0', 1, { start: true }))).toEqual(['response']);
    expect(oracles(new Trace().send(0, '1:0', 1, { start: true }).failure(10, '1:0', 1, 'connection'))).toEqual(['response']);
  });

  it('a sequence that waits past the deadline in total is a liveness violation', () => {
    const trace = new Trace().send(0, '1:0', 1, { start: true }).output(3_000_000, '1:0', 1, 1).send(3_000_001, '1:1', 1).output(6_000_000, '1:1', 1, 2);
    expect(oracles(trace)).toEqual(['liveness']);
  });

  it('requests pipelined on a stream wait at once: the sequence waited the union of their waits, not their sum', () => {
    // Three steps sent together, answered at 2, 3 and 4 s: 4 s of waiting (a sum would be 9 s).
    const options = { ordered: true, model: modelOf({ sequence_batching: { max_sequence_idle_microseconds: 60_000_000 } }) };
    const pipelined = new Trace()
      .send(0, '1:0', 1, { start: true })
      .send(1, '1:1', 1)
      .send(2, '1:2', 1, { end: true })
      .output(2_000_000, '1:0', 1, 1)
      .output(3_000_000, '1:1', 1, 2)
      .output(4_000_000, '1:2', 1, 3);
    expect(check(pipelined, options).violations).toEqual([]);
    // Busy spans apart add up: 3 s, then a pause, then 3 s more.
    const apart = new Trace()
      .send(0, '1:0', 1, { start: true })
      .send(1, '1:1', 1)
      .output(3_000_000, '1:0', 1, 1)
      .output(3_000_000, '1:1', 1, 2)
      .send(3_500_000, '1:2', 1, { end: true })
      .output(6_500_000, '1:2', 1, 3);
    expect(check(apart, options).violations.map((v) => v.message)).toEqual([
      'sequence 1 (1) waited 6000 ms for answers in total, past the deadline of 5000 ms',
    ]);
  });

  it('with one instance, a START passed over by a later one is served out of order; several instances are not judged', () => {
    const trace = new Trace()
      .send(0, '1:0', 1, { start: true })
      .send(300_000, '2:0', 2, { start: true })
      .output(400_000, '2:0', 2, 1)
      .output(900_000, '1:0', 1, 1);
    const verdict = check(trace, { model: modelOf({ instance_group: [{ count: 1 }] }) });
    expect(verdict.violations.map((v) => v.oracle)).toEqual(['liveness']);
    expect(verdict.violations[0]!.message).toMatch(/not served first come, first served/);
    expect(check(trace, { model: modelOf({ instance_group: [{ count: 2 }] }) }).violations).toEqual([]);
  });
});

describe('client-side oracles: what a client cannot know', () => {
  it('after an aborted request the server may or may not have run it: both continuations pass, a third value does not', () => {
    const base = () =>
      new Trace()
        .send(0, '1:0', 1, { start: true, value: 1 })
        .output(1, '1:0', 1, 1)
        .send(2, '1:1', 1, { value: 2 })
        .failure(3, '1:1', 1, 'aborted')
        .send(4, '1:2', 1, { value: 4 });
    expect(check(base().output(5, '1:2', 1, 5)).violations).toEqual([]);
    expect(check(base().output(5, '1:2', 1, 7)).violations).toEqual([]);
    expect(oracles(base().output(5, '1:2', 1, 6))).toEqual(['outputs']);
  });

  it('requests of one id in flight together on different connections are only checked for their kind, and counted', () => {
    const trace = new Trace()
      .send(0, '1:0', 1, { start: true, value: 1 })
      .output(1, '1:0', 1, 1)
      .send(2, '1:1', 1, { value: 2 })
      .send(2, '1#1:0', 1, { value: 5 })
      .output(3, '1:1', 1, 8)
      .output(4, '1#1:0', 1, 3);
    const verdict = check(trace);
    expect(verdict.violations).toEqual([]);
    expect(verdict.unjudged).toBe(2);
  });
});
