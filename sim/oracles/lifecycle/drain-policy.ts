import { percentile } from '../../../src/core/percentile.ts';
import type { BoundArrival } from './sequence-binding.ts';
import type { ViolationSink } from '../types.ts';

/**
 * The drain load policy (sim/drain.ts): while a drain holds new STARTs none may reach the drained
 * model, and a drain that finished without its timeout must leave nothing open to cut at the
 * switch. Also counts what the policy cost: held STARTs, their hold times, drain timeouts.
 */
export class DrainPolicy {
  private draining: number | undefined;
  /** The drain that finished without timeout, until its load took effect: it must cut nothing. */
  private cleanDrain: { generation: number; index: number } | undefined;
  private heldStarts = 0;
  private readonly holdUs: number[] = [];
  private drainTimeouts = 0;

  constructor(private readonly sink: ViolationSink) {}

  onArrive(arrival: BoundArrival, index: number): void {
    if (this.draining === arrival.generation && arrival.sent.start)
      this.sink.add(`START ${arrival.request} reached generation ${arrival.generation} while the drain policy holds new STARTs`, [index]);
  }

  /** A sequence was cut off by the switch away from `generation`. */
  onCut(generation: number, sequence: string, index: number): void {
    if (this.cleanDrain !== undefined && this.cleanDrain.generation === generation) {
      this.sink.add(`the drain policy finished without its timeout, yet sequence ${sequence} was still open on generation ${generation} at the switch`, [
        this.cleanDrain.index,
        index,
      ]);
    }
  }

  /** A load took effect (swap, update, noop) or failed: a finished drain has nothing more to answer for. */
  onLoadSettled(): void {
    this.cleanDrain = undefined;
  }

  onDrainStart(generation: number): void {
    this.draining = generation;
  }

  onDrained(generation: number, index: number): void {
    this.cleanDrain = { generation, index };
    this.draining = undefined;
  }

  onDrainTimeout(): void {
    this.drainTimeouts++;
    this.draining = undefined;
  }

  /** A held request went on to the server: a START's hold time counts. */
  onStartReleased(start: boolean, heldUs: number | undefined): void {
    if (start) {
      this.heldStarts++;
      if (heldUs !== undefined) this.holdUs.push(heldUs);
    }
    this.cleanDrain = undefined;
  }

  report(): { heldStarts: number; holdUs: { p50: number; p99: number; max: number }; drainTimeouts: number } {
    const sorted = [...this.holdUs].sort((a, b) => a - b);
    return {
      heldStarts: this.heldStarts,
      holdUs: { p50: percentile(sorted, 0.5), p99: percentile(sorted, 0.99), max: sorted[sorted.length - 1] ?? 0 },
      drainTimeouts: this.drainTimeouts,
    };
  }
}
