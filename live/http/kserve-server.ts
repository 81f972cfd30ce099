import type { InferRequest, InferResult } from '../../src/core/request.ts';
import type { TritonError } from '../../src/core/errors.ts';
import { scenarioIdText } from '../../src/core/ids.ts';
import type { EventSink } from '../../src/core/events.ts';
import type { Scenario } from '../../src/scenario/types.ts';
import { makeScheduler } from '../../sim/pipeline/batcher-choice.ts';
import { RequestNamer } from '../../sim/pipeline/request-ids.ts';
import { judgeRun, stopOf } from '../../sim/pipeline/run-pipeline.ts';
import { encodeLiveOptions } from '../../sim/pipeline/header-options.ts';
import type { CheckedTrace, Violation } from '../../sim/oracles/types.ts';
import { makeHeader } from '../../traces/writer.ts';
import { RealLoop } from '../real-loop.ts';
import { OrtExecutor } from '../ort-executor.ts';
import { openSession, openSessions, type ProviderName, type ProviderRequest } from '../execution-provider.ts';
import { InstanceSessions } from '../instance-sessions.ts';
import { ortThreadOptions, threadSettings } from '../ort-threads.ts';
import { checkWireDataType, liveTensorSpec } from '../tensor-spec.ts';
import { buildAccumulatorOnnx } from '../onnx/accumulator-onnx.ts';
import { Stopwatch } from '../stopwatch.ts';
import { LIVE_MAX_EVENTS, LIVE_RUN_END, LIVE_TIMER_SLACK_US, type UserModel } from '../run-live.ts';
import { SEQSIM_VERSION } from '../../traces/version.ts';
import type { SequenceInfer } from '../kserve/infer-request.ts';
import type { FrontEnd, KserveBackend, Reply, Submission } from '../kserve/kserve-backend.ts';
import { ModelStatistics } from '../kserve/model-stats.ts';
import { ServedModel } from '../kserve/served-model.ts';
import { listenGrpc } from '../grpc/kserve-grpc.ts';
import { listenHttp } from './kserve-http.ts';
import { ServeTraceRecorder } from '../serve-trace.ts';
import { errorMessage } from '../../src/core/error-message.ts';

export interface ServeOptions {
  readonly port: number;
  readonly host: string;
  readonly provider: ProviderRequest;
  readonly userModel?: UserModel;
  readonly batcher?: string;
  /** How long close() waits for requests already accepted to finish. */
  readonly drainMs: number;
  /** The scenario file, for messages about its config. */
  readonly file?: string;
  /** Dense layers of synthetic work per row in the generated model (`--model-work`); 0: none. */
  readonly modelWorkLayers?: number;
  /** Also serve KServe v2 gRPC on this port (0 picks a free one); undefined: HTTP only. */
  readonly grpcPort?: number;
  /** Write the trace to this file as the server runs (the CLI does); undefined: keep it in memory. */
  readonly traceFile?: string;
  /** Events kept for the oracles (default LIVE_MAX_EVENTS); past it, requests are served and traced unchecked. */
  readonly checkedEvents?: number;
  /** Told once when the checked events reach their bound. */
  readonly onTraceFull?: (checkedEvents: number) => void;
}

export interface ServeResult extends CheckedTrace {
  readonly requests: number;
  /** Events past the checked bound: in the trace file but not checked (without a file: not kept). */
  readonly uncheckedEvents: number;
  /** Why the trace file could not be written in full, if it could not. */
  readonly traceWriteFailure: string | undefined;
}

export interface KserveServer {
  /** e.g. http://127.0.0.1:8000 */
  readonly url: string;
  /** host:port of the gRPC endpoint, when one was asked for. */
  readonly grpcAddress: string | undefined;
  readonly provider: ProviderName;
  /** Stops accepting, lets accepted requests finish (up to drainMs), checks the oracles. */
  close(): Promise<ServeResult>;
}

/** Triton's INTERNAL status for an error the server hit while handling a request. */
function internalError(error: unknown): TritonError {
  return { code: 'INTERNAL', message: `seqsim serve: internal error: ${errorMessage(error)}` };
}

/**
 * KServe v2 endpoints (HTTP, and gRPC when `grpcPort` is set) in front of the live batcher: any
 * Triton client can drive a sequence with the `sequence_id` / `sequence_start` / `sequence_end`
 * parameters. Both front ends decode into one request type (live/kserve/) and share this batcher;
 * every request is recorded in a trace of the usual format and the oracles check it on close.
 */
