import type { Argv } from 'yargs';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { SetupError, UsageError } from '../../src/core/input-errors.ts';
import { loadScenarioFile, parseScenario } from '../../src/scenario/load.ts';
import type { Scenario } from '../../src/scenario/types.ts';
import {
  MAX_STRESS_ITERATIONS,
  MAX_STRESS_THREADS,
  STRESS_MODEL_JSON,
  STRESS_SEQUENCE_BOUND_US,
  stressScenarioJson,
} from '../../sim/generate/sequence-stress.ts';
import { driveDifferential, formatDifferential, nothingCompared } from '../../live/drive/compare-sim.ts';
import { drive } from '../../live/drive/drive.ts';
import { formatDriveReport } from '../../live/drive/drive-report.ts';
import { HttpTransport, parseServerUrl, wireTensors } from '../../live/drive/http-transport.ts';
import { GrpcTransport, parseGrpcAddress } from '../../live/drive/grpc-transport.ts';
import type { SeqsimCommand } from '../command.ts';
import { EXIT_OK, EXIT_VIOLATION } from '../exit-codes.ts';
import { parseDurationMs, parsePositiveInt, parseSeed } from '../options.ts';
import { safeName } from './run.ts';

/** Real timing may be this far off (network, a late reaper) when drive reasons about the idle timeout. */
const DEFAULT_SLACK = '500ms';
/** --compare-sim: a gap this close to the idle timeout (or a backlog wait to its timeout) is left to timing. */
const DEFAULT_MARGIN = '5ms';

export const driveCommand: SeqsimCommand = {
  builder: (y: Argv) =>
    y
      .positional('scenario', { type: 'string', describe: "scenario JSON file (with --stress: only its model is used; default Triton's stress model)" })
      .option('url', { type: 'string', describe: 'the server: KServe v2 HTTP, e.g. http://localhost:8000' })
      .option('grpc', { type: 'string', describe: 'or the server: KServe v2 gRPC, HOST:PORT, e.g. localhost:8001 (exclusive with --url)' })
      .option('model', { type: 'string', describe: "the model's name on the server (default: the scenario's)" })
      .option('seed', { type: 'string', describe: "seed of the fault plan and the stress workload (default: the scenario's seed, else 1)" })
      .option('time-scale', {
        type: 'number',
        default: 1,
        describe: "multiply the scenario's client-side times (starts, gaps, cancels, client timeouts) by this",
      })
      .option('concurrency', { type: 'number', describe: 'at most this many sequences in flight (default: as the scenario times them)' })
      .option('deadline', { type: 'string', default: '5s', describe: 'every request must be answered, and every sequence served, within this' })
      .option('slack', { type: 'string', default: DEFAULT_SLACK, describe: 'how far real timing may be off when judging the idle timeout' })
      .option('probe', { type: 'boolean', default: true, describe: 'end with the slot-leak probe (--no-probe: skip it)' })
      .option('stress', {
        type: 'boolean',
        default: false,
        describe: "play Triton's sequence stress workload (L0_sequence_stress) instead of the scenario's sequences",
      })
      .option('threads', { type: 'number', default: 8, describe: 'stress: client threads (lanes)' })
      .option('iterations', { type: 'number', default: 200, describe: 'stress: sequences per thread' })
      .option('write-scenario', { type: 'string', describe: 'stress: write the workload as a scenario file (for seqsim run / explore) and stop' })
      .option('trace', { type: 'string', describe: 'client-side trace path (default out/drive/<name>-seed<N>.jsonl)' })
      .option('svg', { type: 'string', describe: 'also write the client-side timeline here' })
      .option('compare-sim', {
        type: 'boolean',
        default: false,
        describe: "also simulate the scenario and compare, sequence by sequence, the server's answers and batch sizes with seqsim's",
      })
      .option('margin', { type: 'string', default: DEFAULT_MARGIN, describe: 'compare-sim: outcomes this close to a timeout are left to timing' })
      .option('json', { type: 'boolean', default: false, describe: 'print a JSON report on stdout' }),
  async run(args, io) {
    const stress = args['stress'] === true;
    if (!stress && typeof args['scenario'] !== 'string')
      throw new UsageError('name a scenario file: seqsim drive <scenario> --url URL | --grpc HOST:PORT (or seqsim drive --stress)');
    if (!stress && args['write-scenario'] !== undefined) throw new UsageError('--write-scenario writes the stress workload: use it with --stress');
    const scenario = typeof args['scenario'] === 'string' ? loadScenarioFile(args['scenario']) : stressModelScenario();
    const seed = args['seed'] !== undefined ? parseSeed(args['seed']) : (scenario.seed ?? 1);
    const threads = boundedInt(args['threads'], '--threads', MAX_STRESS_THREADS);
    const iterations = boundedInt(args['iterations'], '--iterations', MAX_STRESS_ITERATIONS);
    if (typeof args['write-scenario'] === 'string') {
      const json = stressScenarioJson(seed, threads, iterations, scenario.normalized['model'] as Record<string, unknown>);
      writeFile(args['write-scenario'], scenarioText(json));
      io.out(`wrote the stress workload (seed ${seed}, ${threads} threads × ${iterations} iterations) to ${args['write-scenario']}\n`);
      return EXIT_OK;
    }
    const server = serverOption(args['url'], args['grpc']);
    const timeScale = Number(args['time-scale']);
    if (!Number.isFinite(timeScale) || timeScale <= 0)
      throw new UsageError(`--time-scale must be a positive number, got ${JSON.stringify(args['time-scale'])}`);
    if (stress && args['concurrency'] !== undefined)
      throw new UsageError("--concurrency limits a scenario's sequences; the stress workload runs --threads lanes");
    const concurrency = args['concurrency'] !== undefined ? parsePositiveInt(args['concurrency'], '--concurrency') : undefined;
    const deadlineUs = parseDurationMs(String(args['deadline']), '--deadline') * 1000;
    const slackUs = parseDurationMs(String(args['slack']), '--slack') * 1000;
    if (deadlineUs <= 0) throw new UsageError('--deadline must be longer than 0');
    const compareSim = args['compare-sim'] === true;
    if (compareSim) checkCompareSim(stress, timeScale, concurrency);
    const marginUs = parseDurationMs(String(args['margin']), '--margin') * 1000;
    const modelName = typeof args['model'] === 'string' ? args['model'] : scenario.model.name;
    const name = stress ? `sequence-stress` : scenario.name;
    const tracePath = typeof args['trace'] === 'string' ? args['trace'] : join('out', 'drive', `${safeName(name)}-seed${seed}.jsonl`);
    const transport =
      server.kind === 'http'
        ? new HttpTransport(server.url, modelName, wireTensors(scenario))
        : new GrpcTransport(server.address, modelName, wireTensors(scenario));
    const report = await drive(transport, {
      scenario,
      modelName,
      seed,
      timeScale,
      concurrency,
      // Triton's stress test bounds every sequence by 5 s: the default deadline is the same.
      deadlineUs: stress && args['deadline'] === '5s' ? STRESS_SEQUENCE_BOUND_US : deadlineUs,
      slackUs,
      // The probe's sequences are not the scenario's: the differential's statistics must be the scenario's alone.
      probe: args['probe'] !== false && !compareSim,
      ...(compareSim ? { probeOffReason: "off with --compare-sim (its sequences would change the run's statistics)" } : {}),
      tracePath,
      ...(stress ? { stress: { threads, iterations } } : {}),
      ...(typeof args['svg'] === 'string' ? { svgPath: args['svg'], writeSvg: writeFile } : {}),
    });
    if (!compareSim) {
      io.out(args['json'] ? `${JSON.stringify(report)}\n` : formatDriveReport(report));
      return report.violations.length > 0 ? EXIT_VIOLATION : EXIT_OK;
    }
    const differential = driveDifferential(scenario, report, marginUs);
    io.out(args['json'] ? `${JSON.stringify({ ...report, differential })}\n` : formatDriveReport(report) + formatDifferential(differential));
    if (nothingCompared(differential)) {
      throw new SetupError(
        `compare-sim: nothing was comparable in ${scenario.name}: every sequence was left to timing ` +
          `(${
            Object.entries(differential.excluded)
              .map(([reason, count]) => `${reason} ${count}`)
              .join(', ') || 'no sequences'
          }) and ${differential.batches.why}`,
      );
    }
    const differs = differential.differences.length > 0 || (differential.batches.compared && !differential.batches.equal);
    return report.violations.length > 0 || differs ? EXIT_VIOLATION : EXIT_OK;
  },
};

