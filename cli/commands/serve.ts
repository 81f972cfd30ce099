import type { Argv } from 'yargs';
import { join } from 'node:path';
import { prepareTracePath } from '../trace-path.ts';
import { loadScenarioFile } from '../../src/scenario/load.ts';
import type { SeqsimCommand } from '../command.ts';
import { EXIT_OK, EXIT_VIOLATION } from '../exit-codes.ts';
import { UsageError } from '../../src/core/input-errors.ts';
import { parseDurationMs, parseModelWork, parsePositiveInt } from '../options.ts';
import { checkBatcher, safeName } from './run.ts';
import { readModel } from './live.ts';
import { PROVIDER_REQUESTS, type ProviderRequest } from '../../live/execution-provider.ts';
import { startKserveServer } from '../../live/http/kserve-server.ts';
import { errorMessage } from '../../src/core/error-message.ts';
import { oneLine } from '../../src/core/terminal-text.ts';

/** A TCP port: 0 (the system picks a free one) to 65535. */
function parsePort(value: unknown, flag: string): number {
  if (value === 0) return 0;
  const port = parsePositiveInt(value, flag);
  if (port > 65_535) throw new UsageError(`${flag} must be a TCP port (0 to 65535), got ${port}`);
  return port;
}

export const serveCommand: SeqsimCommand = {
  builder: (y: Argv) =>
    y
      .positional('scenario', { type: 'string', describe: 'scenario JSON file whose model config is served (its sequences are not sent)', demandOption: true })
      .option('port', { type: 'number', default: 8000, describe: 'HTTP port (0 picks a free one)' })
      .option('grpc-port', { type: 'number', describe: 'also serve KServe v2 gRPC on this port, as Triton does on 8001 (0 picks a free one)' })
      .option('host', { type: 'string', default: '127.0.0.1', describe: 'address to listen on' })
      .option('ep', { choices: PROVIDER_REQUESTS, default: 'auto' as const, describe: 'execution provider' })
      .option('model', { type: 'string', describe: 'your own ONNX model instead of the generated accumulator' })
      .option('model-work', {
        type: 'number',
        describe: 'add N dense 256×256 layers per row to the generated model, so each batch costs what a computing model does',
      })
      .option('batcher', { type: 'string', default: 'real', describe: 'real, or bug:<name> from the bug zoo' })
      .option('drain', { type: 'string', default: '10s', describe: 'on stop, how long accepted requests may take to finish' })
      .option('trace', { type: 'string', describe: 'trace output path (default out/serve/<model>.jsonl)' }),
  async run(args, io) {
    const scenario = loadScenarioFile(String(args['scenario']));
    const port = parsePort(args['port'], '--port');
    const grpcPort = args['grpc-port'] === undefined ? undefined : parsePort(args['grpc-port'], '--grpc-port');
    const drainMs = parseDurationMs(String(args['drain']), '--drain');
    const batcher = checkBatcher(String(args['batcher']));
    const modelWorkLayers = parseModelWork(args, typeof args['model'] === 'string');
    const userModel = typeof args['model'] === 'string' ? readModel(args['model']) : undefined;
    const tracePath = typeof args['trace'] === 'string' ? args['trace'] : join('out', 'serve', `${safeName(scenario.model.name)}.jsonl`);
    prepareTracePath(tracePath);
    const server = await startKserveServer(scenario, {
      port,
      host: String(args['host']),
      provider: args['ep'] as ProviderRequest,
      drainMs,
      batcher,
      file: String(args['scenario']),
      modelWorkLayers,
      ...(grpcPort === undefined ? {} : { grpcPort }),
      ...(userModel ? { userModel } : {}),
      traceFile: tracePath,
      onTraceFull: (checked) =>
        io.err(
          `seqsim serve: note: the trace holds ${checked} events: the oracles check those; later requests are still served and written to ` +
            `${tracePath}, unchecked\n`,
        ),
    });
    const grpc = server.grpcAddress === undefined ? '' : ` and grpc ${server.grpcAddress}`;
    io.out(`serving model '${scenario.model.name}' on ${server.url}${grpc} (KServe v2, ${server.provider}); Ctrl-C stops\n`);
    // A bug that escapes every handler costs what it was doing, never the server (or its trace).
    const survive = (error: unknown): void => io.err(`seqsim serve: internal error (still serving): ${oneLine(errorMessage(error))}\n`);
    process.on('uncaughtException', survive);
    process.on('unhandledRejection', survive);
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    let result: Awaited<ReturnType<typeof server.close>>;
    try {
      result = await server.close();
    } finally {
      process.off('uncaughtException', survive);
      process.off('unhandledRejection', survive);
    }
    if (result.traceWriteFailure !== undefined) io.err(`seqsim serve: the trace ${tracePath} is incomplete: ${result.traceWriteFailure}\n`);
    const unchecked = result.uncheckedEvents > 0 ? ` (the last ${result.uncheckedEvents} events unchecked)` : '';
    io.out(
      `${result.requests} requests, ${result.violations.length === 0 ? 'no violation' : `${result.violations.length} violation(s)`}${unchecked}; ` +
        `trace ${tracePath}\n`,
    );
    for (const violation of result.violations) io.out(`  ✗ ${violation.oracle}: ${violation.message}\n`);
    return result.violations.length > 0 ? EXIT_VIOLATION : EXIT_OK;
  },
};
