import type { TraceEvent } from '../../src/core/events.ts';
import type { Ledger, SentBook } from './ledger.ts';
import { Int32Column } from './books/columns.ts';
import { CLIENT_TIMEOUT_PREFIX } from '../clients.ts';
import { ViolationSink, type Violation } from './types.ts';

/**
 * Every request gets exactly one response — output or a Triton-shaped error — and a synchronous
 * rejection reaches the client as an error with the same code (design §3 oracle 5).
 */
export class ResponsesOracle {
  private readonly sink = new ViolationSink('response');
  /** Per request number, the trace index of its latest response; -1: none. */
  private readonly answeredAt = new Int32Column();
  /** By request number: rejections are few, a Map keeps them. */
  private readonly rejected = new Map<number, { index: number; code: string }>();

  constructor(private readonly sent: SentBook) {}

  /** Whether the request numbered `number` got a response. */
  answered(number: number): boolean {
    return this.answeredAt.get(number) >= 0;
  }

  observe(event: TraceEvent, index: number): void {
    if (event.type === 'reject') this.rejected.set(this.sent.ids.intern(event.request), { index, code: event.code });
    if (event.type !== 'response') return;
    const sink = this.sink;
    const number = this.sent.numberOf(event.request);
    if (number < 0) {
      sink.add(`response for ${event.request}, which no client sent`, [index]);
      return;
    }
    const previous = this.answeredAt.get(number);
    if (previous >= 0) sink.add(`request ${event.request} answered twice`, [previous, index]);
    this.answeredAt.set(number, index);
    const rejection = this.rejected.get(number);
    if (rejection !== undefined) {
      const code = 'error' in event ? event.error.code : undefined;
      // A dropped or delayed rejection reaches the client as its own timeout instead.
      const timedOut = 'error' in event && event.error.message.startsWith(CLIENT_TIMEOUT_PREFIX);
      if (code !== rejection.code && !timedOut)
        sink.add(`request ${event.request} was rejected with ${rejection.code} but the client got ${code ?? 'an output'}`, [rejection.index, index]);
    }
  }

  finish(quiescent: boolean): Violation[] {
    if (quiescent) {
      const sent = this.sent;
      for (let i = 0; i < sent.size; i++) {
        const number = sent.sentAt(i);
        if (this.answered(number)) continue;
        const request = sent.at(number)!;
        this.sink.add(`request ${request.request} never got a response`, [request.index]);
      }
    }
    return this.sink.done();
  }
}

/** ResponsesOracle over a whole trace. */
export function checkResponses(events: readonly TraceEvent[], ledger: Ledger, quiescent: boolean): Violation[] {
  const oracle = new ResponsesOracle(ledger.sent);
  for (let index = 0; index < events.length; index++) oracle.observe(events[index]!, index);
  return oracle.finish(quiescent);
}
