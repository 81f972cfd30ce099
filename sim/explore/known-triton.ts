import { generationKey, Ledger, sequenceKey } from '../oracles/ledger.ts';
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
  return isCancelReleaseLeak(run) || isBacklogStarvedByUpdate(run);
}

function isCancelReleaseLeak(run: RunResult): boolean {
  const consequence = (v: { oracle: string; message: string }): boolean =>
    (v.oracle === 'slot-accounting' && v.message.endsWith('(slot leak)')) ||
    (v.oracle === 'liveness' && /event budget|stalled|never got a slot/.test(v.message)) ||
    neverDestroyed(v);
  if (!run.violations.every(consequence)) return false;
  const events = run.events.filter((e) => e.type !== 'violation');
  // Only the slots held at the end matter here, not the free-slot count.
  const routing = checkRouting(events, new Ledger(events), 0);
  if (routing.heldAtEnd.length === 0) return false;
  const arriveIndex = new Map<string, number>();
  const cancelReleases = new Map<string, number>();
  events.forEach((event, index) => {
    if (event.type === 'arrive') arriveIndex.set(event.request, index);
    // Keyed as the routing oracle keys held slots: per model object when the run has generations.
    if (event.type === 'release' && event.reason === 'cancel' && event.instance !== null)
      cancelReleases.set(generationKey(sequenceKey(event.sequence), event.generation), index);
  });
  return routing.heldAtEnd.every((held) => {
    const lastArrival = Math.max(...held.requests.map((r) => arriveIndex.get(r) ?? -1));
    return (cancelReleases.get(held.sequenceKey) ?? -1) > lastArrival;
  });
}

/**
 * True when the only violations are starvation, and every sequence still waiting in the backlog
 * at the end was already waiting when an in-place update changed the instance set: Triton does not
 * drain the backlog when an update adds slots, and a removed instance's released slots are deleted
 * rather than given to the backlog (update spec rules 3–4), so a backlogged sequence may wait for
 * ever while a slot of a new instance sits free.
 */
function isBacklogStarvedByUpdate(run: RunResult): boolean {
  const events = run.events.filter((e) => e.type !== 'violation');
  const ledger = new Ledger(events);
  const { backlogAtEnd } = checkRouting(events, ledger, undefined);
  if (backlogAtEnd.length === 0) return false;
  const updates: { index: number; generation: number | undefined }[] = [];
  const arrivedIn = new Map<string, number | undefined>();
  events.forEach((event, index) => {
    if (event.type === 'lifecycle' && event.action === 'update') updates.push({ index, generation: event.generation });
    if (event.type === 'arrive') arrivedIn.set(event.request, event.generation);
  });
  const starved = new Set(backlogAtEnd.map((waiting) => waiting.sequenceKey));
  // Without a fault plan no client gives up, so the starved requests also never got a response.
  const ofStarved = (message: string): boolean => {
    const request = /^request (.+) never got a response$/.exec(message)?.[1];
    const sent = request === undefined ? undefined : ledger.sent.get(request);
    return sent !== undefined && starved.has(generationKey(sent.sequenceKey, arrivedIn.get(sent.request)));
  };
  const consequence = (v: { oracle: string; message: string }): boolean =>
    (v.oracle === 'liveness' && /event budget|stalled|never got a slot/.test(v.message)) ||
    (v.oracle === 'response' && ofStarved(v.message)) ||
    neverDestroyed(v);
  if (!run.violations.every(consequence)) return false;
  return backlogAtEnd.every((waiting) => {
    const backlog = events[waiting.index];
    const generation = backlog?.type === 'backlog' ? backlog.generation : undefined;
    return updates.some((update) => update.index > waiting.index && update.generation === generation);
  });
}

/** A retired model stays alive while a starved request references it (update spec rule 6). */
function neverDestroyed(v: { oracle: string; message: string }): boolean {
  return v.oracle === 'lifecycle' && /^generation \d+ was retired but never destroyed/.test(v.message);
}
