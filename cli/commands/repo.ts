import type { Argv } from 'yargs';
import { UsageError } from '../../src/core/input-errors.ts';
import { loadScenarioFile } from '../../src/scenario/load.ts';
import type { SeqsimCommand } from '../command.ts';
import { EXIT_OK } from '../exit-codes.ts';
import { parseDurationMs, parseModelWork } from '../options.ts';
import { repositoryModel, type RepositoryModel } from '../../live/repository/repository-model.ts';
import { PYTHON_STATE_KEYS, pythonRepositoryModel, type PythonStateKey } from '../../live/repository/python-repository-model.ts';
import { writeRepositoryModel } from '../../live/repository/write-repository.ts';
import { loadLikeTriton } from '../../live/repository/load-like-triton.ts';

const BACKENDS = ['onnx', 'python'] as const;

/** Where model.py keeps each sum, for the summary line. */
function stateWords(stateKey: PythonStateKey, hasEnd: boolean): string {
  if (stateKey === 'slot') return 'per slot (a Direct batch row is its slot)';
  return `per correlation id (the CORRID control), ${hasEnd ? 'forgotten on END' : 'kept until the id starts again (the config has no END control)'}`;
}

export const repoCommand: SeqsimCommand = {
  builder: (y: Argv) =>
    y
      .positional('scenario', { type: 'string', demandOption: true, describe: 'scenario JSON file: its model config is the model to export' })
      .option('output', {
        alias: 'o',
        type: 'string',
        demandOption: true,
        describe: 'the model repository folder (created; other models in it are left alone)',
      })
      .option('backend', {
        choices: BACKENDS,
        default: 'onnx' as const,
        describe: "onnx: model.onnx for Triton's onnxruntime backend; python: model.py for Triton's Python backend",
      })
      .option('state-key', {
        choices: PYTHON_STATE_KEYS,
        describe: '--backend python: where model.py keeps each sum (default: slot under Direct, corrid under Oldest)',
      })
      .option('execute-delay', {
        type: 'string',
        describe: '--backend python: each execution sleeps this long (e.g. 1ms), a compute time that lets queues build up',
      })
      .option('cpu', { type: 'boolean', default: false, describe: 'write KIND_GPU instance groups as KIND_CPU with as many instances (a server without GPUs)' })
      .option('model-work', {
        type: 'number',
        describe: 'add N dense 256×256 layers per row to the model (an extra output the config lists), as seqsim live --model-work',
      })
      .option('json', { type: 'boolean', default: false, describe: 'print what was written as JSON' }),
  async run(args, io) {
    const file = String(args['scenario']);
    const backend = String(args['backend']) as (typeof BACKENDS)[number];
    if (backend !== 'python') {
      for (const flag of ['state-key', 'execute-delay']) if (args[flag] !== undefined) throw new UsageError(`--${flag} is for --backend python`);
    } else if (args['model-work'] !== undefined) {
      throw new UsageError('--model-work adds layers to the ONNX accumulator; it is for --backend onnx');
    }
    const scenario = loadScenarioFile(file);
    const source = { file, field: 'model' };
    const normalized = scenario.normalized['model'] as Record<string, unknown>;
    const cpuOnly = args['cpu'] === true;
    let exported: RepositoryModel;
    let state: PythonStateKey | undefined;
    if (backend === 'python') {
      const executeDelayUs = args['execute-delay'] === undefined ? 0 : Math.round(parseDurationMs(String(args['execute-delay']), '--execute-delay') * 1000);
      const python = pythonRepositoryModel(scenario.model, normalized, {
        ...(args['state-key'] !== undefined ? { stateKey: args['state-key'] as PythonStateKey } : {}),
        executeDelayUs,
        cpuOnly,
        sequenceIds: scenario.sequences.map((sequence) => sequence.id),
        source,
      });
      exported = python;
      state = python.stateKey;
    } else {
      exported = repositoryModel(scenario.model, normalized, { workLayers: parseModelWork(args, false), cpuOnly, source });
      // The load checks again, on the interface ONNX Runtime reports (what Triton's backend reads).
      await loadLikeTriton(exported);
    }
    const notes = [...exported.notes];
    const reloads = scenario.lifecycle.filter((event) => event.kind === 'load').length;
    if (reloads > 0) notes.push(`the scenario's lifecycle loads ${reloads} other config${reloads === 1 ? '' : 's'}: the repository holds the first one`);
    const output = String(args['output']);
    const written = writeRepositoryModel(output, exported);
    if (args['json']) {
      const stateKey = state === undefined ? {} : { state_key: state };
      io.out(`${JSON.stringify({ model: exported.name, backend: exported.backend, ...stateKey, repository: output, files: written, notes })}\n`);
      return EXIT_OK;
    }
    for (const path of written) io.out(`wrote ${path}\n`);
    if (state !== undefined) io.out(`state: ${stateWords(state, scenario.model.controls.end !== undefined)}\n`);
    for (const note of notes) io.out(`note: ${note}\n`);
    io.out(`serve it: tritonserver --model-repository ${output}\n`);
    return EXIT_OK;
  },
};
