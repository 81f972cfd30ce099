import type { RunResult } from '../../sim/simulate.ts';

/**
 * True when the only violation is a slot leak and every slot still held at the end belongs to a
 * sequence whose idle timestamp a cancel-release of the same id erased after that sequence's last
 * request arrived: the Triton behaviour documented in test/conformance/known-triton-leak.test.ts,
 * which the real batcher reproduces on purpose (the reaper only watches ids with a timestamp).
 */
export function onlyKnownCancelLeak(run: RunResult): boolean {
  if (!run.violations.every((v) => v.oracle === 'slot-accounting' && v.message.endsWith('(slot leak)'))) return false;
  const arriveIndex = new Map<string, number>();
  const cancelReleases: { sequence: string; index: number }[] = [];
  /** slot → holder sequence and the index of its latest request in that slot (or its assign). */
  const held = new Map<string, { sequence: string; assigned: number; lastArrival: number }>();
  run.events.forEach((event, index) => {
    if (event.type === 'arrive') arriveIndex.set(event.request, index);
    if (event.type === 'assign') held.set(`${event.instance}/${event.slot}`, { sequence: JSON.stringify(event.sequence), assigned: index, lastArrival: -1 });
    if (event.type === 'execute') {
      for (const row of event.rows) {
        const holder = held.get(`${event.instance}/${row.slot}`);
        if (row.request !== null && holder !== undefined) holder.lastArrival = Math.max(holder.lastArrival, arriveIndex.get(row.request) ?? 0);
      }
    }
    if (event.type === 'release' && event.instance !== null) {
      held.delete(`${event.instance}/${event.slot}`);
      if (event.reason === 'cancel') cancelReleases.push({ sequence: JSON.stringify(event.sequence), index });
    }
  });
  if (held.size === 0) return false;
  for (const holder of held.values()) {
    const lastUse = holder.lastArrival >= 0 ? holder.lastArrival : holder.assigned - 1;
    if (!cancelReleases.some((c) => c.sequence === holder.sequence && c.index > lastUse)) return false;
  }
  return true;
}
