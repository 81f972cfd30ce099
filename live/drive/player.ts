import { setMaxListeners } from 'node:events';
import type { ScenarioId } from '../../src/core/ids.ts';
import type { ClientFailure } from '../../src/core/events.ts';
import { errorMessage } from '../../src/core/error-message.ts';
import { formatUs } from '../../src/core/time.ts';
import { retyped } from '../../sim/clients.ts';
import type { ClientRecorder } from './client-recorder.ts';
import type { AttemptFaults, ClientFaults, PlannedSequence, PlannedStep } from './plan.ts';
import { TransportFailure, type DriveTransport, type SequenceChannel, type WireRequest } from './transport.ts';

/** What a client's cancel does on each front end (HTTP: Triton runs the request on; gRPC: Triton cancels it). */
const CANCEL_EFFECT = {
  'kserve-v2-http': 'the exchange was aborted (over HTTP the server may still run the request)',
  'kserve-v2-grpc': 'the call was cancelled (on a stream: the stream, with what it still owed)',
} as const;

/** setTimeout's longest delay (about 24.8 days): longer client timeouts are clamped to it. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export interface PlayerOptions {
  /** Every request is abandoned after this long without an answer (a violation of the response oracle). */
  readonly deadlineUs: number;
  /** The scenario's client-side faults, decided up front; undefined: no fault plan. */
  readonly faults: ClientFaults | undefined;
  /** At most this many sequences in flight (timed workloads); undefined: no limit. */
  readonly concurrency: number | undefined;
}

type StepResult = 'answered' | 'disconnected';
type ExchangeResult = 'answered' | 'timeout' | 'failed';

/**
 * Plays sequences against a server in real time, one channel (connection or stream) per sequence,
 * and records what the client sees. Sync sequences send each step `gap_us` after the previous
 * answer; stream sequences `gap_us` after the previous send — pipelined on a channel that keeps
 * order, else one at a time. Client faults of the plan are committed as they come up.
 */
export class DrivePlayer {
  private inFlight = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(
    private readonly transport: DriveTransport,
    private readonly recorder: ClientRecorder,
    private readonly options: PlayerOptions,
  ) {}

  /** A scenario's sequences, each from its start time (later when --concurrency sequences are in flight). */
  async playTimed(sequences: readonly PlannedSequence[]): Promise<void> {
    await Promise.all(
      sequences.map(async (sequence) => {
        await this.recorder.sleepUntil(sequence.startUs);
        await this.acquire();
        try {
          await this.playSequence(sequence);
        } finally {
          this.release();
        }
      }),
    );
  }

  /** Closed-loop lanes (the stress workload's threads): each plays its sequences one after another. */
  async playLanes(lanes: readonly Iterable<PlannedSequence>[]): Promise<void> {
    await Promise.all(
      lanes.map(async (lane) => {
        for (const sequence of lane) await this.playSequence(sequence);
      }),
    );
  }

  /**
   * Plays one sequence on a fresh channel; `between` runs after each step is answered, before the
   * next is sent (the leak probe's barrier); `deadlineUs` overrides the deadline of its requests.
   */
  async playSequence(sequence: PlannedSequence, between?: (step: number, answer: 'output' | 'other') => Promise<void>, deadlineUs?: number): Promise<void> {
    const channel = this.transport.openSequence(sequence.mode);
    try {
      if (sequence.mode === 'stream' && channel.ordered && between === undefined) await this.pipeline(sequence, channel);
      else await this.oneByOne(sequence, channel, between, deadlineUs);
    } finally {
      channel.close();
    }
  }

  private async oneByOne(
    sequence: PlannedSequence,
    channel: SequenceChannel,
    between: ((step: number, answer: 'output' | 'other') => Promise<void>) | undefined,
    deadlineUs: number | undefined,
  ): Promise<void> {
    const startedUs = this.recorder.nowUs();
    let lastSendUs = startedUs;
    let lastAnswerUs = startedUs;
    for (let index = 0; index < sequence.steps.length; index++) {
      const step = sequence.steps[index]!;
      const atUs =
        index === 0 ? startedUs + step.gapUs : sequence.mode === 'sync' ? lastAnswerUs + step.gapUs : Math.max(lastSendUs + step.gapUs, lastAnswerUs);
      await this.recorder.sleepUntil(atUs);
      const answered = { output: false };
      const result = await this.step(
        sequence,
        index,
        channel,
        // One request in flight: a disconnect comes between steps, never during one.
        undefined,
        (sentUs) => (lastSendUs = sentUs),
        (output) => (answered.output = output),
        deadlineUs,
      );
      if (result === 'disconnected') return;
      lastAnswerUs = this.recorder.nowUs();
      if (between !== undefined) await between(index, answered.output ? 'output' : 'other');
    }
  }

