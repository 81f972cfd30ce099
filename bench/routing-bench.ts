import { wallClockMs } from '../live/wall-clock.ts';
import { parseScenario } from '../src/scenario/load.ts';
import { Ledger } from '../sim/oracles/ledger.ts';
import { checkRouting } from '../sim/oracles/routing.ts';
import { simulate } from '../sim/simulate.ts';
import { benchScenarioJson } from './workload.ts';

export interface RoutingBenchRow {
  readonly workload: string;
  readonly sequences: number;
  readonly requests: number;
  readonly events: number;
  /** Best of the repeats: one `checkRouting` pass over the run's events. */
  readonly checkWallMs: number;
}

/**
 * The two shapes that made the routing oracle quadratic: few very long sequences (each executed
 * row looked up its position by scanning its sequence) and a deep backlog (each promotion scanned
 * every backlog ever created). 16 slots, so all but 16 sequences wait in the backlog at first.
 */
export const ROUTING_WORKLOADS: readonly { readonly name: string; readonly concurrent: number }[] = [
  { name: 'long sequences', concurrent: 20 },
  { name: 'deep backlog', concurrent: 20_000 },
];

/** Wall time of the routing oracle alone, over runs recorded once (a benchmark, never a run). */
export function benchRouting(totalRequests = 100_000, repeats = 3): RoutingBenchRow[] {
  return ROUTING_WORKLOADS.map(({ name, concurrent }) => {
    const scenario = parseScenario(benchScenarioJson(concurrent, totalRequests), `bench-${concurrent}`, '.');
    // The events are what is timed over: the run's own trace lines are not needed.
    const run = simulate(scenario, { seed: 1, maxEvents: 50_000_000, chooser: { choose: () => 0 }, serialize: false });
    const events = run.events.filter((e) => e.type !== 'violation');
    const ledger = new Ledger(events);
    const totalSlots = scenario.model.instanceCount * scenario.model.slotsPerInstance;
    let checkWallMs = Number.POSITIVE_INFINITY;
    for (let r = 0; r < repeats; r++) {
      const started = wallClockMs();
      checkRouting(events, ledger, totalSlots);
      checkWallMs = Math.min(checkWallMs, wallClockMs() - started);
    }
    return { workload: name, sequences: concurrent, requests: ledger.sent.size, events: events.length, checkWallMs };
  });
}
