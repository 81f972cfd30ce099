import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { InferRequest, InferResult } from '../../src/core/request.ts';
import type { TritonError } from '../../src/core/errors.ts';
import { correlationIdFromScenario, scenarioIdText } from '../../src/core/ids.ts';
import type { Scenario } from '../../src/scenario/types.ts';
import { TraceRecorder } from '../../sim/recorder.ts';
import { makeScheduler } from '../../sim/simulate.ts';
import { checkTrace } from '../../sim/oracles/index.ts';
import type { CheckedTrace } from '../../sim/oracles/types.ts';
import { finishTrace, makeHeader } from '../../traces/writer.ts';
import { RealLoop } from '../real-loop.ts';
import { OrtExecutor } from '../ort-executor.ts';
import { openSession, openSessions, type ProviderName, type ProviderRequest } from '../execution-provider.ts';
import { InstanceSessions } from '../instance-sessions.ts';
import { ortThreadOptions, threadHeaderOptions } from '../ort-threads.ts';
import { liveTensorSpec } from '../tensor-spec.ts';
import { buildAccumulatorOnnx } from '../onnx/accumulator-onnx.ts';
import { Stopwatch } from '../overhead.ts';
import { BadInferRequest, parseInferBody } from './kserve-request.ts';
import { ModelStatisticsSink } from './model-statistics.ts';
import { LIVE_MAX_EVENTS, LIVE_TIMER_SLACK_US, type UserModel } from '../run-live.ts';
import { errorMessage } from '../../src/core/error-message.ts';

/** Request bodies larger than this are refused: one accumulator input is a few dozen bytes. */
const MAX_BODY_BYTES = 64 * 1024;

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
}

export interface ServeResult extends CheckedTrace {
  readonly requests: number;
}

export interface KserveServer {
  /** e.g. http://127.0.0.1:8000 */
  readonly url: string;
  readonly provider: ProviderName;
  /** Stops accepting, lets accepted requests finish (up to drainMs), checks the oracles. */
  close(): Promise<ServeResult>;
}

/** KServe v2 status for a Triton error code (as Triton's HTTP frontend maps them). */
function httpStatus(error: TritonError): number {
  switch (error.code) {
    case 'INVALID_ARG':
    case 'CANCELLED':
      return 400;
    case 'NOT_FOUND':
      return 404;
    case 'UNAVAILABLE':
      return 503;
    case 'UNSUPPORTED':
      return 501;
    default:
      return 500;
  }
}

function send(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  response.end(text);
}

function readBody(request: IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      // Past the limit the rest is read and dropped (not kept), so the answer still reaches the client.
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    request.on('end', () => {
      if (size > MAX_BODY_BYTES) {
        reject(new BadInferRequest(`request body larger than ${MAX_BODY_BYTES} bytes`));
        return;
      }
      try {
        resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      } catch {
        reject(new BadInferRequest('the request body is not valid JSON'));
      }
    });
    request.on('error', reject);
  });
}

/**
 * A KServe v2 HTTP endpoint in front of the live batcher: any Triton HTTP client can drive a
 * sequence with the `sequence_id` / `sequence_start` / `sequence_end` parameters. Every request
 * is recorded in a trace of the usual format and the oracles check it when the server closes.
 */
