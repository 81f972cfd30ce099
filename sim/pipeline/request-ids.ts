// Request ids, "<sequence id>:<step>", named the same way in simulated, live and served runs.
import { scenarioIdText, type ScenarioId } from '../../src/core/ids.ts';
import type { Scenario } from '../../src/scenario/types.ts';

/**
 * Hands out request-id prefixes: a sequence id's first sequence is named by its text, later ones
 * (id reuse after END, or uint64 5 next to string "5") get "<id>#<n>" so request ids stay unique.
 */
export class RequestNamer {
  // Keyed by text, not by id: uint64 5 and string "5" are different sequences but print alike.
  private readonly uses = new Map<string, number>();

  /** The prefix of the next sequence with id `id`. */
  next(id: ScenarioId): string {
    const text = scenarioIdText(id);
    const count = this.uses.get(text) ?? 0;
    this.uses.set(text, count + 1);
    return count === 0 ? text : `${text}#${count}`;
  }
}

/** The request-id prefix of each of a scenario's sequences, in order. */
export function requestPrefixes(scenario: Scenario): string[] {
  const namer = new RequestNamer();
  return scenario.sequences.map((sequence) => namer.next(sequence.id));
}
