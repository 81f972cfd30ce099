import type { ModelConfig } from '../../../src/config/types.ts';
import type { ClientFailure, TraceEvent } from '../../../src/core/events.ts';
import { correlationIdFromScenario, correlationKey, type ScenarioId } from '../../../src/core/ids.ts';
import { ViolationSink, type Violation } from '../types.ts';
import {
  allowedAnswers,
  describeOutcome,
  hypothesisKey,
  INACTIVE,
  rejectionOf,
  sameError,
  type Allowed,
  type Hypothesis,
  type Outcome,
  type SentRequest,
} from './expectations.ts';

/**
 * Triton's reaper re-checks at most this often while sequences wait in the backlog (spec §6): a
 * sequence that got its slot late is reaped within this long of getting it.
 */
const REAPER_POLL_US = 50_000;
/** More hypotheses than this for one id and the oracle stops judging its outputs (counted, not passed silently). */
const MAX_HYPOTHESES = 16;
/** Sequences whose total wait is kept (bounded waiting); older ones are dropped first. */
const MAX_WAIT_TOTALS = 100_000;
/** STARTs remembered for the first-come-first-served check. */
const MAX_RECENT_STARTS = 256;

export interface ClientOracleOptions {
  readonly model: ModelConfig;
  /** The served model's name: Triton's messages carry it. */
  readonly modelName: string;
  /** Every request must be answered within this long; no sequence may wait longer in total. */
  readonly deadlineUs: number;
  /**
   * How far real timing may be off: a sequence is taken as surely reaped when its previous request
   * went more than idle timeout + slack ago (a late reaper), as surely alive when less than idle
   * timeout − slack/5 ago (a request's way to the server); in between either answer is accepted.
   */
  readonly slackUs: number;
  /** Requests of one sequence in flight keep their order on its channel (a gRPC stream), not over HTTP. */
  readonly ordered: boolean;
  /** The backlog timeout of a request whose send line does not carry it (simulated traces). */
  readonly timeoutOf?: (request: string) => number;
}

/** What the client-side oracles found, and what they could not judge. */
export interface ClientVerdict {
  readonly violations: Violation[];
  readonly requests: number;
  readonly outputs: number;
  readonly errors: number;
  /** Responses whose value could not be predicted (overlapping requests of one id, too much doubt). */
  readonly unjudged: number;
  /** Requests with a client-side outcome instead of a response (aborted, timed out, dropped…). */
  readonly clientOutcomes: Readonly<Partial<Record<ClientFailure, number>>>;
}

interface LaneWait {
  /** Wait of the busy spans already closed. */
  us: number;
  line: number;
  reported: boolean;
  /** Requests of the lane unanswered now, and since when one has been. */
  open: number;
  busySinceUs: number;
}

interface RequestRecord {
  readonly id: string;
  readonly sequence: ScenarioId;
  readonly step: number;
  /** Request id up to the step: one scenario sequence (its retries included). */
  readonly lane: string;
  readonly book: IdBook;
  readonly sent: SentRequest;
  readonly sendUs: number;
  readonly line: number;
  /** Another request of the same id was in flight on another channel: the order is unknown. */
  overlapped: boolean;
  /** An emulated transport delay (fault plan) held it on the way. */
  delayed: boolean;
}

/** What the oracle knows about one id (as the server sees it: uint64 5 and string "5" differ). */
interface IdBook {
  hypotheses: Hypothesis[] | 'unknown';
  inFlight: Set<RequestRecord>;
  /** Send time of the latest request the server may have accepted (its idle clock restarts on arrival). */
  lastAcceptedSendUs: number | undefined;
  /** When the latest answer for this id arrived, if it was an output (the sequence then held a slot). */
  lastOutputUs: number | undefined;
  /** The current sequence of this id sent a request with a backlog timeout / was cancelled. */
  backlogTimeout: boolean;
  cancelSent: boolean;
  /** The current sequence has had an output: it is past the backlog. */
  admitted: boolean;
}

/**
 * The oracles a client can run (design §3, from outside): outputs equal the reference model's
 * (misrouting, reordering, a missed reset or state leaking between sequences all show as wrong
 * values), Triton's errors for what was sent, exactly one answer per request within the deadline,
 * and bounded waiting per sequence. Fed one event at a time as the client records them, so a long
 * run keeps only the ids' books and the requests in flight. Line numbers are trace line indices.
 */
