import type { InferRequest, InferResult } from '../src/core/request.ts';
import type { Clock, Executor, ResponseSink, Timers } from '../src/core/ports.ts';
import type { Scenario, ScenarioSequence } from '../src/scenario/types.ts';
import type { BatcherOptions, SequenceBatchScheduler } from '../src/batcher/index.ts';
import type { ZooBug } from './zoo/variants.ts';
import type { RandomStream } from './kernel/random.ts';
import type { TraceRecorder } from './recorder.ts';
import type { FaultInjector } from './faults.ts';
import { Connection } from './transport.ts';
import { SimClient, type ServerPort, type SimRequest } from './clients.ts';

export interface WorldParts {
  readonly scenario: Scenario;
  /** The virtual loop in the simulator, the real one in live mode. */
  readonly loop: Clock & Timers;
  /** The batcher's timers (the loop, or the loop with timer-jitter faults). */
  readonly timers: Timers;
  readonly executor: Executor;
  readonly recorder: TraceRecorder;
  readonly faults: FaultInjector | undefined;
  readonly transportStream: RandomStream;
  readonly makeScheduler: ZooBug['make'];
  readonly slotOrder: BatcherOptions['slotOrder'];
}

/** A wired world: the scheduler, and a way to add clients while it runs (live load lanes). */
export interface World {
  readonly scheduler: SequenceBatchScheduler;
  /** When the last response reached its client. */
  lastResponseUs(): number;
  /** The clients started so far (model-checking state digests walk them). */
  readonly clients: readonly SimClient[];
  /** Starts a client for one sequence; `onDone` runs once every step has its final response. */
  addClient(sequence: ScenarioSequence, requestPrefix: string, onDone?: () => void): void;
}

/**
 * Connects clients, transport, server port and scheduler the same way for every run, simulated
 * or live: the batcher never knows which world it is in.
 */
export function buildWorld(parts: WorldParts): World {
  const { loop, recorder, faults, scenario } = parts;
  const responses: ResponseSink = {
    respond: (request, result) => deliverResponse(request, result),
  };
  const scheduler = parts.makeScheduler(
    scenario.model,
    { clock: loop, timers: parts.timers, executor: parts.executor, responses, events: recorder },
    { slotOrder: parts.slotOrder },
  );

  let lastResponseUs = 0;
  const clients: SimClient[] = [];
  function deliverResponse(request: InferRequest, result: InferResult): void {
    const client = (request as SimRequest).client;
    client.connection.sendDown(
      () => `respond:${request.id}`,
      () => {
        lastResponseUs = loop.nowUs();
        client.receive(request, result);
      },
      request,
      [request, result],
    );
  }

  const server: ServerPort = {
    arrive(request) {
      request.arrived = true;
      const error = scheduler.enqueue(request);
      if (error !== null) {
        deliverResponse(request, { error });
        return;
      }
      if (request.cancelPending) scheduler.cancel(request);
    },
    cancel(request) {
      // A cancel that overtook its request on the wire is applied once the request is there.
      if (request.arrived) scheduler.cancel(request);
      else request.cancelPending = true;
    },
  };

  return {
    scheduler,
    clients,
    lastResponseUs: () => lastResponseUs,
    addClient(sequence, requestPrefix, onDone) {
      const connection = new Connection(loop, scenario.transportLatencyUs, parts.transportStream, requestPrefix, sequence.mode === 'stream', faults);
      const client = new SimClient(sequence, requestPrefix, loop, recorder, connection, server, faults, onDone);
      clients.push(client);
      client.begin();
    },
  };
}