export async function startKserveServer(scenario: Scenario, options: ServeOptions): Promise<KserveServer> {
  const model = scenario.model;
  const spec = liveTensorSpec(model, scenario.normalized['model'] as Record<string, unknown>);
  const threads = ortThreadOptions(scenario.normalized['model'] as Record<string, unknown>, options.file ?? `<scenario ${scenario.name}>`);
  const modelWorkLayers = options.modelWorkLayers ?? 0;
  const modelBytes = options.userModel?.bytes ?? buildAccumulatorOnnx(spec, { workLayers: modelWorkLayers });
  const opened = await openSessions(modelBytes, options.userModel?.name ?? model.name, model.instanceCount, options.provider, threads);
  const loop = new RealLoop();
  const recorder = new TraceRecorder(loop, LIVE_MAX_EVENTS);
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
  const waiting = new Map<InferRequest, ServerResponse>();
  const outputDataType = model.tensorDataType === 'TYPE_FP32' ? 'FP32' : 'INT32';
  const respond = (request: InferRequest, result: InferResult): void => {
    const response = waiting.get(request);
    waiting.delete(request);
    if ('output' in result) {
      recorder.emit({ type: 'response', request: request.id, sequence: request.sequence, step: request.step, output: result.output });
      if (response !== undefined)
        send(response, 200, {
          model_name: model.name,
          id: request.id,
          outputs: [{ name: spec.output, datatype: outputDataType, shape: [1, 1], data: [result.output] }],
        });
    } else {
      recorder.emit({ type: 'response', request: request.id, sequence: request.sequence, step: request.step, error: result.error });
      if (response !== undefined) send(response, httpStatus(result.error), { error: result.error.message });
    }
  };
  const statistics = new ModelStatisticsSink(recorder, loop);
  const scheduler = makeScheduler(options.batcher ?? 'real')(
    model,
    { clock: loop, timers: loop, executor, responses: { respond }, events: statistics },
    { slotOrder: 'triton-heap' },
  );

  /** Request ids "<id>:<step>", with "#n" for later uses of an id (as the simulator names them). */
  const progress = new Map<string, { prefix: string; nextStep: number }>();
  // Uses per printed id: uint64 5 and string "5" are different sequences with the same text.
  const usesOfText = new Map<string, number>();
  let requests = 0;
  const accept = (infer: ReturnType<typeof parseInferBody>, response: ServerResponse): void => {
    const text = scenarioIdText(infer.sequence);
    const key = `${typeof infer.sequence}:${text}`;
    let entry = progress.get(key);
    if (entry === undefined || infer.start) {
      const uses = (usesOfText.get(text) ?? 0) + 1;
      usesOfText.set(text, uses);
      entry = { prefix: uses === 1 ? text : `${text}#${uses - 1}`, nextStep: 0 };
      progress.set(key, entry);
    }
    const step = entry.nextStep++;
    const request: InferRequest = {
      id: `${entry.prefix}:${step}`,
      sequence: infer.sequence,
      step,
      correlationId: correlationIdFromScenario(infer.sequence),
      start: infer.start,
      end: infer.end,
      input: infer.input,
      timeoutUs: 0,
      batchSize: 1,
      arrivalUs: -1,
      cancelled: false,
      answered: false,
    };
    requests++;
    waiting.set(request, response);
    recorder.emit({ type: 'send', request: request.id, sequence: request.sequence, step, start: request.start, end: request.end, value: request.input });
    const error = scheduler.enqueue(request);
    if (error !== null) respond(request, { error });
  };

  const http = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const parts = url.pathname.split('/').filter((part) => part.length > 0);
    if (request.method === 'GET' && url.pathname === '/v2/health/live') return send(response, 200, {});
    if (request.method === 'GET' && url.pathname === '/v2/health/ready') return send(response, 200, {});
    if (parts[0] !== 'v2' || parts[1] !== 'models' || parts[2] === undefined) return send(response, 404, { error: `unknown endpoint ${url.pathname}` });
    const name = decodeURIComponent(parts[2]);
    if (name !== model.name) return send(response, 404, { error: `Request for unknown model: '${name}' is not found` });
    const rest = parts.slice(3);
    if (rest[0] === 'versions') rest.splice(0, 2);
    if (request.method === 'GET' && rest.length === 0) {
      return send(response, 200, {
        name: model.name,
        versions: ['1'],
        platform: 'onnxruntime_onnx',
        inputs: [{ name: spec.input, datatype: outputDataType, shape: [-1, 1] }],
        outputs: [{ name: spec.output, datatype: outputDataType, shape: [-1, 1] }],
      });
    }
    if (request.method === 'GET' && rest[0] === 'ready' && rest.length === 1) return send(response, 200, {});
    // Triton's model-configuration and statistics extensions (`seqsim drive` compares and reports them).
    if (request.method === 'GET' && rest[0] === 'config' && rest.length === 1) return send(response, 200, scenario.normalized['model']);
    if (request.method === 'GET' && rest[0] === 'stats' && rest.length === 1) return send(response, 200, statistics.json(model.name));
    if (request.method !== 'POST' || rest[0] !== 'infer' || rest.length !== 1) return send(response, 404, { error: `unknown endpoint ${url.pathname}` });
    readBody(request).then(
      (body) => {
        let infer: ReturnType<typeof parseInferBody>;
        try {
          infer = parseInferBody(body, spec.input);
        } catch (error) {
          if (error instanceof BadInferRequest) return send(response, 400, { error: error.message });
          throw error;
        }
        loop.post(() => accept(infer, response));
      },
      (error: unknown) => send(response, 400, { error: errorMessage(error) }),
    );
  });
  await new Promise<void>((resolve) => http.listen(options.port, options.host, resolve));
  const address = http.address() as AddressInfo;

  return {
    url: `http://${options.host}:${address.port}`,
    provider: opened.provider,
    async close() {
      await new Promise<void>((resolve) => http.close(() => resolve()));
      loop.finishWhen(() => {
        const occupancy = scheduler.occupancy();
        return waiting.size === 0 && occupancy.queuedRequests === 0 && occupancy.batchesInFlight === 0;
      });
      const outcome = await loop.whenIdle(options.drainMs);
      loop.shutdown();
      for (const session of opened.sessions) await session.release();
      const events = recorder.events;
      // Sequences a client left open when the server stopped are not leaks: check like a stopped run.
      const quiescent = outcome === 'quiescent' && scheduler.occupancy().heldSlots === 0;
      const violations = checkTrace(events, {
        model,
        runEnded: quiescent ? 'quiescent' : outcome === 'timeout' ? 'budget-exhausted' : 'aborted',
        maxEvents: LIVE_MAX_EVENTS,
        realClock: { timerSlackUs: LIVE_TIMER_SLACK_US, durationMs: options.drainMs },
        referenceOutputs: options.userModel === undefined,
      });
      const endUs = loop.nowUs();

      const header = makeHeader(
        0,
        { ...scenario.normalized, sequences: [] },
        {
          execution_provider: opened.provider,
          requested_provider: options.provider,
          front_end: 'kserve-v2-http',
          ...threadHeaderOptions(threads),
          ...(modelWorkLayers > 0 ? { model_work_layers: modelWorkLayers } : {}),
        },
        'real',
      );
      return { header, ...finishTrace(header, events, violations, endUs), violations, requests };
    },
  };
}
