import type { TraceEvent } from '../src/core/events.ts';
import type { Violation } from '../sim/oracles/index.ts';

/** Live vs simulated outputs of the same scenario. */
export interface DifferentialReport {
  /** Requests answered with an output in both runs, in sequences neither run cut short. */
  readonly compared: number;
  /** Of those, how many ran in the same instance and slot in both runs. */
  readonly sameSlot: number;
  readonly differing: number;
  /** Sequences left out because either run cut them short (reaped, expired, cancelled, rejected, errored). */
  readonly excludedSequences: number;
  readonly violations: readonly Violation[];
}

interface RequestFacts {
  output?: number;
  slot?: string;
  /** Trace line (1-based: line 0 is the header) of the response, for violations. */
  line?: number;
}

/** Sequences whose outcome depends on timing: reaped, expired, cancelled, rejected or errored. */
function timingDependentSequences(events: readonly TraceEvent[]): Set<string> {
  const sequenceOfRequest = new Map<string, string>();
  const excluded = new Set<string>();
  for (const event of events) {
    if (event.type === 'send') sequenceOfRequest.set(event.request, JSON.stringify(event.sequence));
    else if (event.type === 'release' && event.reason !== 'end') excluded.add(JSON.stringify(event.sequence));
    else if (event.type === 'cancel' || event.type === 'reject') {
      const sequence = sequenceOfRequest.get(event.request);
      if (sequence !== undefined) excluded.add(sequence);
    } else if (event.type === 'response' && 'error' in event) excluded.add(JSON.stringify(event.sequence));
  }
  return excluded;
}

function requestFacts(events: readonly TraceEvent[]): Map<string, RequestFacts> {
  const facts = new Map<string, RequestFacts>();
  const of = (request: string): RequestFacts => {
    let entry = facts.get(request);
    if (entry === undefined) {
      entry = {};
      facts.set(request, entry);
    }
    return entry;
  };
  events.forEach((event, index) => {
    if (event.type === 'execute') {
      for (const row of event.rows) if (row.request !== null) of(row.request).slot = `${event.instance}/${row.slot}`;
    } else if (event.type === 'response' && 'output' in event) {
      const entry = of(event.request);
      entry.output = event.output;
      entry.line = index + 1;
    }
  });
  return facts;
}

/**
 * The same scenario's outputs in the live run and in the simulator must agree request by request
 * wherever both runs answered the request and neither cut its sequence short; a difference means
 * the real model or the live executor's tensor plumbing disagrees with the simulated accumulator.
 */
export function compareLiveWithSim(live: readonly TraceEvent[], simulated: readonly TraceEvent[]): DifferentialReport {
  const excluded = timingDependentSequences(live);
  for (const sequence of timingDependentSequences(simulated)) excluded.add(sequence);
  const liveFacts = requestFacts(live);
  const simFacts = requestFacts(simulated);
  const sequenceOf = new Map<string, string>();
  for (const event of live) if (event.type === 'send') sequenceOf.set(event.request, JSON.stringify(event.sequence));
  let compared = 0;
  let sameSlot = 0;
  const violations: Violation[] = [];
  for (const [request, liveEntry] of liveFacts) {
    const simEntry = simFacts.get(request);
    if (liveEntry.output === undefined || simEntry?.output === undefined) continue;
    if (excluded.has(sequenceOf.get(request) ?? '')) continue;
    compared++;
    if (liveEntry.slot === simEntry.slot) sameSlot++;
    if (!Object.is(liveEntry.output, simEntry.output)) {
      violations.push({
        oracle: 'live-vs-sim',
        message: `request ${request}: the live run answered ${liveEntry.output}, the simulated run ${simEntry.output}`,
        events: liveEntry.line === undefined ? [] : [liveEntry.line],
      });
    }
  }
  return { compared, sameSlot, differing: violations.length, excludedSequences: excluded.size, violations };
}
