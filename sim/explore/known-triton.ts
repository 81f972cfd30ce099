import { generationKey, Ledger, sequenceKey } from '../oracles/ledger.ts';
import { checkRouting } from '../oracles/routing.ts';
import type { RunResult } from '../simulate.ts';

type Violation = { readonly oracle: string; readonly message: string };

/**
 * True when a run's only violations are documented Triton behaviour, and every one of them follows
 * from it (docs/known-triton-behaviour.md): the cancel-release leak, or a backlog an update starved.
 */
export function isKnownTritonBehaviour(run: RunResult): boolean {
  return isCancelReleaseLeak(run) || isBacklogStarvedByUpdate(run);
}

/**
 * True when every sequence still holding a slot at the end lost its idle timestamp to a
 * cancel-release of the same id after its last request arrived, and the only violations are what
 * that causes: Triton's cancel path erases the id's timestamp (spec §5 step 1), so its reaper never
 * sees that sequence again — the slot leaks, and sequences waiting in the backlog starve while the
 * reaper polls every 50 ms for ever (server issue #8449's symptom), their requests never answered.
 * The real batcher reproduces this on purpose (test/conformance/known-triton-leak.test.ts).
 */
function isCancelReleaseLeak(run: RunResult): boolean {
  const events = run.events.filter((e) => e.type !== 'violation');
  const ledger = new Ledger(events);
  // Only the slots held at the end matter here, not the free-slot count.
  const routing = checkRouting(events, ledger, 0);
  if (routing.heldAtEnd.length === 0) return false;
  const starved = starvationConsequence(events, ledger, routing.backlogAtEnd);
  const consequence = (v: Violation): boolean => (v.oracle === 'slot-accounting' && v.message.endsWith('(slot leak)')) || starved(v);
  if (!run.violations.every(consequence)) return false;
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
  if (!run.violations.every(starvationConsequence(events, ledger, backlogAtEnd))) return false;
  const updates: { index: number; generation: number | undefined }[] = [];
  events.forEach((event, index) => {
    if (event.type === 'lifecycle' && event.action === 'update') updates.push({ index, generation: event.generation });
  });
  return backlogAtEnd.every((waiting) => {
    const backlog = events[waiting.index];
    const generation = backlog?.type === 'backlog' ? backlog.generation : undefined;
    return updates.some((update) => update.index > waiting.index && update.generation === generation);
  });
}

/**
 * The violations a backlog that never gets a slot causes, and only those: each names a starved
 * sequence (still in the backlog at the end) or one of its requests. Without a fault plan no client
 * gives up, so a starved request also never gets a response; a retired model stays alive while a
 * starved request references it (update spec rule 6).
 */
function starvationConsequence(
  events: RunResult['events'],
  ledger: Ledger,
  backlogAtEnd: readonly { readonly sequenceKey: string }[],
): (v: Violation) => boolean {
  const starved = new Set(backlogAtEnd.map((waiting) => waiting.sequenceKey));
  const arrivedIn = new Map<string, number | undefined>();
  for (const event of events) if (event.type === 'arrive') arrivedIn.set(event.request, event.generation);
  const ofStarved = (request: string): boolean => {
    const sent = ledger.sent.get(request);
    return sent !== undefined && starved.has(generationKey(sent.sequenceKey, arrivedIn.get(sent.request)));
  };
  return (v) => {
    if (v.oracle === 'response') {
      const request = /^request (.+) never got a response$/.exec(v.message)?.[1];
      return request !== undefined && ofStarved(request);
    }
    if (v.oracle === 'liveness') {
      const waiting = /^sequence (.+) waited in the backlog and never got a slot nor an answer$/.exec(v.message)?.[1];
      if (waiting !== undefined) return starved.has(waiting);
      // A run that could only spin: every request it lists as unanswered is a starved one.
      const spun = /^(run stalled|run did not finish within its event budget)[^;]*; (\d+) request\(s\) unanswered(?:: (.*))?$/.exec(v.message);
      if (spun === null) return false;
      const listed = (spun[3] ?? '').replace(/, \u2026$/, '');
      return spun[2] === '0' || (listed !== '' && listed.split(', ').every(ofStarved));
    }
    return neverDestroyed(v);
  };
}

/** A retired model stays alive while a starved request references it (update spec rule 6). */
function neverDestroyed(v: Violation): boolean {
  return v.oracle === 'lifecycle' && /^generation \d+ was retired but never destroyed/.test(v.message);
}