export async function startKserveServer(scenario: Scenario, options: ServeOptions): Promise<KserveServer> {
  const model = scenario.model;
  const spec = liveTensorSpec(model, scenario.normalized['model'] as Record<string, unknown>);
  checkWireDataType(model, { file: options.file ?? `<scenario ${scenario.name}>`, field: 'model' }, 'seqsim serve');
  const threads = ortThreadOptions(scenario.normalized['model'] as Record<string, unknown>, options.file ?? `<scenario ${scenario.name}>`);
  const modelWorkLayers = options.modelWorkLayers ?? 0;
  const modelBytes = options.userModel?.bytes ?? buildAccumulatorOnnx(spec, { workLayers: modelWorkLayers });
  const opened = await openSessions(modelBytes, options.userModel?.name ?? model.name, model.instanceCount, options.provider, threads);
  const loop = new RealLoop();
  // The clients choose the sequences: the header's scenario carries the model config only.
  const header = makeHeader(
    0,
    { ...scenario.normalized, sequences: [] },
    encodeLiveOptions({
      executionProvider: opened.provider,
      requestedProvider: options.provider,
      frontEnd: options.grpcPort === undefined ? 'kserve-v2-http' : 'kserve-v2-http+grpc',
      ...(options.userModel !== undefined ? { modelFile: options.userModel.name } : {}),
      modelWorkLayers,
      ...(options.batcher !== undefined ? { batcher: options.batcher } : {}),
      ...threadSettings(threads),
    }),
    'real',
  );
  const recorder = new ServeTraceRecorder(loop, header, {
    keepEvents: options.checkedEvents ?? LIVE_MAX_EVENTS,
    ...(options.traceFile === undefined ? {} : { file: options.traceFile }),
    ...(options.onTraceFull === undefined ? {} : { onFull: options.onTraceFull }),
  });
  const sessions = new InstanceSessions(
    () => openSession(modelBytes, opened.provider, threads),
    new Map(opened.sessions.map((session, instance) => [instance, session])),
  );
  const executor = new OrtExecutor(sessions, spec, {
    keepFeeds: false,
    hold: () => loop.hold(),
    onLoop: (task) => loop.post(task),
    stopwatch: new Stopwatch(),
  });
  const served = new ServedModel(model, scenario.normalized['model'] as Record<string, unknown>, spec);
  const statistics = new ModelStatistics(model.name);
  /** The batcher's events feed the statistics endpoints as they go into the trace. */
  const events: EventSink = {
    enabled: true,
    emit: (event) => {
      statistics.observe(event, loop.nowUs());
      recorder.emit(event);
    },
  };
  const waiting = new Map<InferRequest, Reply>();
  /** Requests the batcher refuses on arrival (answered from inside enqueue). */
  let enqueuing: InferRequest | undefined;
  const respond = (request: InferRequest, result: InferResult): void => {
    const reply = waiting.get(request);
    waiting.delete(request);
    if (request === enqueuing) statistics.refusedOnArrival(request.id);
    if ('output' in result) {
      events.emit({ type: 'response', request: request.id, sequence: request.sequence, step: request.step, output: result.output });
    } else {
      events.emit({ type: 'response', request: request.id, sequence: request.sequence, step: request.step, error: result.error });
    }
    try {
      reply?.(result, request === enqueuing);
    } catch {
      // A front end that fails to answer costs that answer, never the batcher's loop.
    }
  };
  const scheduler = makeScheduler(options.batcher ?? 'real')(
    model,
    { clock: loop, timers: loop, executor, responses: { respond }, events },
    { slotOrder: 'triton-heap' },
  );

  /** Request ids "<id>:<step>", with "#n" for later uses of an id (as the simulator names them). */
  const namer = new RequestNamer();
  const progress = new Map<string, { prefix: string; nextStep: number }>();
  let requests = 0;
  const accept = (infer: SequenceInfer, reply: Reply): InferRequest => {
    const text = scenarioIdText(infer.sequence);
    const key = `${typeof infer.sequence}:${text}`;
    let entry = progress.get(key);
    if (entry === undefined || infer.start) {
      entry = { prefix: namer.next(infer.sequence), nextStep: 0 };
      progress.set(key, entry);
    }
    const step = entry.nextStep++;
    const request: InferRequest = {
      id: `${entry.prefix}:${step}`,
      sequence: infer.sequence,
      step,
      correlationId: infer.correlationId,
      start: infer.start,
      end: infer.end,
      input: infer.input,
      timeoutUs: infer.timeoutUs,
      batchSize: infer.batchSize,
      arrivalUs: -1,
      cancelled: false,
      answered: false,
    };
    requests++;
    waiting.set(request, reply);
    events.emit({ type: 'send', request: request.id, sequence: request.sequence, step, start: request.start, end: request.end, value: request.input });
    enqueuing = request;
    try {
      const error = scheduler.enqueue(request);
      if (error !== null) respond(request, { error });
    } catch (error) {
      // A batcher failure on this request is this request's INTERNAL error, not the server's end.
      if (waiting.has(request)) respond(request, { error: internalError(error) });
    } finally {
      enqueuing = undefined;
    }
    return request;
  };
  /** A client cancel, traced like the simulator's: the batcher notices at a queue front (spec §8). */
  const cancel = (request: InferRequest): void => {
    if (!waiting.has(request) || request.answered === true) return;
    events.emit({ type: 'cancel', request: request.id });
    scheduler.cancel(request);
  };

  const backend: KserveBackend = {
    model: served,
    server: { name: 'seqsim', version: SEQSIM_VERSION, extensions: ['binary_tensor_data', 'model_configuration', 'parameters', 'sequence', 'statistics'] },
    statistics: () => statistics.snapshot(),
    submit(infer: SequenceInfer, reply: Reply): Submission {
      let request: InferRequest | undefined;
      if (loop.error !== undefined) {
        // The batcher's loop stopped on an error: every request is answered, with that error.
        reply({ error: internalError(loop.error) }, true);
        return { cancel: () => {} };
      }
      loop.post(() => {
        try {
          request = accept(infer, reply);
        } catch (error) {
          // Naming or recording the request failed before the batcher had it: this request's error.
          reply({ error: internalError(error) }, true);
        }
      });
      // Posted after the accept, so it always finds the request made.
      return { cancel: () => loop.post(() => request !== undefined && cancel(request)) };
    },
  };
  const frontEnds: FrontEnd[] = [];
  const http = await listenHttp(backend, { port: options.port, host: options.host });
  frontEnds.push(http);
  const grpc = options.grpcPort === undefined ? undefined : await listenGrpc(backend, { port: options.grpcPort, host: options.host });
  if (grpc !== undefined) frontEnds.push(grpc);

  return {
    url: http.url,
    grpcAddress: grpc?.address,
    provider: opened.provider,
    async close() {
      let violations: readonly Violation[] = [];
      let failure: unknown;
      try {
        for (const frontEnd of frontEnds) await frontEnd.stop();
        loop.finishWhen(() => {
          const occupancy = scheduler.occupancy();
          return waiting.size === 0 && occupancy.queuedRequests === 0 && occupancy.batchesInFlight === 0;
        });
        const outcome = await loop.whenIdle(options.drainMs);
        loop.shutdown();
        for (const frontEnd of frontEnds) await frontEnd.close();
        for (const session of opened.sessions) await session.release();
        const stop = stopOf(LIVE_RUN_END[outcome], loop.error);
        // Sequences a client left open when the server stopped are not leaks: check like a stopped
        // run. Past the checked bound the oracles see a prefix: judged like a stopped run too (what
        // the prefix leaves open was answered later, unchecked).
        const open = recorder.full || (stop.ended === 'quiescent' && scheduler.occupancy().heldSlots > 0);
        violations = judgeRun({
          events: recorder.events,
          stop,
          judgedEnd: open ? 'aborted' : stop.ended,
          oracles: {
            model,
            maxEvents: LIVE_MAX_EVENTS,
            realClock: { timerSlackUs: LIVE_TIMER_SLACK_US, durationMs: options.drainMs },
            referenceOutputs: options.userModel === undefined,
          },
        }).violations;
      } catch (error) {
        failure = error;
      }
      // The trace is finished whatever failed above: a stopped server always leaves its trace.
      const trace = recorder.finish(violations, loop.nowUs());
      if (failure !== undefined) throw failure;
      return {
        header,
        events: trace.events,
        lines: trace.lines,
        hash: trace.hash,
        violations: [...violations],
        requests,
        uncheckedEvents: trace.uncheckedEvents,
        traceWriteFailure: trace.writeFailure,
      };
    },
  };
}
