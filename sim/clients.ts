import type { InferRequest, InferResult } from '../src/core/request.ts';
import { correlationIdFromScenario, type CorrelationId, type ScenarioId } from '../src/core/ids.ts';
import type { ScenarioSequence } from '../src/scenario/types.ts';
import type { Clock, Timers } from '../src/core/ports.ts';
import type { TraceRecorder } from './recorder.ts';
import type { Connection } from './transport.ts';
import type { FaultInjector } from './faults.ts';
import type { TritonError } from '../src/core/errors.ts';

/** A request as the simulated world tracks it: who sent it and what reached the server. */
export interface SimRequest extends InferRequest {
  readonly client: SimClient;
  arrived: boolean;
  /** The cancel overtook the request on the wire; apply it once the request arrives. */
  cancelPending: boolean;
  /** The model object (generation) the request was bound to on arrival; set only when traced. */
  generation?: number;
}

/** What a client needs from the simulated server side. */
export interface ServerPort {
  /** The request reached the server; a synchronous error comes back to the client. */
  arrive(request: SimRequest): void;
  cancel(request: SimRequest): void;
}

/**
 * A simulated client running one scenario sequence. "sync": each step is sent gap_us after the
 * previous step's response arrives (HTTP-like); "stream": gap_us after the previous step was sent.
 * Step 0 is sent at start_us + its gap_us. An error response does not stop a sync client.
 */
export class SimClient {
  /** The attempt of each step the client still waits for (the latest retry). */
  private readonly awaiting = new Map<number, string>();
  private answeredSteps = 0;
  private disconnected = false;
  /** The sequence's id as Triton sees it, made once (ids are immutable). */
  private readonly correlationId: CorrelationId;

  constructor(
    private readonly sequence: ScenarioSequence,
    /** Text before ":" in request ids; unique per scenario entry. */
    private readonly requestPrefix: string,
    private readonly loop: Clock & Timers,
    private readonly recorder: TraceRecorder,
    readonly connection: Connection,
    private readonly server: ServerPort,
    private readonly faults: FaultInjector | undefined,
    /** Called once every step has its final response (live load lanes start the next sequence). */
    private readonly onDone?: () => void,
  ) {
    this.correlationId = correlationIdFromScenario(sequence.id);
  }

  begin(): void {
    const first = this.sequence.steps[0];
    if (first === undefined) return;
    this.scheduleSend(0, this.sequence.startUs + first.gapUs);
  }

  /** The response for `request` reached the client; one it stopped waiting for is ignored. */
  receive(request: InferRequest, result: InferResult): void {
    if (this.awaiting.get(request.step) !== request.id) return;
    this.deliver(request, result);
  }

  private deliver(request: InferRequest, result: InferResult): void {
    this.awaiting.delete(request.step);
    if (this.recorder.enabled)
      this.recorder.emit(
        'output' in result
          ? { type: 'response', request: request.id, sequence: request.sequence, step: request.step, output: result.output, ...generationOf(request) }
          : { type: 'response', request: request.id, sequence: request.sequence, step: request.step, error: result.error, ...generationOf(request) },
      );
    this.answeredSteps++;
    if (this.answeredSteps === this.sequence.steps.length) this.onDone?.();
    const next = request.step + 1;
    const nextStep = this.sequence.steps[next];
    if (this.sequence.mode === 'sync' && nextStep !== undefined) {
      this.scheduleSend(next, this.loop.nowUs() + nextStep.gapUs);
    }
  }

  private scheduleSend(step: number, atUs: number): void {
    this.loop.schedule(atUs, { label: () => `send:${this.requestPrefix}:${step}` }, () => this.send(step, 0));
  }

