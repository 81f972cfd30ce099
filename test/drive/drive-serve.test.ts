import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { exampleFiles } from '../../cli/commands/examples.ts';
import { loadScenarioFile, parseScenario } from '../../src/scenario/load.ts';
import { SetupError } from '../../src/core/input-errors.ts';
import { STRESS_MODEL_JSON } from '../../sim/generate/sequence-stress.ts';
import { startKserveServer } from '../../live/http/kserve-server.ts';
import { drive } from '../../live/drive/drive.ts';
import { HttpTransport, wireTensors } from '../../live/drive/http-transport.ts';
import { driveAgainstServe, PROTOCOLS, root, transportTo } from './helpers.ts';
import { GrpcTransport } from '../../live/drive/grpc-transport.ts';

const schema = JSON.parse(readFileSync(join(root, 'traces/trace.schema.json'), 'utf8'));
const validate = new Ajv2020({ strict: false }).compile(schema);
/** The shipped examples a client can play (lifecycle ones manage the server) and the drive folder's zoo hunters. */
const topLevelExamples = [
  ...exampleFiles().filter((file) => !file.includes('/lifecycle/')),
  ...['backlog-fifo', 'idle-clock', 'slot-leak'].map((name) => join(root, 'sim/examples/drive', `${name}.json`)),
];