  /** A stream on an ordered channel: each step goes gap_us after the previous send, answers are awaited together. */
  private async pipeline(sequence: PlannedSequence, channel: SequenceChannel): Promise<void> {
    const disconnect = new AbortController();
    // One listener per step in flight: a long pipelined sequence has more than Node's default 10.
    setMaxListeners(0, disconnect.signal);
    const startedUs = this.recorder.nowUs();
    let lastSendUs = startedUs;
    const answers: Promise<StepResult>[] = [];
    for (let index = 0; index < sequence.steps.length; index++) {
      const step = sequence.steps[index]!;
      await this.recorder.sleepUntil(index === 0 ? startedUs + step.gapUs : lastSendUs + step.gapUs);
      let sent!: (us: number | undefined) => void;
      const firstSend = new Promise<number | undefined>((resolve) => (sent = resolve));
      const answer = this.step(sequence, index, channel, disconnect.signal, sent, () => {});
      answers.push(answer);
      void answer.then((result) => result === 'disconnected' && sent(undefined));
      const sentUs = await firstSend;
      if (sentUs === undefined) {
        // The client is gone: what it still waited for is abandoned with the stream.
        disconnect.abort();
        break;
      }
      lastSendUs = sentUs;
    }
    await Promise.all(answers);
  }

  /** One step: its attempts (a timed-out request is sent again while the plan's retries last). */
  private async step(
    sequence: PlannedSequence,
    index: number,
    channel: SequenceChannel,
    disconnected: AbortSignal | undefined,
    onFirstSend: (sentUs: number) => void,
    onAnswer: (output: boolean) => void,
    deadlineUs = this.options.deadlineUs,
  ): Promise<StepResult> {
    const planned = sequence.steps[index]!;
    const retries = this.options.faults?.retries ?? 0;
    const firstId = `${sequence.prefix}:${index}`;
    for (let attempt = 0; attempt <= retries; attempt++) {
      const decided: AttemptFaults = this.options.faults?.faultsFor(sequence.index, index, attempt) ?? {};
      if (decided.disconnect !== undefined) {
        // The client goes away before this step: no more requests, no END (the idle reaper's job).
        this.recorder.record(decided.disconnect);
        return 'disconnected';
      }
      if (decided.misuse !== undefined) this.recorder.record(decided.misuse.event);
      const wire = wireRequest(sequence, planned, attempt === 0 ? firstId : `${firstId}~r${attempt}`, decided);
      this.recorder.record({
        type: 'send',
        request: wire.requestId,
        sequence: wire.sequenceId,
        step: index,
        start: wire.start,
        end: wire.end,
        value: wire.value,
        ...(attempt > 0 ? { retry_of: firstId } : {}),
        ...(wire.timeoutUs > 0 ? { timeout_us: wire.timeoutUs } : {}),
      });
      if (attempt === 0) onFirstSend(this.recorder.nowUs());
      const result = await this.exchange(channel, wire, index, planned, decided, disconnected, deadlineUs, onAnswer);
      if (result !== 'timeout') return 'answered';
    }
    return 'answered';
  }

