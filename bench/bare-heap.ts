/**
 * The limit for a JavaScript discrete-event simulator: a bare binary heap of (time, id, closure)
 * popping `events` tasks, each of which schedules one successor at a random later time. Written as
 * tight as such a heap goes (parallel typed arrays, sift by moving a hole, no allocation per event)
 * so that "the checked run at 1/8 of the bare loop" (issue 19) compares with the real limit, not
 * with a slow heap.
 */
export function runBareHeapLoop(events: number, pendingTasks: number): number {
  const capacity = pendingTasks + 1;
  const times = new Float64Array(capacity);
  const ids = new Float64Array(capacity);
  const tasks: (() => void)[] = new Array(capacity).fill(noop);
  let size = 0;
  let nextId = 0;
  let now = 0;
  let state = 12345;
  let sink = 0;
  const random = (): number => {
    state = (state * 1103515245 + 12345) & 0x7fffffff;
    return state / 0x80000000;
  };
  const push = (at: number, task: () => void): void => {
    const id = nextId++;
    let i = size++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const pt = times[parent]!;
      if (pt < at || (pt === at && ids[parent]! < id)) break;
      times[i] = pt;
      ids[i] = ids[parent]!;
      tasks[i] = tasks[parent]!;
      i = parent;
    }
    times[i] = at;
    ids[i] = id;
    tasks[i] = task;
  };
  const pop = (): (() => void) => {
    const task = tasks[0]!;
    now = times[0]!;
    size--;
    const at = times[size]!;
    const id = ids[size]!;
    const last = tasks[size]!;
    let i = 0;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= size) break;
      const right = child + 1;
      if (right < size && (times[right]! < times[child]! || (times[right] === times[child] && ids[right]! < ids[child]!))) child = right;
      const ct = times[child]!;
      if (at < ct || (at === ct && id < ids[child]!)) break;
      times[i] = ct;
      ids[i] = ids[child]!;
      tasks[i] = tasks[child]!;
      i = child;
    }
    times[i] = at;
    ids[i] = id;
    tasks[i] = last;
    return task;
  };
  const step = (): void => {
    sink++;
    push(now + 1 + Math.floor(random() * 1000), step);
  };
  for (let i = 0; i < pendingTasks; i++) push(Math.floor(random() * 1000), step);
  for (let i = 0; i < events; i++) pop()();
  return sink;
}

function noop(): void {}
