import type { ChoicePoint, Chooser } from '../kernel/event-queue.ts';

/**
 * Follows a recorded schedule (one option index per choice point), then takes the first option at
 * every later point. Records each point's number of options, which is what a systematic search
 * needs to enumerate the alternatives.
 */
export class ScriptedChooser implements Chooser {
  /** Options at each choice point met so far, and what was picked. */
  readonly domains: number[] = [];
  readonly picked: number[] = [];
  /** Set when the schedule named an option a point does not have (a stale reproducer). */
  divergedAt: number | undefined;

  constructor(private readonly schedule: readonly number[]) {}

  choose(point: ChoicePoint): number {
    const i = this.domains.length;
    let pick = this.schedule[i] ?? 0;
    if (pick >= point.count) {
      this.divergedAt ??= i;
      pick = 0;
    }
    this.domains.push(point.count);
    this.picked.push(pick);
    return pick;
  }
}
