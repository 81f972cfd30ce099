import { InputError, UsageError } from '../../src/core/input-errors.ts';
import type { Argv } from 'yargs';
import { basename, join } from 'node:path';
import { mkdirSync, writeFileSync } from 'node:fs';
import { FileReadProblem, GiB, readBoundedFile } from '../../src/core/bounded-read.ts';
import { dirname } from 'node:path';
import { loadScenarioFile } from '../../src/scenario/load.ts';
import type { SeqsimCommand } from '../command.ts';
import { EXIT_OK, EXIT_VIOLATION } from '../exit-codes.ts';
import { parseDurationMs, parseModelWork, parsePositiveInt, parseSeed } from '../options.ts';
import { checkBatcher, safeName } from './run.ts';
import { PROVIDER_REQUESTS, type ProviderRequest } from '../../live/execution-provider.ts';
import { liveSession } from '../../live/live-session.ts';
import { formatLiveReport } from '../../live/live-report.ts';
import { loadNotes, loadScenario, type LoadSpec } from '../../live/load.ts';
import { runValidation } from '../../live/validate.ts';
import { liveTensorSpec } from '../../live/tensor-spec.ts';
import { buildAccumulatorOnnx } from '../../live/onnx/accumulator-onnx.ts';
import { traceText } from '../../traces/writer.ts';
import { timelineOfTrace } from '../../viz/run-svg.ts';
import { errorMessage } from '../../src/core/error-message.ts';

const DEFAULT_LOAD: LoadSpec = { sequences: 200, sequenceLength: 10, concurrency: 8 };

export const liveCommand: SeqsimCommand = {
  builder: (y: Argv) =>
    y
      .positional('scenario', { type: 'string', describe: 'scenario JSON file (its model config names the tensors)' })
      .option('seed', { type: 'string', describe: "seed (default: the scenario's seed, else 1)" })
      .option('ep', { choices: PROVIDER_REQUESTS, default: 'auto' as const, describe: 'execution provider: auto tries CUDA, then CPU' })
      .option('duration', { type: 'string', default: '60s', describe: 'real-time limit; work still pending then is a liveness violation' })
      .option('model', {
        type: 'string',
        describe: "your own ONNX model (instead of the generated accumulator); its tensors are named by the scenario's model config",
      })
      .option('model-work', {
        type: 'number',
        describe:
          'add N dense 256×256 layers per row to the generated model (an extra output the batcher ignores), so session.run costs what a real model does',
      })
      .option('sequences', { type: 'number', describe: `load mode (perf_analyzer sequence mode): sequences to run (default ${DEFAULT_LOAD.sequences})` })
      .option('sequence-length', { type: 'number', describe: `load mode: requests per sequence (default ${DEFAULT_LOAD.sequenceLength})` })
      .option('concurrency', { type: 'number', describe: `load mode: sequences in flight (default ${DEFAULT_LOAD.concurrency})` })
      .option('batcher', { type: 'string', default: 'real', describe: 'real, or bug:<name> from the bug zoo' })
      .option('trace', { type: 'string', describe: 'trace output path (default out/live/<name>-seed<N>.jsonl)' })
      .option('svg', { type: 'string', describe: 'also write the slot-timeline picture here' })
      .option('write-model', { type: 'string', describe: "also write the generated accumulator ONNX model (from the scenario's config) here" })
      .option('validate', { type: 'boolean', default: false, describe: 'run the live validation suite on the requested provider instead of one scenario' })
      .option('json', { type: 'boolean', default: false, describe: 'print a JSON result on stdout' }),
  async run(args, io) {
    const provider = args['ep'] as ProviderRequest;
    const durationMs = parseDurationMs(String(args['duration']), '--duration');
    if (args['validate']) return await runValidation(provider, durationMs, io, args['json'] === true);
    if (typeof args['scenario'] !== 'string') throw new UsageError('name a scenario file: npx seqsim live <scenario> (or npx seqsim live --validate)');
    const file = args['scenario'];
    let scenario = loadScenarioFile(file);
    const seed = args['seed'] !== undefined ? parseSeed(args['seed']) : (scenario.seed ?? 1);
    const load = loadSpec(args);
    const notes = load !== undefined ? loadNotes(scenario) : [];
    if (load !== undefined) scenario = loadScenario(scenario, load, file);
    const modelWorkLayers = parseModelWork(args, typeof args['model'] === 'string');
    const userModel = typeof args['model'] === 'string' ? readModel(args['model']) : undefined;
    if (typeof args['write-model'] === 'string') {
      const spec = liveTensorSpec(scenario.model, scenario.normalized['model'] as Record<string, unknown>);
      writeFile(args['write-model'], buildAccumulatorOnnx(spec, { workLayers: modelWorkLayers }));
    }
    const batcher = checkBatcher(String(args['batcher']));
    const tracePath = typeof args['trace'] === 'string' ? args['trace'] : join('out', 'live', `${safeName(scenario.name)}-seed${seed}.jsonl`);
    const { result, report } = await liveSession(
      scenario,
      file,
      { seed, provider, durationMs, batcher, modelWorkLayers, notes, ...(userModel ? { userModel } : {}), ...(load ? { load } : {}) },
      tracePath,
    );
    writeFile(tracePath, traceText(result));
    if (typeof args['svg'] === 'string') writeFile(args['svg'], timelineOfTrace(result.header, result.events).svg);
    io.out(args['json'] ? `${JSON.stringify(report)}\n` : formatLiveReport(report));
    return report.violations.length > 0 ? EXIT_VIOLATION : EXIT_OK;
  },
};

function loadSpec(args: Record<string, unknown>): LoadSpec | undefined {
  const given = ['sequences', 'sequence-length', 'concurrency'].filter((flag) => args[flag] !== undefined);
  if (given.length === 0) return undefined;
  return {
    sequences: args['sequences'] !== undefined ? parsePositiveInt(args['sequences'], '--sequences') : DEFAULT_LOAD.sequences,
    sequenceLength: args['sequence-length'] !== undefined ? parsePositiveInt(args['sequence-length'], '--sequence-length') : DEFAULT_LOAD.sequenceLength,
    concurrency: args['concurrency'] !== undefined ? parsePositiveInt(args['concurrency'], '--concurrency') : DEFAULT_LOAD.concurrency,
  };
}

/** The largest ONNX model read (protobuf cannot hold a larger one; its weights would go in external data). */
export const MAX_MODEL_BYTES = 2 * GiB;

export function readModel(path: string): { bytes: Uint8Array; name: string } {
  try {
    return { bytes: readBoundedFile(path, MAX_MODEL_BYTES), name: basename(path) };
  } catch (error) {
    throw new InputError(path, '', `cannot read the ONNX model: ${error instanceof FileReadProblem ? error.problem : errorMessage(error)}`);
  }
}

function writeFile(path: string, text: string | Uint8Array): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
}
