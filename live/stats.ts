import type { TraceEvent } from '../src/core/events.ts';
import { percentile } from '../src/core/percentile.ts';

/** perf_analyzer-style figures of one live run, computed from its trace. */
export interface LiveStats {
  readonly requests: number;
  readonly okResponses: number;
  readonly errorResponses: number;
  readonly wallMs: number;
  readonly inferencesPerSecond: number;
  /** Send → response, first attempts, in µs. */
  readonly latencyUs: { readonly p50: number; readonly p90: number; readonly p99: number; readonly max: number };
  /** Real rows per executed batch → number of batches. */
  readonly batchSizeHistogram: Readonly<Record<number, number>>;
  readonly batches: number;
  /** Share of slot-time a sequence held a slot, over every slot and the run's span. */
  readonly slotUtilization: number;
}

export function liveStats(events: readonly TraceEvent[], wallMs: number, totalSlots: number): LiveStats {
  const sentAtUs = new Map<string, number>();
  const latencies: number[] = [];
  const histogram: Record<number, number> = {};
  const heldSince = new Map<string, number>();
  let requests = 0;
  let ok = 0;
  let failed = 0;
  let batches = 0;
  let heldUs = 0;
  let endUs = 0;
  for (const event of events) {
    endUs = Math.max(endUs, event.t);
    switch (event.type) {
      case 'send':
        requests++;
        sentAtUs.set(event.request, event.t);
        break;
      case 'response': {
        if ('error' in event) failed++;
        else ok++;
        const sent = sentAtUs.get(event.request);
        if (sent !== undefined) latencies.push(event.t - sent);
        break;
      }
      case 'execute': {
        batches++;
        const real = event.rows.filter((row) => row.request !== null).length;
        histogram[real] = (histogram[real] ?? 0) + 1;
        break;
      }
      case 'assign':
        heldSince.set(`${event.instance}/${event.slot}`, event.t);
        break;
      case 'release': {
        if (event.instance === null) break;
        const key = `${event.instance}/${event.slot}`;
        const since = heldSince.get(key);
        if (since !== undefined) heldUs += event.t - since;
        heldSince.delete(key);
        break;
      }
      default:
        break;
    }
  }
  for (const since of heldSince.values()) heldUs += endUs - since;
  latencies.sort((a, b) => a - b);
  return {
    requests,
    okResponses: ok,
    errorResponses: failed,
    wallMs,
    inferencesPerSecond: wallMs > 0 ? (ok / wallMs) * 1000 : 0,
    latencyUs: { p50: percentile(latencies, 0.5), p90: percentile(latencies, 0.9), p99: percentile(latencies, 0.99), max: latencies.at(-1) ?? 0 },
    batchSizeHistogram: histogram,
    batches,
    slotUtilization: totalSlots > 0 && endUs > 0 ? heldUs / (totalSlots * endUs) : 0,
  };
}