export class ClientOracle {
  private readonly books = new Map<string, IdBook>();
  private readonly inFlight = new Map<string, RequestRecord>();
  private readonly done = new Set<string>();
  /** The latest answered STARTs (bounded), for the first-come-first-served check. */
  private readonly recentStarts: { readonly sequence: ScenarioId; readonly sendUs: number; readonly answerUs: number; readonly line: number }[] = [];
  /**
   * Per sequence (lane): the time it spent waiting for answers, as the union of its requests' waits
   * (requests pipelined on a stream wait at once: their waits overlap and count once).
   */
  private readonly waitedUs = new Map<string, LaneWait>();
  private readonly outputsSink = new ViolationSink('outputs');
  private readonly errorsSink = new ViolationSink('errors');
  private readonly responseSink = new ViolationSink('response');
  private readonly livenessSink = new ViolationSink('liveness');
  private requests = 0;
  private outputs = 0;
  private errors = 0;
  private unjudged = 0;
  private readonly clientOutcomes: Partial<Record<ClientFailure, number>> = {};

  constructor(private readonly options: ClientOracleOptions) {}

  /** Feeds one trace event at trace line `line` (header = 0). Events other than the client's are ignored. */
  observe(event: TraceEvent, line: number): void {
    switch (event.type) {
      case 'send':
        this.onSend(event, line);
        break;
      case 'cancel': {
        const record = this.inFlight.get(event.request);
        if (record !== undefined) record.book.cancelSent = true;
        break;
      }
      case 'response':
        if ('error' in event && event.error.message.startsWith(SIMULATED_CLIENT_TIMEOUT)) this.onClientOutcome(event.request, 'timeout', event.t, line);
        else this.onResponse(event.request, 'output' in event ? { kind: 'output', value: event.output } : { kind: 'error', ...event.error }, event.t, line);
        break;
      case 'error':
        this.onClientOutcome(event.request, event.reason, event.t, line);
        break;
      case 'fault': {
        // An emulated network delay moves the client's clock away from the server's: no order judged on it.
        const record = event.kind === 'transport_delay' && typeof event['request'] === 'string' ? this.inFlight.get(event['request']) : undefined;
        if (record !== undefined) record.delayed = true;
        break;
      }
      default:
        break;
    }
  }

  /** Requests still unanswered at the end are lost; then the verdict. */
  finish(): ClientVerdict {
    for (const record of this.inFlight.values()) {
      this.responseSink.add(`request ${record.id} (sequence ${JSON.stringify(record.sequence)} step ${record.step}) never got an answer`, [record.line - 1]);
    }
    return {
      violations: [...this.outputsSink.done(), ...this.errorsSink.done(), ...this.responseSink.done(), ...this.livenessSink.done()],
      requests: this.requests,
      outputs: this.outputs,
      errors: this.errors,
      unjudged: this.unjudged,
      clientOutcomes: { ...this.clientOutcomes },
    };
  }

  /** Whether some id may still hold a slot, and since when it was last sent to (the leak probe waits for its idle timeout). */
  latestPossiblyActiveSendUs(): number | undefined {
    let latest: number | undefined;
    for (const book of this.books.values()) {
      const mayBeActive = book.inFlight.size > 0 || book.hypotheses === 'unknown' || book.hypotheses.some((h) => h.active);
      if (mayBeActive && book.lastAcceptedSendUs !== undefined) latest = Math.max(latest ?? 0, book.lastAcceptedSendUs);
    }
    return latest;
  }

  private onSend(event: Extract<TraceEvent, { type: 'send' }>, line: number): void {
    this.requests++;
    const key = correlationIdFromScenario(event.sequence);
    const book = this.bookOf(correlationKey(key));
    if (event.start && event.retry_of === undefined) {
      // A new sequence on this id: its backlog timeout and cancels start afresh — unless requests of
      // the id are still out: queued behind a cancelled one, this START is cancelled with it (spec §8).
      book.backlogTimeout = false;
      if (book.inFlight.size === 0) book.cancelSent = false;
      book.admitted = false;
    }
    const timeoutUs = event.timeout_us ?? this.options.timeoutOf?.(event.request) ?? 0;
    if (timeoutUs > 0) book.backlogTimeout = true;
    const lane = event.request.slice(0, event.request.lastIndexOf(':'));
    const record: RequestRecord = {
      id: event.request,
      sequence: event.sequence,
      step: event.step,
      lane,
      book,
      sent: { key, start: event.start, end: event.end, value: event.value, timeoutUs },
      sendUs: event.t,
      line,
      overlapped: false,
      delayed: false,
    };
    for (const other of book.inFlight) {
      // One channel that keeps order (a stream) is still predictable; anything else is a race.
      if (!this.options.ordered || other.lane !== lane) {
        other.overlapped = true;
        record.overlapped = true;
      }
    }
    book.inFlight.add(record);
    this.inFlight.set(record.id, record);
    const wait = this.waitedUs.get(lane) ?? { us: 0, line, reported: false, open: 0, busySinceUs: event.t };
    if (wait.open === 0) wait.busySinceUs = event.t;
    wait.open++;
    this.waitedUs.delete(lane);
    this.waitedUs.set(lane, wait);
    // Bounded: the sequences least recently sent to are long done; their totals go first.
    if (this.waitedUs.size > MAX_WAIT_TOTALS) this.waitedUs.delete(this.waitedUs.keys().next().value!);
  }

