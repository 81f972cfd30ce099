/** How many explored (depth, sleep set) entries one state keeps; more are rare and only cost pruning. */
const MAX_ENTRIES_PER_STATE = 8;

/**
 * States whose subtrees were fully explored, with the depth left and the sleep set they were
 * explored under. A revisit is covered when some entry had at least as much depth left and a sleep
 * set inside the revisit's: every option the revisit would take was taken there, as deeply
 * (Godefroid's condition for combining sleep sets with state caching).
 */
export class StateTable {
  private readonly explored = new Map<string, { remaining: number; sleep: ReadonlySet<string> }[]>();

  covers(digest: string, remaining: number, sleep: ReadonlySet<string>): boolean {
    const entries = this.explored.get(digest);
    if (entries === undefined) return false;
    return entries.some((entry) => entry.remaining >= remaining && [...entry.sleep].every((label) => sleep.has(label)));
  }

  add(digest: string, remaining: number, sleep: ReadonlySet<string>): void {
    const entries = this.explored.get(digest) ?? [];
    if (entries.length >= MAX_ENTRIES_PER_STATE) return;
    entries.push({ remaining, sleep });
    this.explored.set(digest, entries);
  }
}