describe.each(PROTOCOLS)('seqsim drive against seqsim serve over %s (CPU ONNX Runtime, the real batcher)', (protocol) => {
  const frontEnd = `kserve-v2-${protocol}`;
  it.each(topLevelExamples)(
    '%s: every answer is the reference’s, the probe admits every slot, 0 violations',
    async (file) => {
      const { report, lines, serverViolations } = await driveAgainstServe(file, { protocol });
      expect(report.violations).toEqual([]);
      expect(serverViolations).toEqual([]);
      expect(report.requests).toBeGreaterThan(0);
      expect(report.probe).toEqual({ slots: expect.any(Number), admitted: (report.probe as { slots: number }).slots });
      // serve answers the statistics extension: this run's executions by batch size.
      expect(report.statistics!.executionCount).toBeGreaterThan(0);
      expect(Object.values(report.statistics!.batchExecutions).reduce((a, b) => a + b, 0)).toBe(report.statistics!.executionCount);
      // The client-side trace: v1, real clock, recorded from the client, every line valid.
      expect(lines[0]).toMatchObject({ type: 'header', version: 1, clock: 'real', recorded_from: 'client', options: { front_end: frontEnd } });
      for (const line of lines) expect(validate(line), JSON.stringify(validate.errors)).toBe(true);
      expect(lines.at(-1)).toMatchObject({ type: 'summary', violations: 0 });
      expect(lines.filter((l) => l['type'] === 'send').length).toBe(report.requests);
    },
    60_000,
  );

  it('the client-faults example: every client-side fault is committed and recorded, and the server still passes', async () => {
    const { report, events, serverViolations } = await driveAgainstServe(join(root, 'sim/examples/drive/client-faults.json'), { protocol });
    expect(report.violations).toEqual([]);
    expect(serverViolations).toEqual([]);
    const faults = events.filter((e) => e.type === 'fault').map((e) => (e.type === 'fault' ? `${e.kind}${e['misuse'] ? `:${e['misuse']}` : ''}` : ''));
    expect(new Set(faults)).toEqual(
      new Set([
        'burst',
        'misuse:missing_start',
        'misuse:start_on_active',
        'misuse:id_zero',
        'misuse:id_retyped',
        'disconnect',
        'cancel',
        'request_drop',
        'response_drop',
      ]),
    );
    const errorOf = (request: string) => events.find((e) => e.type === 'response' && e.request === request && 'error' in e);
    expect(errorOf('1:0')).toMatchObject({ error: { code: 'INVALID_ARG', message: expect.stringMatching(/must specify the START flag/) } });
    // Over HTTP the trace keeps the status the code was read from; gRPC's status is the code itself.
    expect((errorOf('1:0') as Record<string, unknown> | undefined)?.['http_status']).toBe(protocol === 'http' ? 400 : undefined);
    expect(errorOf('3:1')).toMatchObject({ sequence: 0, error: { message: expect.stringMatching(/non-zero or non-empty correlation ID/) } });
    expect(errorOf('4:1')).toMatchObject({
      sequence: '4',
      error: { message: expect.stringMatching(/data-type is 'BYTES', but model 'acc_client_faults' expects 'UINT64'/) },
    });
    // The disconnected client never sent step 1; the cancelled request was aborted; a timed-out step was sent again.
    expect(events.some((e) => e.type === 'send' && e.request === '5:1')).toBe(false);
    expect(events).toContainEqual(expect.objectContaining({ type: 'cancel', request: '6:1' }));
    expect(events).toContainEqual(expect.objectContaining({ type: 'error', request: '7:1', reason: 'timeout' }));
    expect(events).toContainEqual(expect.objectContaining({ type: 'send', request: '7:1~r1', retry_of: '7:1' }));
    expect(report.notes).toEqual([]);
  }, 60_000);

  it("Triton's stress workload (2 threads × 15 iterations) ends with 0 violations", async () => {
    const scenario = parseScenario(
      {
        name: 'stress',
        model: { ...STRESS_MODEL_JSON, sequence_batching: { ...(STRESS_MODEL_JSON['sequence_batching'] as object), max_sequence_idle_microseconds: 300_000 } },
        sequences: [],
      },
      'stress',
      '.',
    );
    const { report, serverViolations } = await driveAgainstServe('', { protocol, scenario, spec: { stress: { threads: 2, iterations: 15 }, seed: 4 } });
    expect(report.violations).toEqual([]);
    expect(serverViolations).toEqual([]);
    expect(report.workload).toBe('stress (2 threads × 15 iterations)');
    expect(report.requests).toBeGreaterThan(100);
    expect(report.errors).toBe(report.requests - report.outputs - Object.values(report.clientOutcomes).reduce((a, b) => a + b, 0));
  }, 120_000);

  it('a server that cannot be reached, a model it does not serve, a config that differs: one clear line (SetupError), no trace', async () => {
    const scenario = loadScenarioFile(join(root, 'sim/examples/direct-basic.json'));
    const spec = {
      scenario,
      modelName: scenario.model.name,
      seed: 1,
      timeScale: 1,
      concurrency: undefined,
      deadlineUs: 1_000_000,
      slackUs: 100_000,
      tracePath: join(root, 'out', 'never.jsonl'),
    };
    const closed =
      protocol === 'http'
        ? new HttpTransport(new URL('http://127.0.0.1:9'), scenario.model.name, wireTensors(scenario))
        : new GrpcTransport('127.0.0.1:9', scenario.model.name, wireTensors(scenario));
    await expect(drive(closed, spec)).rejects.toThrow(
      protocol === 'http'
        ? /^cannot reach the server at http:\/\/127\.0\.0\.1:9: .*ECONNREFUSED/
        : /^cannot reach the server at 127\.0\.0\.1:9: 14 UNAVAILABLE: No connection established.*ECONNREFUSED/,
    );
    const server = await startKserveServer(scenario, { port: 0, grpcPort: 0, host: '127.0.0.1', provider: 'cpu', drainMs: 1000 });
    try {
      await expect(drive(transportTo(server, protocol, 'nope', scenario), { ...spec, modelName: 'nope' })).rejects.toThrow(
        protocol === 'http'
          ? /does not serve model 'nope' \(HTTP 404: Request for unknown model: 'nope' is not found\); name it with --model/
          : /does not serve model 'nope' \(gRPC 5 NOT_FOUND: Request for unknown model: 'nope' is not found\); name it with --model/,
      );
      // The config read over gRPC (ModelConfig) is compared with the scenario's as HTTP's JSON is.
      const other = loadScenarioFile(join(root, 'sim/examples/oldest-basic.json'));
      const differs = drive(transportTo(server, protocol, scenario.model.name, other), { ...spec, scenario: other });
      await expect(differs).rejects.toThrow(SetupError);
      await expect(differs).rejects.toThrow(
        new RegExp(
          `config of model 'acc_direct' differs from the scenario's: max_batch_size: server "2", scenario "4"; instances: server "2", scenario "1"; ` +
            'strategy: server "direct", scenario "oldest"; slots_per_instance: server "2", scenario "6"',
        ),
      );
    } finally {
      await server.close();
    }
  }, 60_000);
});