  private onResponse(requestId: string, outcome: Outcome, atUs: number, line: number): void {
    const record = this.inFlight.get(requestId);
    if (record === undefined) {
      const what = this.done.has(requestId) ? 'a second answer (duplicated)' : 'an answer for a request never sent';
      this.responseSink.add(`request ${requestId}: ${what}`, [line - 1]);
      return;
    }
    this.settle(record, atUs, line);
    if (outcome.kind === 'output') this.outputs++;
    else this.errors++;
    if (outcome.kind === 'output' && record.sent.start && !record.overlapped && !record.delayed) this.checkAdmissionOrder(record, atUs, line);
    this.judge(record, outcome, atUs, line);
  }

  /**
   * First come, first served (spec §5, §12): with one instance, a START that reached the server
   * well before another executes no later than it — admitted at once, its request runs in the next
   * batch; backlogged, it gets a slot first (a free slot never waits while the backlog is not
   * empty). So a START answered well after a START sent well after it was passed over: the backlog
   * was not served in order (the starvation case). Several instances run batches independently:
   * not judged there.
   */
  private checkAdmissionOrder(record: RequestRecord, atUs: number, line: number): void {
    if (this.options.model.instanceCount !== 1) return;
    const { slackUs } = this.options;
    const overtaker = this.recentStarts.find((other) => other.sendUs > record.sendUs + slackUs && other.answerUs < atUs - slackUs);
    if (overtaker !== undefined) {
      this.livenessSink.add(
        `sequence ${JSON.stringify(record.sequence)} (${record.lane}): its START was sent ${formatMs(overtaker.sendUs - record.sendUs)} before ` +
          `${JSON.stringify(overtaker.sequence)}'s but answered ${formatMs(atUs - overtaker.answerUs)} after it: the backlog was not served first ` +
          `come, first served`,
        [record.line - 1, overtaker.line - 1, line - 1],
      );
    }
    this.recentStarts.push({ sequence: record.sequence, sendUs: record.sendUs, answerUs: atUs, line: record.line });
    if (this.recentStarts.length > MAX_RECENT_STARTS) this.recentStarts.shift();
  }

  private onClientOutcome(requestId: string, reason: ClientFailure, atUs: number, line: number): void {
    const record = this.inFlight.get(requestId);
    if (record === undefined) return;
    this.settle(record, atUs, line);
    this.clientOutcomes[reason] = (this.clientOutcomes[reason] ?? 0) + 1;
    if (reason === 'deadline') {
      this.responseSink.add(
        `request ${record.id} (sequence ${JSON.stringify(record.sequence)} step ${record.step}): no answer within the deadline (hung or lost)`,
        [record.line - 1, line - 1],
      );
    } else if (reason === 'connection' || reason === 'protocol') {
      this.responseSink.add(
        `request ${record.id} (sequence ${JSON.stringify(record.sequence)} step ${record.step}): the server closed or broke the exchange without an answer`,
        [record.line - 1, line - 1],
      );
    }
    // The server may or may not have run it: every answer it could have given is possible now.
    const book = record.book;
    if (rejectionOf(this.options.model, this.options.modelName, record.sent) !== undefined) return;
    if (book.hypotheses !== 'unknown' && !record.overlapped) {
      const before = this.reaped(book, record);
      this.setHypotheses(
        book,
        before.flatMap((h) => [h, ...this.answersFor(record, h).flatMap((a) => a.next)]),
      );
    } else book.hypotheses = 'unknown';
    book.lastAcceptedSendUs = Math.max(book.lastAcceptedSendUs ?? 0, record.sendUs);
  }

