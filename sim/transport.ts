import type { Latency } from '../src/scenario/types.ts';
import type { SimLoop } from './kernel/event-queue.ts';
import type { RandomStream } from './kernel/random.ts';
import { drawLatencyUs } from './latency.ts';

/**
 * One client connection. A stream connection (gRPC-stream-like) delivers in send order: a later
 * message never overtakes an earlier one, even with jitter. Separate sync requests (HTTP-like)
 * each travel on their own and may be reordered by jitter.
 */
export class Connection {
  private lastUpUs = 0;
  private lastDownUs = 0;

  constructor(
    private readonly loop: SimLoop,
    private readonly latency: Latency,
    private readonly stream: RandomStream,
    private readonly name: string,
    readonly ordered: boolean,
  ) {}

  /** Client → server. */
  sendUp(label: () => string, deliver: () => void): void {
    const atUs = this.deliveryTime(this.lastUpUs);
    if (this.ordered) this.lastUpUs = atUs;
    this.loop.schedule(atUs, { label, channel: this.ordered ? `up:${this.name}` : undefined }, deliver);
  }

  /** Server → client. */
  sendDown(label: () => string, deliver: () => void): void {
    const atUs = this.deliveryTime(this.lastDownUs);
    if (this.ordered) this.lastDownUs = atUs;
    this.loop.schedule(atUs, { label, channel: this.ordered ? `down:${this.name}` : undefined }, deliver);
  }

  private deliveryTime(lastUs: number): number {
    const atUs = this.loop.nowUs() + drawLatencyUs(this.latency, this.stream);
    return this.ordered ? Math.max(atUs, lastUs) : atUs;
  }
}
