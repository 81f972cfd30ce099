import type { Scenario } from '../../src/scenario/types.ts';
import type { Latency } from '../../src/scenario/types.ts';

/** The scenario entry (request-id prefix) a request id belongs to: "7:2" → "7", "a:b:0~r1" → "a:b". */
export function requestClient(requestId: string): string | undefined {
  const colon = requestId.lastIndexOf(':');
  return colon < 0 ? undefined : requestId.slice(0, colon);
}

const CLIENT_LABELS = ['send:', 'respond:'];
const NAMED_LABELS = ['arrive:', 'cancel-arrive:', 'cancel:', 'client-timeout:'];

/** Whose client a task label names ("send:7:2", "respond:7:2", "arrive:7:2", …), if any. */
export function labelClient(label: string): string | undefined {
  for (const prefix of [...CLIENT_LABELS, ...NAMED_LABELS]) if (label.startsWith(prefix)) return requestClient(label.slice(prefix.length));
  return undefined;
}

/** A task that only touches its own client: it sends a step, or receives a response. */
function isClientTask(label: string): boolean {
  return CLIENT_LABELS.some((prefix) => label.startsWith(prefix));
}

/**
 * When same-instant tasks commute, from their labels alone (conservative; README "Partial-order
 * reduction"):
 * - Server tasks (arrivals, cancels, batch formation, completions, reaper, clean-up, lifecycle)
 *   all share the scheduler — slots, backlog order, idle clocks, the batch counter — so any two
 *   are dependent.
 * - A client task (`send:C:k`, `respond:R` of client C) touches only its client, its connection's
 *   sending side and the trace's per-client events: two of different clients commute.
 * - A `send:C:k` also commutes with a server task that names no task of C: it only creates a
 *   request, schedules its arrival on C's uplink and adds a `send` event, which the oracles read
 *   through the per-request ledger only. A `respond:R` does not: its `response` event is checked
 *   against cancels, expiries and rejections that server tasks record (the outputs oracle).
 * Random latencies or a fault plan draw from streams every task shares: then nothing commutes.
 * With chosen draws (`--choose-draws`) they are choice points inside tasks, dependent with every
 * task and every other draw: still nothing commutes, so no sleep set ever holds a draw's option.
 */
export function independent(a: string, b: string, drawsFree: boolean): boolean {
  if (!drawsFree || a === b) return false;
  const clientA = isClientTask(a);
  const clientB = isClientTask(b);
  if (!clientA && !clientB) return false;
  if (labelClient(a) === labelClient(b)) return false;
  if (clientA && clientB) return true;
  return (clientA ? a : b).startsWith('send:');
}

/** Whether no task of this scenario draws randomness (or, with chosen draws, meets a draw point): fixed latencies and no fault plan. */
export function drawsFree(scenario: Scenario): boolean {
  const fixed = (latency: Latency): boolean => typeof latency === 'number' || latency.min === latency.max;
  return scenario.faults === undefined && fixed(scenario.transportLatencyUs) && fixed(scenario.executorLatencyUs);
}
