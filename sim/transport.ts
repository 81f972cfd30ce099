import type { Latency } from '../src/scenario/types.ts';
import type { Clock, Timers } from '../src/core/ports.ts';
import type { RandomStream } from './kernel/random.ts';
import { drawLatencyUs, fixedLatencyUs } from './latency.ts';
import type { FaultInjector, FaultTarget } from './faults.ts';
import type { InferRequest } from '../src/core/request.ts';

function targetOf(request: InferRequest): FaultTarget {
  return { request: request.id, sequence: request.sequence, step: request.step };
}

/**
 * One client connection. A stream connection (gRPC-stream-like) delivers in send order: a later
 * message never overtakes an earlier one, even with jitter. Separate sync requests (HTTP-like)
 * each travel on their own and may be reordered by jitter.
 */
export class Connection {
  private lastUpUs = 0;
  private lastDownUs = 0;
  /** The one-way latency when it is fixed: then nothing is drawn (or named) per message. */
  private readonly fixedLatencyUs: number | undefined;

  constructor(
    private readonly loop: Clock & Timers,
    private readonly latency: Latency,
    private readonly stream: RandomStream,
    private readonly name: string,
    readonly ordered: boolean,
    private readonly faults: FaultInjector | undefined,
  ) {
    this.fixedLatencyUs = fixedLatencyUs(latency);
  }

  /**
   * Client → server; a request (`about`) may be dropped or delayed by the fault plan. `captures`
   * is what `deliver` acts on, for model-checking state digests.
   */
  sendUp(label: () => string, deliver: () => void, about?: InferRequest, captures: unknown = about): void {
    if (about !== undefined && this.faults?.dropRequest(targetOf(about))) return;
    const atUs = this.deliveryTime(this.lastUpUs, about, 'up', label);
    if (this.ordered) this.lastUpUs = atUs;
    this.loop.schedule(atUs, { label, channel: this.ordered ? `up:${this.name}` : undefined, about: captures }, deliver);
  }

  /** Server → client; the response for `about` may be dropped or delayed by the fault plan. */
  sendDown(label: () => string, deliver: () => void, about?: InferRequest, captures: unknown = about): void {
    if (about !== undefined && this.faults?.dropResponse(targetOf(about))) return;
    const atUs = this.deliveryTime(this.lastDownUs, about, 'down', label);
    if (this.ordered) this.lastDownUs = atUs;
    this.loop.schedule(atUs, { label, channel: this.ordered ? `down:${this.name}` : undefined, about: captures }, deliver);
  }

  /** A drawn latency is named by the request ("latency:up:7:2"), else by the task ("latency:up:cancel-arrive:7:2"). */
  private deliveryTime(lastUs: number, about: InferRequest | undefined, direction: 'up' | 'down', label: () => string): number {
    const extraUs = about !== undefined && this.faults !== undefined ? this.faults.extraDelayUs(targetOf(about)) : 0;
    const latencyUs = this.fixedLatencyUs ?? drawLatencyUs(this.latency, this.stream, () => `latency:${direction}:${about?.id ?? label()}`);
    const atUs = this.loop.nowUs() + latencyUs + extraUs;
    return this.ordered ? Math.max(atUs, lastUs) : atUs;
  }
}
