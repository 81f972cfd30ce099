import { Ledger } from '../oracles/ledger.ts';
import { checkRouting } from '../oracles/routing.ts';
import type { RunResult } from '../simulate.ts';

/**
 * True when every sequence still holding a slot at the end lost its idle timestamp to a
 * cancel-release of the same id after its last request arrived, and the only violations are what
 * that causes: Triton's cancel path erases the id's timestamp (spec §5 step 1), so its reaper never
 * sees that sequence again — the slot leaks, and sequences waiting in the backlog starve while the
 * reaper polls every 50 ms forever (server issue #8449's symptom). The real batcher reproduces this
 * on purpose (test/conformance/known-triton-leak.test.ts).
 */
export function isKnownTritonBehaviour(run: RunResult): boolean {
  const consequence = (v: { oracle: string; message: string }): boolean =>
    (v.oracle === 'slot-accounting' && v.message.endsWith('(slot leak)')) ||
    (v.oracle === 'liveness' && /event budget|never got a slot/.test(v.message));
  if (!run.violations.every(consequence)) return false;
  const events = run.events.filter((e) => e.type !== 'violation');
  // Only the slots held at the end matter here, not the free-slot count.
  const routing = checkRouting(events, new Ledger(events), 0);
  if (routing.heldAtEnd.length === 0) return false;
  const arriveIndex = new Map<string, number>();
  const cancelReleases = new Map<string, number>();
  events.forEach((event, index) => {
    if (event.type === 'arrive') arriveIndex.set(event.request, index);
    if (event.type === 'release' && event.reason === 'cancel' && event.instance !== null) cancelReleases.set(JSON.stringify(event.sequence), index);
  });
  return routing.heldAtEnd.every((held) => {
    const lastArrival = Math.max(...held.requests.map((r) => arriveIndex.get(r) ?? -1));
    return (cancelReleases.get(held.sequenceKey) ?? -1) > lastArrival;
  });
}
