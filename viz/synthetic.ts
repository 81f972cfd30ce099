import type { TraceEvent, TraceRow } from '../src/core/events.ts';

/**
 * A synthetic Direct-strategy trace of any size, built in the trace format (for benchmarks and the
 * large-trace tests): `arrivalsPerBatch` sequences of `stepsPerSequence` requests arrive per batch
 * period; each takes a free slot or waits in the backlog; every `latencyUs` each instance completes
 * its batch and starts the next, with a row for each slot up to its highest occupied one (padding
 * where the holder has nothing ready). Pure: the same options give the same events.
 */
export interface SyntheticOptions {
  readonly requests: number;
  readonly instances?: number;
  readonly slotsPerInstance?: number;
  readonly stepsPerSequence?: number;
  readonly latencyUs?: number;
  readonly arrivalsPerBatch?: number;
}

interface Holder {
  readonly sequence: number;
  nextStep: number;
  readyAtUs: number;
}

class SyntheticRun {
  readonly events: TraceEvent[] = [];
  private readonly holders: (Holder | undefined)[][];
  private readonly backlog: number[] = [];
  private readonly lastBatch: (number | undefined)[];
  private pendingResponses: TraceEvent[] = [];
  private batch = 0;

  constructor(
    instances: number,
    slots: number,
    private readonly steps: number,
    private readonly latencyUs: number,
  ) {
    this.holders = Array.from({ length: instances }, () => Array.from({ length: slots }, () => undefined));
    this.lastBatch = Array.from({ length: instances }, () => undefined);
  }

  busy(): boolean {
    return this.backlog.length > 0 || this.pendingResponses.length > 0 || this.holders.some((slots) => slots.some((h) => h !== undefined));
  }

  arrive(t: number, sequence: number): void {
    const request = `${sequence}:0`;
    this.events.push({ t, type: 'send', request, sequence, step: 0, start: true, end: this.steps === 1, value: 1 });
    this.events.push({ t, type: 'arrive', request });
    const free = this.findFree();
    if (free === undefined) {
      this.backlog.push(sequence);
      this.events.push({ t, type: 'backlog', sequence });
      return;
    }
    this.holders[free.instance]![free.slot] = { sequence, nextStep: 0, readyAtUs: t };
    this.events.push({ t, type: 'assign', sequence, instance: free.instance, slot: free.slot });
  }

  private findFree(): { instance: number; slot: number } | undefined {
    for (let slot = 0; slot < (this.holders[0]?.length ?? 0); slot++) {
      for (let instance = 0; instance < this.holders.length; instance++) if (this.holders[instance]![slot] === undefined) return { instance, slot };
    }
    return undefined;
  }

  tick(t: number): void {
    this.lastBatch.forEach((batch, instance) => {
      if (batch !== undefined) this.events.push({ t, type: 'complete', instance, batch, ok: true });
      this.lastBatch[instance] = undefined;
    });
    this.events.push(...this.pendingResponses.map((response) => ({ ...response, t })));
    this.pendingResponses = [];
    for (const [instance, slots] of this.holders.entries()) this.runBatch(t, instance, slots);
  }

  private runBatch(t: number, instance: number, slots: (Holder | undefined)[]): void {
    const highest = slots.reduce((max, h, slot) => (h === undefined ? max : slot), -1);
    if (highest < 0) return;
    const rows: TraceRow[] = [];
    for (let slot = 0; slot <= highest; slot++) {
      const holder = slots[slot];
      if (holder === undefined || holder.readyAtUs > t) {
        rows.push({ slot, request: null, sequence: null, start: false, end: false, ready: false, corrid: 0 });
        continue;
      }
      const step = holder.nextStep++;
      const end = step === this.steps - 1;
      const request = `${holder.sequence}:${step}`;
      if (step > 0) {
        this.events.push({ t, type: 'send', request, sequence: holder.sequence, step, start: false, end, value: step + 1 });
        this.events.push({ t, type: 'arrive', request });
      }
      rows.push({ slot, request, sequence: holder.sequence, start: step === 0, end, ready: true, corrid: holder.sequence });
      this.pendingResponses.push({ t, type: 'response', request, sequence: holder.sequence, step, output: ((step + 1) * (step + 2)) / 2 });
      if (end) this.release(t, instance, slot, holder.sequence, slots);
    }
    const batch = this.batch++;
    this.events.push({ t, type: 'execute', instance, batch, rows });
    this.lastBatch[instance] = batch;
  }

  private release(t: number, instance: number, slot: number, sequence: number, slots: (Holder | undefined)[]): void {
    this.events.push({ t, type: 'release', sequence, instance, slot, reason: 'end' });
    const waiting = this.backlog.shift();
    slots[slot] = waiting === undefined ? undefined : { sequence: waiting, nextStep: 0, readyAtUs: t + this.latencyUs };
    if (waiting !== undefined) this.events.push({ t, type: 'assign', sequence: waiting, instance, slot });
  }
}

export function synthesizeTrace(options: SyntheticOptions): TraceEvent[] {
  const steps = Math.max(1, options.stepsPerSequence ?? 4);
  const latencyUs = Math.max(8, options.latencyUs ?? 1000);
  const perBatch = Math.max(1, options.arrivalsPerBatch ?? 10);
  const sequenceCount = Math.ceil(options.requests / steps);
  const run = new SyntheticRun(options.instances ?? 4, options.slotsPerInstance ?? 8, steps, latencyUs);
  const gapUs = Math.floor(latencyUs / perBatch);
  let next = 0;
  // Bounded: every sequence arrives within sequenceCount / perBatch periods and ends `steps` periods after it gets a slot.
  const maxPeriods = sequenceCount + steps * (sequenceCount + 2) + 2;
  for (let period = 0; period < maxPeriods && (next < sequenceCount || run.busy()); period++) {
    const t = period * latencyUs;
    if (period > 0) run.tick(t);
    for (let k = 0; k < perBatch && next < sequenceCount; k++) run.arrive(t + k * gapUs + 1, next++);
  }
  return run.events;
}