/** The server from --url (HTTP) or --grpc (gRPC): exactly one of them. */
function serverOption(url: unknown, grpc: unknown): { kind: 'http'; url: URL } | { kind: 'grpc'; address: string } {
  if (url !== undefined && grpc !== undefined) throw new UsageError('--url and --grpc both name the server: give one');
  if (typeof grpc === 'string') return { kind: 'grpc', address: parseGrpcAddress(grpc) };
  if (typeof url === 'string') return { kind: 'http', url: parseServerUrl(url) };
  if (grpc !== undefined || url !== undefined) throw new UsageError('--url and --grpc take a value: --url http://HOST:PORT or --grpc HOST:PORT');
  throw new UsageError('name the server: --url http://HOST:PORT or --grpc HOST:PORT');
}

/** --compare-sim simulates the scenario as written: the same sequences at the same times. */
function checkCompareSim(stress: boolean, timeScale: number, concurrency: number | undefined): void {
  if (stress) throw new UsageError('--compare-sim compares a scenario: write the stress workload with --write-scenario and drive that file with --compare-sim');
  if (timeScale !== 1) throw new UsageError('--compare-sim simulates the scenario at its own times: leave --time-scale at 1');
  if (concurrency !== undefined) throw new UsageError('--compare-sim simulates the scenario as timed: leave out --concurrency');
}

/** The scenario whose model Triton's stress test serves, when --stress names none. */
function stressModelScenario(): Scenario {
  return parseScenario({ name: 'sequence-stress', model: STRESS_MODEL_JSON, sequences: [] }, '<built-in stress model>', '.');
}

/** A scenario file people can read: its fields one per line, each sequence on a line of its own. */
function scenarioText(json: Record<string, unknown>): string {
  const fields = Object.entries(json).map(([key, value]) =>
    key === 'sequences' && Array.isArray(value)
      ? `  "sequences": [\n${value.map((sequence) => `    ${JSON.stringify(sequence)}`).join(',\n')}\n  ]`
      : `  ${JSON.stringify(key)}: ${JSON.stringify(value)}`,
  );
  return `{\n${fields.join(',\n')}\n}\n`;
}

function boundedInt(value: unknown, flag: string, max: number): number {
  const parsed = parsePositiveInt(value, flag);
  if (parsed > max) throw new UsageError(`${flag}: at most ${max}, got ${parsed}`);
  return parsed;
}

function writeFile(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
}
