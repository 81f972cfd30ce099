import type { RunResult } from '../../sim/simulate.ts';

/**
 * True when the only violation is a slot leak and every slot still held at the end belongs to a
 * sequence whose id a cancel-release erased while (or just before) it held that slot: the Triton
 * behaviour documented in test/conformance/known-triton-leak.test.ts, which the real batcher
 * reproduces on purpose.
 */
export function onlyKnownCancelLeak(run: RunResult): boolean {
  if (!run.violations.every((v) => v.oracle === 'slot-accounting' && v.message.endsWith('(slot leak)'))) return false;
  const held = new Map<string, { sequence: string; index: number }>();
  run.events.forEach((event, index) => {
    if (event.type === 'assign') held.set(`${event.instance}/${event.slot}`, { sequence: JSON.stringify(event.sequence), index });
    if (event.type === 'release' && event.instance !== null) held.delete(`${event.instance}/${event.slot}`);
  });
  if (held.size === 0) return false;
  for (const { sequence, index } of held.values()) {
    const erased = run.events.some(
      (event, i) => i >= index - 1 && event.type === 'release' && event.reason === 'cancel' && JSON.stringify(event.sequence) === sequence,
    );
    if (!erased) return false;
  }
  return true;
}
