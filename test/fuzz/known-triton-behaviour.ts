import { Ledger } from '../../sim/oracles/ledger.ts';
import { checkRouting } from '../../sim/oracles/routing.ts';
import type { RunResult } from '../../sim/simulate.ts';

/**
 * True when every sequence still holding a slot at the end lost its idle timestamp to a
 * cancel-release of the same id after its last request arrived, and the only violations are what
 * that causes: Triton's cancel path erases the id's timestamp (spec §5 step 1), so its reaper never
 * sees that sequence again — the slot leaks, and sequences waiting in the backlog starve while the
 * reaper polls every 50 ms forever (server issue #8449's symptom). The real batcher reproduces this
 * on purpose (test/conformance/known-triton-leak.test.ts).
 */
export function onlyKnownCancelLeak(run: RunResult): boolean {
  const consequence = (v: { oracle: string; message: string }): boolean =>
    (v.oracle === 'slot-accounting' && v.message.endsWith('(slot leak)')) ||
    (v.oracle === 'liveness' && /event budget|never got a slot/.test(v.message));
  if (!run.violations.every(consequence)) return false;
  const events = run.events.filter((e) => e.type !== 'violation');
  const model = { instanceCount: 0, slotsPerInstance: 0 };
  const routing = checkRouting(events, new Ledger(events), model.instanceCount * model.slotsPerInstance);
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
