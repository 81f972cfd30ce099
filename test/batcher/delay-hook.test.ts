import { describe, expect, it } from 'vitest';
import type { TraceEvent } from '../../src/core/events.ts';
import { parseScenario } from '../../src/scenario/load.ts';
import { simulate } from '../../sim/simulate.ts';

/** TRITONSERVER_DELAY_SCHEDULER / TRITONSERVER_BACKLOG_DELAY_SCHEDULER as a scenario's `test_hooks` (src/batcher/delay-hook.ts). */

function scenario(strategy: Record<string, unknown>, hooks: Record<string, number> | undefined, sequences: unknown[], extra: Record<string, unknown> = {}) {
  return parseScenario(
    {
      model: { name: 'm', max_batch_size: 2, instance_group: [{ count: 2 }], sequence_batching: { max_sequence_idle_microseconds: 10_000_000, ...strategy } },
      executor: { latency_us: 1000 },
      ...(hooks !== undefined ? { test_hooks: hooks } : {}),
      sequences,
      ...extra,
    },
    'inline',
    '.',
  );
}

const single = (id: number, startUs: number) => ({ id, start_us: startUs, steps: [{ value: id, start: true, end: true }] });

function executes(events: readonly TraceEvent[]): { t: number; rows: number; real: number }[] {
  return events.flatMap((event) =>
    event.type === 'execute' ? [{ t: event.t, rows: event.rows.length, real: event.rows.filter((row) => row.request !== null).length }] : [],
  );
}

describe('the delay test hook', () => {
  it('Direct: no batch runs until the instances together hold N requests, then each thread waits 10 ms once', () => {
    const sequences = [single(1, 0), single(2, 1000), single(3, 2000), single(4, 30_000)];
    const run = simulate(scenario({ direct: {} }, { delay_scheduler: 4 }, sequences), { seed: 1 });
    const batches = executes(run.events);
    expect(batches.every((batch) => batch.t >= 30_000)).toBe(true);
    // 2 instances × 2 slots: the four sequences run as two full batches, right after the fourth arrived + 10 ms.
    expect(batches.map((batch) => batch.real)).toEqual([2, 2]);
    expect(Math.min(...batches.map((batch) => batch.t))).toBeLessThanOrEqual(30_000 + 10_000 + 1000);
    const without = executes(simulate(scenario({ direct: {} }, undefined, sequences), { seed: 1 }).events);
    expect(without[0]!.t).toBeLessThan(1000);
  });

  it('a count never reached holds the batcher for good, and the run still ends', () => {
    const run = simulate(scenario({ direct: {} }, { delay_scheduler: 5 }, [single(1, 0), single(2, 10)]), { seed: 1 });
    expect(executes(run.events)).toEqual([]);
    expect(run.events.filter((event) => event.type === 'response')).toEqual([]);
  });

  it('the backlog condition: Direct also waits until the backlog holds M requests', () => {
    // 4 slots; a fifth sequence at 50 ms is the first in the backlog.
    const sequences = [single(1, 0), single(2, 10), single(3, 20), single(4, 30), single(5, 50_000)];
    const run = simulate(scenario({ direct: {} }, { delay_scheduler: 4, backlog_delay_scheduler: 1 }, sequences), { seed: 1 });
    const batches = executes(run.events);
    expect(Math.min(...batches.map((batch) => batch.t))).toBeGreaterThanOrEqual(50_000);
    expect(run.events.filter((event) => event.type === 'response')).toHaveLength(5);
  });

  it('Oldest: each instance’s dynamic batcher waits for N requests of its own', () => {
    const oldest = { oldest: { max_candidate_sequences: 2 } };
    const two = (id: number, startUs: number) => ({
      id,
      start_us: startUs,
      steps: [
        { value: id, start: true },
        { value: id, end: true },
      ],
    });
    const run = simulate(scenario(oldest, { delay_scheduler: 2 }, [two(1, 0), two(2, 5000), two(3, 10_000), two(4, 15_000)]), { seed: 1 });
    const batches = run.events.flatMap((event) => (event.type === 'execute' ? [event] : []));
    // Each instance holds two sequences; its first batch runs both STARTs, once its own queue held two.
    for (const instance of [0, 1]) {
      const first = batches.find((batch) => batch.instance === instance)!;
      expect(first.rows.filter((row) => row.request?.endsWith(':0')).length).toBe(2);
      expect(first.t).toBeGreaterThanOrEqual(10_000);
    }
    expect(run.events.filter((event) => event.type === 'response')).toHaveLength(8);
  });

  it('Oldest: a START moved into a slot behind a dispatched END is not in the queue yet, so a count it would complete holds for good', () => {
    // Faithful to Triton: the second sequence of an instance waits in its slot for the END's release.
    const oldest = { oldest: { max_candidate_sequences: 2 } };
    const run = simulate(scenario(oldest, { delay_scheduler: 2 }, [single(1, 0), single(2, 5000), single(3, 10_000), single(4, 15_000)]), { seed: 1 });
    expect(executes(run.events)).toEqual([]);
  });

  it('bad hooks are one-line input errors', () => {
    expect(() => scenario({ direct: {} }, { backlog_delay_scheduler: 1 }, [single(1, 0)])).toThrow(/backlog_delay_scheduler.*set delay_scheduler too/);
    expect(() => scenario({ direct: {} }, { delay_scheduler: -1 }, [single(1, 0)])).toThrow(/delay_scheduler/);
    expect(() => scenario({ direct: {} }, { delay: 1 } as Record<string, number>, [single(1, 0)])).toThrow(/delay/);
  });

  it('the hooks are kept in the normalised scenario (a trace header replays them)', () => {
    const s = scenario({ direct: {} }, { delay_scheduler: 3 }, [single(1, 0)]);
    expect(s.normalized['test_hooks']).toEqual({ delay_scheduler: 3, backlog_delay_scheduler: 0 });
  });
});
