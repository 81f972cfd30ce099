import { spawn, type ChildProcess } from 'node:child_process';
import * as http from 'node:http';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packagePath } from '../src/core/package-path.ts';
import { parseScenario } from '../src/scenario/load.ts';
import type { Scenario } from '../src/scenario/types.ts';
import { drive } from '../live/drive/drive.ts';
import { HttpTransport, inferBody, wireTensors } from '../live/drive/http-transport.ts';
import { GrpcTransport } from '../live/drive/grpc-transport.ts';
import type { DriveTransport } from '../live/drive/transport.ts';
import { wallClockMs } from '../live/wall-clock.ts';

/** The served model: one instance, batch size 8, Direct, a dyna accumulator (what `bench:live` serves). */
const MODEL = {
  name: 'acc_bench',
  max_batch_size: 8,
  instance_group: [{ count: 1, kind: 'KIND_CPU' }],
  parameters: { intra_op_thread_count: { string_value: '1' } },
  sequence_batching: {
    max_sequence_idle_microseconds: 5_000_000,
    control_input: [
      { name: 'START', control: [{ kind: 'CONTROL_SEQUENCE_START', int32_false_true: [0, 1] }] },
      { name: 'END', control: [{ kind: 'CONTROL_SEQUENCE_END', int32_false_true: [0, 1] }] },
      { name: 'READY', control: [{ kind: 'CONTROL_SEQUENCE_READY', int32_false_true: [0, 1] }] },
    ],
    direct: {},
  },
};

export interface DriveBenchFigures {
  readonly requests: number;
  readonly concurrency: number;
  /** A bare keep-alive HTTP loop (no trace, no oracle, no faults): what the server gives any client. */
  readonly bareAnswersPerS: number;
  readonly bareCpuUsPerRequest: number;
  /** `seqsim drive` on the same workload. */
  readonly driveAnswersPerS: number;
  readonly driveCpuUsPerRequest: number;
  /** Drive's own work per request (trace, oracles, timers, bookkeeping): its CPU minus the bare loop's. */
  readonly overheadCpuUsPerRequest: number;
  readonly traceBytesPerRequest: number;
  /** `seqsim drive --grpc` on the same workload (sync sequences: unary ModelInfer calls on one connection). */
  readonly grpcAnswersPerS: number;
  readonly grpcCpuUsPerRequest: number;
}

/**
 * `npm run bench:drive`: drive's offered load and client overhead per request against `seqsim
 * serve` on loopback. serve runs in a child process, so this process's CPU time is the client's.
 */
export async function benchDrive(sequences: number, length: number, concurrency: number): Promise<DriveBenchFigures> {
  const scenario = parseScenario(
    {
      name: 'bench-drive',
      model: MODEL,
      sequences: Array.from({ length: sequences }, (_, index) => ({
        id: index + 1,
        steps: Array.from({ length }, (_, step) => ({ value: step + 1, start: step === 0, end: step === length - 1 })),
      })),
    },
    '<bench-drive>',
    '.',
  );
  const dir = mkdtempSync(join(tmpdir(), 'seqsim-bench-drive-'));
  const { child, url, grpcAddress } = await startServe(dir);
  try {
    const requests = sequences * length;
    const tracePath = join(dir, 'drive.jsonl');
    const driveRun = (on: Scenario, protocol: 'http' | 'grpc' = 'http') => {
      const transport: DriveTransport =
        protocol === 'http' ? new HttpTransport(url, MODEL.name, wireTensors(on)) : new GrpcTransport(grpcAddress, MODEL.name, wireTensors(on));
      return drive(transport, {
        scenario: on,
        modelName: MODEL.name,
        seed: 1,
        timeScale: 1,
        concurrency,
        deadlineUs: 30_000_000,
        slackUs: 500_000,
        probe: false,
        tracePath,
      });
    };
    // Warm both clients (JIT, the server's sessions, sockets) before measuring either.
    const warmUp = { ...scenario, sequences: scenario.sequences.slice(0, 4 * concurrency) };
    await bareLoop(url, scenario, warmUp.sequences.length, length, concurrency);
    await driveRun(warmUp);
    await driveRun(warmUp, 'grpc');
    const bare = await measure(() => bareLoop(url, scenario, sequences, length, concurrency));
    const driven = await measure(() => driveRun(scenario));
    const traceBytes = statSync(tracePath).size;
    const overGrpc = await measure(() => driveRun(scenario, 'grpc'));
    for (const run of [driven, overGrpc])
      if (run.result.violations.length > 0) throw new Error(`bench:drive found violations: ${run.result.violations[0]!.message}`);
    return {
      requests,
      concurrency,
      bareAnswersPerS: (requests / bare.wallMs) * 1000,
      bareCpuUsPerRequest: bare.cpuUs / requests,
      driveAnswersPerS: (requests / driven.wallMs) * 1000,
      driveCpuUsPerRequest: driven.cpuUs / requests,
      overheadCpuUsPerRequest: (driven.cpuUs - bare.cpuUs) / requests,
      traceBytesPerRequest: traceBytes / requests,
      grpcAnswersPerS: (requests / overGrpc.wallMs) * 1000,
      grpcCpuUsPerRequest: overGrpc.cpuUs / requests,
    };
  } finally {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
    rmSync(dir, { recursive: true, force: true });
  }
}

async function measure<T>(task: () => Promise<T>): Promise<{ result: T; wallMs: number; cpuUs: number }> {
  const cpu = process.cpuUsage();
  const started = wallClockMs();
  const result = await task();
  const used = process.cpuUsage(cpu);
  return { result, wallMs: wallClockMs() - started, cpuUs: used.user + used.system };
}

/** The same sequences through plain keep-alive HTTP: `concurrency` lanes, one connection per sequence. */
async function bareLoop(url: URL, scenario: Scenario, sequences: number, length: number, concurrency: number): Promise<void> {
  const tensors = wireTensors(scenario);
  const target = new URL(`/v2/models/${MODEL.name}/infer`, url);
  let next = 0;
  const lane = async (): Promise<void> => {
    for (let index = next++; index < sequences; index = next++) {
      const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
      for (let step = 0; step < length; step++) {
        const body = inferBody(tensors, { requestId: '', sequenceId: index + 1, start: step === 0, end: step === length - 1, value: step + 1, timeoutUs: 0 });
        await post(target, agent, body);
      }
      agent.destroy();
    }
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
}

function post(target: URL, agent: http.Agent, body: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const request = http.request(
      target,
      { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
      (response) => {
        response.resume();
        response.on('end', () => (response.statusCode === 200 ? resolve() : reject(new Error(`HTTP ${response.statusCode}`))));
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}

async function startServe(dir: string): Promise<{ child: ChildProcess; url: URL; grpcAddress: string }> {
  const scenarioPath = join(dir, 'serve.json');
  writeFileSync(scenarioPath, JSON.stringify({ name: 'bench-drive', model: MODEL, sequences: [] }));
  const child = spawn(
    process.execPath,
    [packagePath('cli/bin.mjs'), 'serve', scenarioPath, '--port', '0', '--grpc-port', '0', '--ep', 'cpu', '--trace', join(dir, 'serve.jsonl')],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const served = await new Promise<{ url: URL; grpcAddress: string }>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`seqsim serve did not start: ${out}`)), 30_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /on (http:\/\/\S+) and grpc (\S+) /.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve({ url: new URL(match[1]!), grpcAddress: match[2]! });
      }
    });
    child.on('exit', (code) => reject(new Error(`seqsim serve exited (${code}): ${out}`)));
  });
  return { child, ...served };
}
