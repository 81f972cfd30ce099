import { describe, expect, it } from 'vitest';
import { RealLoop } from '../../live/real-loop.ts';

describe('the real-time loop', () => {
  it('never runs a task before its time, and runs tasks in time order', async () => {
    const loop = new RealLoop();
    const ran: { name: string; dueUs: number; atUs: number }[] = [];
    for (const [name, delayUs] of [
      ['c', 6000],
      ['a', 1500],
      ['b', 3000],
      ['now', 0],
    ] as const) {
      const dueUs = loop.nowUs() + delayUs;
      loop.schedule(dueUs, { label: name }, () => ran.push({ name, dueUs, atUs: loop.nowUs() }));
    }
    expect(await loop.whenIdle(5000)).toBe('quiescent');
    expect(ran.map((r) => r.name)).toEqual(['now', 'a', 'b', 'c']);
    for (const task of ran) expect(task.atUs).toBeGreaterThanOrEqual(task.dueUs);
  });

  it('runs what a task schedules for "now" at the same instant, so the trace shows one timestamp', async () => {
    const loop = new RealLoop();
    const times: number[] = [];
    loop.schedule(loop.nowUs() + 2000, { label: 'first' }, () => {
      times.push(loop.nowUs());
      // Burn real time inside the task: the instant must not move.
      const until = performance.now() + 2;
      while (performance.now() < until) {
        /* spin */
      }
      times.push(loop.nowUs());
      loop.schedule(loop.nowUs(), { label: 'follow-up' }, () => times.push(loop.nowUs()));
    });
    await loop.whenIdle(5000);
    expect(times).toHaveLength(3);
    expect(new Set(times).size).toBe(1);
  });

  it('cancelled tasks never run, and held async work keeps the loop busy until released', async () => {
    const loop = new RealLoop();
    let ran = false;
    const handle = loop.schedule(loop.nowUs() + 1000, { label: 'x' }, () => (ran = true));
    loop.cancel(handle);
    const release = loop.hold();
    let idle = false;
    const waiting = loop.whenIdle(5000).then((outcome) => {
      idle = true;
      return outcome;
    });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(idle).toBe(false);
    release();
    expect(await waiting).toBe('quiescent');
    expect(ran).toBe(false);
  });

  it('reports a timeout when work is still pending at the limit, and a task error as failed', async () => {
    const loop = new RealLoop();
    loop.schedule(loop.nowUs() + 10_000_000, { label: 'far' }, () => undefined);
    expect(await loop.whenIdle(30)).toBe('timeout');
    loop.shutdown();
    expect(loop.pendingTasks).toBe(0);

    const failing = new RealLoop();
    failing.schedule(failing.nowUs(), { label: 'boom' }, () => {
      throw new Error('boom');
    });
    expect(await failing.whenIdle(1000)).toBe('failed');
    expect((failing.error as Error).message).toBe('boom');
  });

  it('a task that cancels the last timer and then schedules more does not end the run mid-instant', async () => {
    // A drain that completes at once cancels its timeout, then schedules the reload's swap.
    const loop = new RealLoop();
    const timeout = loop.schedule(loop.nowUs() + 10_000_000, { label: 'drain-timeout' }, () => undefined);
    let swapped = false;
    loop.post(() => {
      loop.cancel(timeout);
      loop.schedule(loop.nowUs() + 2000, { label: 'swap' }, () => (swapped = true));
    });
    expect(await loop.whenIdle(3000)).toBe('quiescent');
    expect(swapped).toBe(true);
    loop.shutdown();
  });

  it('ends early once the world says only housekeeping timers are left', async () => {
    const loop = new RealLoop();
    loop.schedule(loop.nowUs() + 10_000_000, { label: 'reaper' }, () => undefined);
    let done = false;
    loop.finishWhen(() => done);
    loop.schedule(loop.nowUs() + 1000, { label: 'work' }, () => (done = true));
    expect(await loop.whenIdle(3000)).toBe('quiescent');
    loop.shutdown();
  });
});