  private send(stepIndex: number, attempt: number): void {
    if (this.disconnected) return;
    const step = this.sequence.steps[stepIndex]!;
    const firstId = `${this.requestPrefix}:${stepIndex}`;
    const id = attempt === 0 ? firstId : `${firstId}~r${attempt}`;
    if (attempt === 0 && this.faults?.disconnectBefore({ request: id, sequence: this.sequence.id, step: stepIndex })) {
      // The client is gone: no more requests, no END. The idle reaper must reclaim its slot.
      this.disconnected = true;
      return;
    }
    const misuse = attempt === 0 ? this.faults?.misuse({ request: id, sequence: this.sequence.id, step: stepIndex }, stepIndex === 0) : undefined;
    const sequence = misuse === 'id_zero' ? 0 : misuse === 'id_retyped' ? retyped(this.sequence.id) : this.sequence.id;
    const request: SimRequest = {
      client: this,
      arrived: false,
      cancelPending: false,
      id,
      sequence,
      step: stepIndex,
      correlationId: sequence === this.sequence.id ? this.correlationId : correlationIdFromScenario(sequence),
      start: misuse === 'missing_start' ? false : misuse === 'start_on_active' ? true : step.start,
      end: step.end,
      input: step.value,
      timeoutUs: step.timeoutUs,
      batchSize: 1,
      arrivalUs: -1,
      cancelled: false,
      answered: false,
    };
    this.awaiting.set(stepIndex, id);
    if (this.recorder.enabled)
      this.recorder.emit({
        type: 'send',
        request: request.id,
        sequence: request.sequence,
        step: stepIndex,
        start: request.start,
        end: request.end,
        value: step.value,
        ...(attempt > 0 ? { retry_of: firstId } : {}),
      });
    this.connection.sendUp(
      () => `arrive:${request.id}`,
      () => this.server.arrive(request),
      request,
    );
    const cancelAfterUs =
      step.cancelAfterUs ??
      (this.faults?.cancelsRequests ? this.faults.cancelAfterUs({ request: id, sequence: this.sequence.id, step: stepIndex }) : undefined);
    if (cancelAfterUs !== undefined) {
      this.loop.schedule(this.loop.nowUs() + cancelAfterUs, { label: () => `cancel:${request.id}`, about: request }, () => this.cancelRequest(request));
    }
    if (this.faults !== undefined) this.armTimeout(request, attempt);
    const nextStep = this.sequence.steps[stepIndex + 1];
    if (attempt === 0 && this.sequence.mode === 'stream' && nextStep !== undefined) {
      this.scheduleSend(stepIndex + 1, this.loop.nowUs() + nextStep.gapUs);
    }
  }

  /**
   * With a fault plan, the client gives up on a request after client_timeout_us: it answers itself
   * with a timeout error and, while retries remain, sends the same step again — which, for a
   * stateful request the server did run, applies it twice.
   */
  private armTimeout(request: SimRequest, attempt: number): void {
    const plan = this.faults!.plan;
    this.loop.schedule(this.loop.nowUs() + plan.clientTimeoutUs, { label: () => `client-timeout:${request.id}`, about: request }, () => {
      if (this.awaiting.get(request.step) !== request.id) return;
      if (attempt < plan.retries) {
        this.awaiting.delete(request.step);
        this.recorder.emit({
          type: 'response',
          request: request.id,
          sequence: request.sequence,
          step: request.step,
          error: clientTimeout(plan.clientTimeoutUs),
        });
        this.send(request.step, attempt + 1);
        return;
      }
      this.deliver(request, { error: clientTimeout(plan.clientTimeoutUs) });
    });
  }

  /** A client can only cancel what it has not been answered for; the cancel travels like a message. */
  private cancelRequest(request: SimRequest): void {
    if (this.awaiting.get(request.step) !== request.id) return;
    this.recorder.emit({ type: 'cancel', request: request.id });
    this.connection.sendUp(
      () => `cancel-arrive:${request.id}`,
      () => this.server.cancel(request),
      undefined,
      request,
    );
  }
}

/** A response line names the model object its request was bound to, when the run traces generations. */
function generationOf(request: InferRequest): { generation?: number } {
  const generation = (request as SimRequest).generation;
  return generation === undefined ? {} : { generation };
}

/** What a client reports when it gave up waiting (not a Triton response: seqsim's client). */
export const CLIENT_TIMEOUT_PREFIX = 'client timed out';

function clientTimeout(timeoutUs: number): TritonError {
  return { code: 'UNAVAILABLE', message: `${CLIENT_TIMEOUT_PREFIX} after ${timeoutUs} µs without a response` };
}

/** The misuse "string vs integer id": a numeric id sent as a string, a numeric string as a number. */
export function retyped(id: ScenarioId): ScenarioId {
  if (typeof id === 'number') return String(id);
  if (typeof id === 'string') return /^\d{1,15}$/.test(id) ? Number(id) : `${id}#`;
  return id.u64;
}