  /** Marks a request answered and adds its wait to its sequence's total (bounded waiting). */
  private settle(record: RequestRecord, atUs: number, line: number): void {
    this.inFlight.delete(record.id);
    record.book.inFlight.delete(record);
    if (this.done.size < 1_000_000) this.done.add(record.id);
    const waited = this.waitedUs.get(record.lane) ?? { us: 0, line: record.line, reported: false, open: 1, busySinceUs: record.sendUs };
    waited.open = Math.max(0, waited.open - 1);
    const totalUs = waited.us + (atUs - waited.busySinceUs);
    if (waited.open === 0) {
      waited.us = totalUs;
      waited.busySinceUs = atUs;
    }
    if (!waited.reported && totalUs > this.options.deadlineUs) {
      waited.reported = true;
      this.livenessSink.add(
        `sequence ${JSON.stringify(record.sequence)} (${record.lane}) waited ${formatMs(totalUs)} for answers in total, past the deadline of ` +
          `${formatMs(this.options.deadlineUs)}`,
        [waited.line - 1, line - 1],
      );
    }
  }

  private judge(record: RequestRecord, outcome: Outcome, atUs: number, line: number): void {
    const { model, modelName } = this.options;
    const book = record.book;
    const cite = [record.line - 1, line - 1];
    const what = `request ${record.id} (sequence ${JSON.stringify(record.sequence)} step ${record.step}${flagText(record.sent)})`;
    const rejection = rejectionOf(model, modelName, record.sent);
    if (rejection !== undefined) {
      // Refused before the scheduler: certain whatever the id's state, and the state is untouched.
      if (outcome.kind !== 'error' || !sameError(rejection, outcome.code, outcome.message)) {
        this.errorsSink.add(`${what}: ${describeOutcome(outcome)}, Triton answers error ${rejection.code} ${JSON.stringify(rejection.message)}`, cite);
      }
      return;
    }
    const loose = record.overlapped || book.hypotheses === 'unknown';
    // What the server may hold when this request arrived: decided before this answer updates the book.
    const hypotheses = loose ? [] : this.reaped(book, record);
    const previousSendUs = book.lastAcceptedSendUs;
    book.lastAcceptedSendUs = Math.max(book.lastAcceptedSendUs ?? 0, record.sendUs);
    if (outcome.kind === 'output') {
      book.lastOutputUs = atUs;
      book.admitted = true;
    }
    if (loose) {
      this.judgeLoosely(record, outcome, what, cite);
      return;
    }
    const allowed = hypotheses.flatMap((h) => this.answersFor(record, h));
    const matched = allowed.filter((a) => matches(a.outcome, outcome));
    if (matched.length > 0) {
      this.setHypotheses(
        book,
        matched.flatMap((a) => a.next),
      );
      return;
    }
    const sink = outcome.kind === 'output' && allowed.some((a) => a.outcome.kind === 'output') ? this.outputsSink : this.errorsSink;
    const expected = [...new Set(allowed.map((a) => describeOutcome(a.outcome)))];
    const hint = sink === this.outputsSink ? this.diagnosis(record, outcome) : this.reapHint(previousSendUs, record, hypotheses);
    sink.add(`${what}: ${describeOutcome(outcome)}, expected ${expected.join(' or ')}${hint}`, cite);
    // Go on from what the server said, so one fault is reported once, not at every later step.
    if (outcome.kind === 'output') this.setHypotheses(book, [record.sent.end ? INACTIVE : { active: true, state: outcome.value }]);
    else this.setHypotheses(book, [...hypotheses, INACTIVE]);
  }

  /**
   * Requests of one id raced (overlapping on different channels) or too much is unknown: a START's
   * output is still certain; anything else is only checked for being a sequence's kind of answer.
   * A request that raced nothing tells the id's state again.
   */
  private judgeLoosely(record: RequestRecord, outcome: Outcome, what: string, cite: readonly number[]): void {
    const book = record.book;
    const exact = record.sent.start && outcome.kind === 'output';
    const answers = this.answersFor(record, INACTIVE);
    const sequenceErrors = record.sent.start ? answers : [...answers, ...this.answersFor(record, { active: true, state: 0 })];
    const ok = exact ? answers.some((a) => matches(a.outcome, outcome)) : outcome.kind === 'output' || sequenceErrors.some((a) => matches(a.outcome, outcome));
    if (!exact) this.unjudged++;
    if (!ok) {
      const expected = [...new Set(answers.map((a) => describeOutcome(a.outcome)))];
      const sink = outcome.kind === 'output' ? this.outputsSink : this.errorsSink;
      sink.add(`${what}: ${describeOutcome(outcome)}, expected ${exact ? expected.join(' or ') : 'an output or a sequence error'}`, cite);
    }
    if (record.overlapped) book.hypotheses = 'unknown';
    else if (outcome.kind === 'output') this.setHypotheses(book, [record.sent.end ? INACTIVE : { active: true, state: outcome.value }]);
    else book.hypotheses = outcome.code === 'INVALID_ARG' || outcome.code === 'UNAVAILABLE' ? [INACTIVE] : 'unknown';
  }