  /**
   * Sends one request and waits for the first of: its answer, the cancel (HTTP: the exchange is
   * aborted, the server may still run it), the client timeout (fault plan), the deadline, or a
   * failed connection. Each ends in exactly one `response` or `error` line.
   */
  private exchange(
    channel: SequenceChannel,
    wire: WireRequest,
    step: number,
    planned: PlannedStep,
    decided: AttemptFaults,
    disconnected: AbortSignal | undefined,
    deadlineUs: number,
    onAnswer: (output: boolean) => void,
  ): Promise<ExchangeResult> {
    return new Promise((resolve) => {
      const controller = new AbortController();
      const timers: NodeJS.Timeout[] = [];
      const about = { request: wire.requestId, sequence: wire.sequenceId, step };
      let settled = false;
      /** Whether the request left (a cancel reaches the server only then) and whether a cancel was recorded. */
      let transmitted = false;
      let cancelRecorded = false;
      const finish = (result: ExchangeResult): void => {
        settled = true;
        for (const timer of timers) clearTimeout(timer);
        disconnected?.removeEventListener('abort', onDisconnect);
        resolve(result);
      };
      const giveUp = (reason: ClientFailure, message: string): void => {
        if (settled) return;
        controller.abort();
        if (transmitted && !cancelRecorded && this.transport.abandonCancels && reason !== 'connection' && reason !== 'protocol')
          this.recorder.record({ type: 'cancel', request: wire.requestId });
        this.recorder.record({ type: 'error', ...about, reason, message });
        finish(reason === 'timeout' ? 'timeout' : 'failed');
      };
      const after = (us: number, task: () => void): void => {
        timers.push(setTimeout(task, Math.min(MAX_TIMER_MS, us / 1000)));
      };
      const onDisconnect = (): void => giveUp('aborted', 'the client disconnected');
      disconnected?.addEventListener('abort', onDisconnect, { once: true });

      const faults = this.options.faults;
      if (faults !== undefined)
        after(faults.clientTimeoutUs, () => giveUp('timeout', `client timed out after ${formatUs(faults.clientTimeoutUs)} without a response`));
      after(deadlineUs, () => giveUp('deadline', `no answer within the deadline of ${formatUs(deadlineUs)}`));
      if (decided.requestDrop !== undefined) this.recorder.record(decided.requestDrop);
      if (decided.cancel !== undefined) this.recorder.record(decided.cancel.event);
      const cancelAfterUs = planned.cancelAfterUs ?? decided.cancel?.afterUs;
      if (cancelAfterUs !== undefined) {
        after(cancelAfterUs, () => {
          if (settled) return;
          this.recorder.record({ type: 'cancel', request: wire.requestId });
          cancelRecorded = true;
          giveUp('aborted', `cancelled by the client: ${CANCEL_EFFECT[this.transport.frontEnd]}`);
        });
      }
      // A dropped request never leaves: only the timers above end the exchange.
      if (decided.requestDrop !== undefined) return;
      const transmit = async (): Promise<void> => {
        if (decided.upDelay !== undefined) {
          this.recorder.record(decided.upDelay.event);
          await sleepMs(decided.upDelay.us / 1000);
          if (settled) return;
        }
        try {
          transmitted = true;
          const answer = await channel.infer(wire, controller.signal);
          if (settled) return;
          if (decided.responseDrop !== undefined) {
            // The answer is thrown away as if lost on the way: the client will time out.
            this.recorder.record(decided.responseDrop);
            return;
          }
          if (decided.downDelay !== undefined) {
            this.recorder.record(decided.downDelay.event);
            await sleepMs(decided.downDelay.us / 1000);
            if (settled) return;
          }
          if (answer.kind === 'output') this.recorder.record({ type: 'response', ...about, output: answer.value });
          else
            this.recorder.record({
              type: 'response',
              ...about,
              error: answer.error,
              ...(answer.httpStatus !== undefined ? { http_status: answer.httpStatus } : {}),
            });
          onAnswer(answer.kind === 'output');
          finish('answered');
        } catch (error) {
          if (settled) return;
          giveUp(error instanceof TransportFailure ? error.reason : 'connection', errorMessage(error));
        }
      };
      void transmit();
    });
  }

  private acquire(): Promise<void> {
    const limit = this.options.concurrency;
    if (limit === undefined || this.inFlight < limit) {
      this.inFlight++;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next !== undefined) next();
    else this.inFlight--;
  }
}

/** The request as it goes out: a `misuse` fault may change its id or START flag. */
function wireRequest(sequence: PlannedSequence, step: PlannedStep, requestId: string, decided: AttemptFaults): WireRequest {
  const misuse = decided.misuse?.kind;
  const sequenceId: ScenarioId = misuse === 'id_zero' ? 0 : misuse === 'id_retyped' ? retyped(sequence.id) : sequence.id;
  const start = misuse === 'missing_start' ? false : misuse === 'start_on_active' ? true : step.start;
  return { requestId, sequenceId, start, end: step.end, value: step.value, timeoutUs: step.timeoutUs };
}

function sleepMs(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.min(MAX_TIMER_MS, ms)));
}
