/**
 * The limit for a JavaScript discrete-event simulator: a bare binary heap of (time, id, closure)
 * popping `events` tasks, each of which schedules one successor at a random later time.
 */
export function runBareHeapLoop(events: number, pendingTasks: number): number {
  const times: number[] = [];
  const ids: number[] = [];
  const tasks: (() => void)[] = [];
  let nextId = 0;
  let now = 0;
  let state = 12345;
  let sink = 0;
  const random = (): number => {
    state = (state * 1103515245 + 12345) & 0x7fffffff;
    return state / 0x80000000;
  };
  const less = (a: number, b: number): boolean => times[a]! < times[b]! || (times[a] === times[b] && ids[a]! < ids[b]!);
  const swap = (a: number, b: number): void => {
    [times[a], times[b]] = [times[b]!, times[a]!];
    [ids[a], ids[b]] = [ids[b]!, ids[a]!];
    [tasks[a], tasks[b]] = [tasks[b]!, tasks[a]!];
  };
  const push = (at: number, task: () => void): void => {
    times.push(at);
    ids.push(nextId++);
    tasks.push(task);
    let i = times.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!less(i, parent)) break;
      swap(i, parent);
      i = parent;
    }
  };
  const pop = (): (() => void) | undefined => {
    if (times.length === 0) return undefined;
    swap(0, times.length - 1);
    now = times.pop()!;
    ids.pop();
    const task = tasks.pop()!;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= times.length) break;
      const right = left + 1;
      const child = right < times.length && less(right, left) ? right : left;
      if (!less(child, i)) break;
      swap(i, child);
      i = child;
    }
    return task;
  };
  const step = (): void => {
    sink++;
    push(now + 1 + Math.floor(random() * 1000), step);
  };
  for (let i = 0; i < pendingTasks; i++) push(Math.floor(random() * 1000), step);
  for (let i = 0; i < events; i++) pop()!();
  return sink;
}
