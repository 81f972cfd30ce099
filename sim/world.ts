import type { InferRequest, InferResult } from '../src/core/request.ts';
import type { Clock, Executor, Timers } from '../src/core/ports.ts';
import type { ModelConfig } from '../src/config/types.ts';
import type { Scenario, ScenarioSequence } from '../src/scenario/types.ts';
import type { BatcherOptions, SequenceBatchScheduler } from '../src/batcher/index.ts';
import type { ZooBug } from './zoo/variants.ts';
import type { RandomStream } from './kernel/random.ts';
import type { TraceRecorder } from './recorder.ts';
import type { FaultInjector } from './faults.ts';
import { Connection } from './transport.ts';
import { SimClient, type SimRequest } from './clients.ts';
import { ModelServer } from './model-server.ts';

export interface WorldParts {
  readonly scenario: Scenario;
  /** The virtual loop in the simulator, the real one in live mode. */
  readonly loop: Clock & Timers;
  /** The batcher's timers (the loop, or the loop with timer-jitter faults). */
  readonly timers: Timers;
  readonly executor: Executor;
  /** The backend of a model object a reload builds, from its config and normalised Triton JSON. */
  readonly makeExecutor?: (model: ModelConfig, normalized: Readonly<Record<string, unknown>>) => Executor;
  readonly recorder: TraceRecorder;
  readonly faults: FaultInjector | undefined;
  readonly transportStream: RandomStream;
  readonly makeScheduler: ZooBug['make'];
  readonly onSwap?: ZooBug['onSwap'];
  readonly slotOrder: BatcherOptions['slotOrder'];
}

/** A wired world: the server, and a way to add clients while it runs (live load lanes). */
export interface World {
  /** The first model object's scheduler. */
  readonly scheduler: SequenceBatchScheduler;
  /** Model management: generations, loads, unloads, request binding. */
  readonly server: ModelServer;
  /** When the last response reached its client. */
  lastResponseUs(): number;
  /** The clients started so far (model-checking state digests walk them). */
  readonly clients: readonly SimClient[];
  /** Starts a client for one sequence; `onDone` runs once every step has its final response. */
  addClient(sequence: ScenarioSequence, requestPrefix: string, onDone?: () => void): void;
}

/**
 * Connects clients, transport, server and scheduler the same way for every run, simulated
 * or live: the batcher never knows which world it is in.
 */
export function buildWorld(parts: WorldParts): World {
  const { loop, recorder, faults, scenario } = parts;
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

  const server = new ModelServer({
    scenario,
    loop,
    timers: parts.timers,
    recorder,
    makeScheduler: parts.makeScheduler,
    slotOrder: parts.slotOrder ?? 'triton-heap',
    executor: parts.executor,
    ...(parts.makeExecutor !== undefined ? { makeExecutor: parts.makeExecutor } : {}),
    ...(parts.onSwap !== undefined ? { onSwap: parts.onSwap } : {}),
    deliver: deliverResponse,
  });

  return {
    scheduler: server.firstScheduler,
    server,
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
