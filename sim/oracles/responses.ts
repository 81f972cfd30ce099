import type { TraceEvent } from '../../src/core/events.ts';
import type { Ledger } from './ledger.ts';
import { CLIENT_TIMEOUT_PREFIX } from '../clients.ts';
import { ViolationSink, type Violation } from './types.ts';

/**
 * Every request gets exactly one response — output or a Triton-shaped error — and a synchronous
 * rejection reaches the client as an error with the same code (design §3 oracle 5).
 */
export function checkResponses(events: readonly TraceEvent[], ledger: Ledger, quiescent: boolean): Violation[] {
  const sink = new ViolationSink('response');
  const answered = new Map<string, number>();
  const rejected = new Map<string, { index: number; code: string }>();
  events.forEach((event, index) => {
    if (event.type === 'reject') rejected.set(event.request, { index, code: event.code });
    if (event.type !== 'response') return;
    if (!ledger.sent.has(event.request)) {
      sink.add(`response for ${event.request}, which no client sent`, [index]);
      return;
    }
    const previous = answered.get(event.request);
    if (previous !== undefined) sink.add(`request ${event.request} answered twice`, [previous, index]);
    answered.set(event.request, index);
    const rejection = rejected.get(event.request);
    if (rejection !== undefined) {
      const code = 'error' in event ? event.error.code : undefined;
      // A dropped or delayed rejection reaches the client as its own timeout instead.
      const timedOut = 'error' in event && event.error.message.startsWith(CLIENT_TIMEOUT_PREFIX);
      if (code !== rejection.code && !timedOut)
        sink.add(`request ${event.request} was rejected with ${rejection.code} but the client got ${code ?? 'an output'}`, [rejection.index, index]);
    }
  });
  if (quiescent) {
    for (const sent of ledger.sent.values()) {
      if (!answered.has(sent.request)) sink.add(`request ${sent.request} never got a response`, [sent.index]);
    }
  }
  return sink.done();
}
