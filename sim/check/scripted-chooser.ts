import type { ChoicePoint, Chooser } from '../kernel/event-queue.ts';

/** A recorded decision that no longer matches the run (a stale reproducer after a code change). */
export interface ScheduleDivergence {
  /** 0-based index of the choice point. */
  readonly point: number;
  /** What the schedule asked for: an option index, or a task or draw label. */
  readonly wanted: number | string;
  /** The labels of the options the run offered there. */
  readonly options: readonly string[];
}

/**
 * Follows a schedule — one entry per choice point, either an option index or (in reproducers) the
 * label of the option to take: a task to run, e.g. "reaper" or "arrive:7:2", or with chosen draws
 * a draw's outcome, e.g. "fault:request_drop:7:2=fire" — then takes the first option at every
 * later point (for a draw: skip, min). Labels keep a reproducer meaningful after a refactor; when a
 * label is no longer among the options, the first divergence is kept so `replay` can say which
 * decision stopped applying.
 */
export class ScriptedChooser implements Chooser {
  /** Options at each choice point met so far, what was picked, and the picked task's label. */
  readonly domains: number[] = [];
  readonly picked: number[] = [];
  divergence: ScheduleDivergence | undefined;

  constructor(private readonly schedule: readonly (number | string)[]) {}

  choose(point: ChoicePoint): number {
    const i = this.domains.length;
    const wanted = this.schedule[i];
    let pick = 0;
    if (typeof wanted === 'number') pick = wanted < point.count ? wanted : this.diverge(i, wanted, point);
    else if (typeof wanted === 'string') {
      pick = -1;
      for (let k = 0; k < point.count && pick < 0; k++) if (point.label(k) === wanted) pick = k;
      if (pick < 0) pick = this.diverge(i, wanted, point);
    }
    this.domains.push(point.count);
    this.picked.push(pick);
    return pick;
  }

  private diverge(point: number, wanted: number | string, options: ChoicePoint): number {
    this.divergence ??= { point, wanted, options: Array.from({ length: options.count }, (_, k) => options.label(k)) };
    return 0;
  }
}

/** The labels of a run's picks up to its last non-default one: a reproducer's named schedule. */
export function namedSchedule(picked: readonly number[], labelsAt: (point: number, option: number) => string): string[] {
  let last = -1;
  for (let i = 0; i < picked.length; i++) if (picked[i] !== 0) last = i;
  return picked.slice(0, last + 1).map((option, point) => labelsAt(point, option));
}
