import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TraceEvent } from '../../src/core/events.ts';
import { loadScenarioFile } from '../../src/scenario/load.ts';
import type { Scenario } from '../../src/scenario/types.ts';
import { startKserveServer, type KserveServer } from '../../live/http/kserve-server.ts';
import { drive, type DriveReport, type DriveSpec } from '../../live/drive/drive.ts';
import { HttpTransport, wireTensors } from '../../live/drive/http-transport.ts';
import { GrpcTransport } from '../../live/drive/grpc-transport.ts';
import type { DriveTransport } from '../../live/drive/transport.ts';

export const root = fileURLToPath(new URL('../../', import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), 'seqsim-drive-'));
let runs = 0;

export interface DriveRun {
  readonly report: DriveReport;
  /** Every line of the client-side trace, parsed (header first, summary last). */
  readonly lines: readonly Record<string, unknown>[];
  readonly events: readonly TraceEvent[];
  /** The server's own verdict on what it ran (serve's trace and oracles). */
  readonly serverViolations: readonly { oracle: string; message: string }[];
}

/** The front ends drive speaks: every test against seqsim serve runs on each. */
export const PROTOCOLS = ['http', 'grpc'] as const;
export type Protocol = (typeof PROTOCOLS)[number];

/** drive's transport to a server started with `grpcPort` when `protocol` is gRPC. */
export function transportTo(server: KserveServer, protocol: Protocol, model: string, scenario: Scenario): DriveTransport {
  return protocol === 'grpc'
    ? new GrpcTransport(server.grpcAddress!, model, wireTensors(scenario))
    : new HttpTransport(new URL(server.url), model, wireTensors(scenario));
}

/**
 * `seqsim serve` (in-process, CPU ONNX Runtime, the real batcher or a zoo bug) on free ports,
 * `seqsim drive` against it over HTTP or gRPC, then the server closed.
 */
export async function driveAgainstServe(
  file: string,
  options: {
    readonly protocol?: Protocol;
    readonly batcher?: string;
    readonly modelWorkLayers?: number;
    readonly spec?: Partial<DriveSpec>;
    readonly scenario?: Scenario;
  } = {},
): Promise<DriveRun> {
  const protocol = options.protocol ?? 'http';
  const scenario = options.scenario ?? loadScenarioFile(file);
  const server = await startKserveServer(scenario, {
    port: 0,
    host: '127.0.0.1',
    provider: 'cpu',
    drainMs: 10_000,
    ...(protocol === 'grpc' ? { grpcPort: 0 } : {}),
    ...(options.batcher !== undefined ? { batcher: options.batcher } : {}),
    ...(options.modelWorkLayers !== undefined ? { modelWorkLayers: options.modelWorkLayers } : {}),
  });
  const tracePath = join(scratch, `run-${++runs}.jsonl`);
  let report!: DriveReport;
  let served!: Awaited<ReturnType<typeof server.close>>;
  try {
    report = await drive(transportTo(server, protocol, scenario.model.name, scenario), {
      scenario,
      modelName: scenario.model.name,
      seed: scenario.seed ?? 1,
      timeScale: 1,
      concurrency: undefined,
      deadlineUs: 5_000_000,
      slackUs: 500_000,
      tracePath,
      ...options.spec,
    });
  } finally {
    served = await server.close();
  }
  const lines = readFileSync(tracePath, 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
  return { report, lines, events: lines.slice(1, -1) as unknown as TraceEvent[], serverViolations: served.violations };
}
