import type { InferRequest, InferResult } from '../src/core/request.ts';
import { correlationIdFromScenario } from '../src/core/ids.ts';
import type { ScenarioSequence } from '../src/scenario/types.ts';
import type { SimLoop } from './kernel/event-queue.ts';
import type { TraceRecorder } from './recorder.ts';
import type { Connection } from './transport.ts';

/** A request as the simulated world tracks it: who sent it and what reached the server. */
export interface SimRequest extends InferRequest {
  readonly client: SimClient;
  arrived: boolean;
  /** The cancel overtook the request on the wire; apply it once the request arrives. */
  cancelPending: boolean;
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
  private readonly pending = new Set<number>();

  constructor(
    private readonly sequence: ScenarioSequence,
    /** Text before ":" in request ids; unique per scenario entry. */
    private readonly requestPrefix: string,
    private readonly loop: SimLoop,
    private readonly recorder: TraceRecorder,
    readonly connection: Connection,
    private readonly server: ServerPort,
  ) {}

  begin(): void {
    const first = this.sequence.steps[0];
    if (first === undefined) return;
    this.scheduleSend(0, this.sequence.startUs + first.gapUs);
  }

  /** The response for `request` reached the client. */
  receive(request: InferRequest, result: InferResult): void {
    this.pending.delete(request.step);
    this.recorder.emit(
      'output' in result
        ? { type: 'response', request: request.id, sequence: request.sequence, step: request.step, output: result.output }
        : { type: 'response', request: request.id, sequence: request.sequence, step: request.step, error: result.error },
    );
    const next = request.step + 1;
    const nextStep = this.sequence.steps[next];
    if (this.sequence.mode === 'sync' && nextStep !== undefined) {
      this.scheduleSend(next, this.loop.nowUs() + nextStep.gapUs);
    }
  }

  private scheduleSend(step: number, atUs: number): void {
    this.loop.schedule(atUs, { label: () => `send:${this.requestPrefix}:${step}` }, () => this.send(step));
  }

  private send(stepIndex: number): void {
    const step = this.sequence.steps[stepIndex]!;
    const request: SimRequest = {
      client: this,
      arrived: false,
      cancelPending: false,
      id: `${this.requestPrefix}:${stepIndex}`,
      sequence: this.sequence.id,
      step: stepIndex,
      correlationId: correlationIdFromScenario(this.sequence.id),
      start: step.start,
      end: step.end,
      input: step.value,
      timeoutUs: step.timeoutUs,
      batchSize: 1,
      arrivalUs: -1,
      cancelled: false,
    };
    this.pending.add(stepIndex);
    this.recorder.emit({
      type: 'send',
      request: request.id,
      sequence: request.sequence,
      step: stepIndex,
      start: step.start,
      end: step.end,
      value: step.value,
    });
    this.connection.sendUp(() => `arrive:${request.id}`, () => this.server.arrive(request));
    if (step.cancelAfterUs !== undefined) {
      this.loop.schedule(this.loop.nowUs() + step.cancelAfterUs, { label: () => `cancel:${request.id}` }, () =>
        this.cancelRequest(request),
      );
    }
    const nextStep = this.sequence.steps[stepIndex + 1];
    if (this.sequence.mode === 'stream' && nextStep !== undefined) {
      this.scheduleSend(stepIndex + 1, this.loop.nowUs() + nextStep.gapUs);
    }
  }

  /** A client can only cancel what it has not been answered for; the cancel travels like a message. */
  private cancelRequest(request: SimRequest): void {
    if (!this.pending.has(request.step)) return;
    this.recorder.emit({ type: 'cancel', request: request.id });
    this.connection.sendUp(() => `cancel-arrive:${request.id}`, () => this.server.cancel(request));
  }
}