  private answersFor(record: RequestRecord, hypothesis: Hypothesis): Allowed[] {
    const book = record.book;
    return allowedAnswers(this.options.model, this.options.modelName, record.sent, hypothesis, {
      backlogTimeout: book.backlogTimeout && !book.admitted,
      cancelSent: book.cancelSent,
    });
  }

  /** Why a continuation was expected to fail: the idle timeout had passed. */
  private reapHint(previous: number | undefined, record: RequestRecord, hypotheses: readonly Hypothesis[]): string {
    if (record.sent.start || hypotheses.some((h) => h.active) || previous === undefined || previous >= record.sendUs) return '';
    return (
      ` (its previous request went ${formatMs(record.sendUs - previous)} earlier, past the idle timeout of ` +
      `${formatMs(this.options.model.maxSequenceIdleUs)}: the reaper must have ended the sequence)`
    );
  }

  /** A hint at the likely cause, where the numbers say it. */
  private diagnosis(record: RequestRecord, outcome: Outcome): string {
    if (outcome.kind !== 'output' || record.sent.end) return '';
    const initial = this.options.model.initialStateValue;
    if (record.sent.start) return ' (START did not restart from the initial state: state left over from another sequence?)';
    if (outcome.value === initial + record.sent.value) return ' (the state was lost: the request ran on a fresh slot state)';
    return ' (wrong state: misrouted to another slot, reordered, or run twice?)';
  }

  /**
   * The idle reaper (spec §6), judged from the client's clock: a sequence whose latest accepted
   * request was sent about the idle timeout ago may have been reaped; well past it (and past the
   * reaper's backlog polling after the sequence's last output) it must have been.
   */
  private reaped(book: IdBook, record: RequestRecord): Hypothesis[] {
    const hypotheses = book.hypotheses === 'unknown' ? [INACTIVE] : book.hypotheses;
    const last = book.lastAcceptedSendUs;
    if (last === undefined || !hypotheses.some((h) => h.active)) return hypotheses;
    const { slackUs } = this.options;
    const idleUs = this.options.model.maxSequenceIdleUs;
    const sinceUs = record.sendUs - last;
    // Early, only the request's own way to the server can make it arrive after the deadline: a fifth
    // of the slack. Late, a reaper can run late by the whole slack.
    if (sinceUs <= idleUs - slackUs / 5) return hypotheses;
    const mustReap =
      sinceUs > idleUs + slackUs &&
      book.lastOutputUs !== undefined &&
      book.lastOutputUs >= last &&
      record.sendUs - book.lastOutputUs > REAPER_POLL_US + slackUs;
    return mustReap ? [INACTIVE] : [...hypotheses, INACTIVE];
  }

  private setHypotheses(book: IdBook, hypotheses: readonly Hypothesis[]): void {
    const unique = new Map(hypotheses.map((h) => [hypothesisKey(h), h]));
    book.hypotheses = unique.size > MAX_HYPOTHESES ? 'unknown' : [...unique.values()];
  }

  private bookOf(key: string): IdBook {
    let book = this.books.get(key);
    if (book === undefined) {
      book = {
        hypotheses: [INACTIVE],
        inFlight: new Set(),
        lastAcceptedSendUs: undefined,
        lastOutputUs: undefined,
        backlogTimeout: false,
        cancelSent: false,
        admitted: false,
      };
      this.books.set(key, book);
    }
    return book;
  }
}

/** The simulator records its client's own timeouts as UNAVAILABLE responses with this text (sim/clients.ts). */
const SIMULATED_CLIENT_TIMEOUT = 'client timed out';

/** Runs the client-side oracles over a whole trace (simulated or recorded by `seqsim drive`). */
export function checkClientTrace(events: readonly TraceEvent[], options: ClientOracleOptions): ClientVerdict {
  const oracle = new ClientOracle(options);
  for (const [index, event] of events.entries()) oracle.observe(event, index + 1);
  return oracle.finish();
}

function matches(allowed: Outcome, seen: Outcome): boolean {
  if (allowed.kind === 'output') return seen.kind === 'output' && allowed.value === seen.value;
  return seen.kind === 'error' && sameError({ code: allowed.code as never, message: allowed.message }, seen.code, seen.message);
}

function flagText(sent: SentRequest): string {
  const flags = [sent.start ? 'START' : '', sent.end ? 'END' : ''].filter((f) => f !== '');
  return flags.length > 0 ? `, ${flags.join('+')}` : '';
}

function formatMs(us: number): string {
  return `${(us / 1000).toFixed(us < 10_000 ? 1 : 0)} ms`;
}
