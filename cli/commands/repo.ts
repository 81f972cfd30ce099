import type { Argv } from 'yargs';
import { loadScenarioFile } from '../../src/scenario/load.ts';
import type { SeqsimCommand } from '../command.ts';
import { EXIT_OK } from '../exit-codes.ts';
import { parseModelWork } from '../options.ts';
import { repositoryModel } from '../../live/repository/repository-model.ts';
import { writeRepositoryModel } from '../../live/repository/write-repository.ts';
import { loadLikeTriton } from '../../live/repository/load-like-triton.ts';

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
      .option('model-work', {
        type: 'number',
        describe: 'add N dense 256×256 layers per row to the model (an extra output the config lists), as seqsim live --model-work',
      })
      .option('json', { type: 'boolean', default: false, describe: 'print what was written as JSON' }),
  async run(args, io) {
    const file = String(args['scenario']);
    const scenario = loadScenarioFile(file);
    const workLayers = parseModelWork(args, false);
    const exported = repositoryModel(scenario.model, scenario.normalized['model'] as Record<string, unknown>, { workLayers, source: { file, field: 'model' } });
    // The load checks again, on the interface ONNX Runtime reports (what Triton's backend reads).
    await loadLikeTriton(exported);
    const notes = [...exported.notes];
    const reloads = scenario.lifecycle.filter((event) => event.kind === 'load').length;
    if (reloads > 0) notes.push(`the scenario's lifecycle loads ${reloads} other config${reloads === 1 ? '' : 's'}: the repository holds the first one`);
    const output = String(args['output']);
    const written = writeRepositoryModel(output, exported);
    if (args['json']) {
      io.out(`${JSON.stringify({ model: exported.name, repository: output, files: written, notes })}\n`);
      return EXIT_OK;
    }
    for (const path of written) io.out(`wrote ${path}\n`);
    for (const note of notes) io.out(`note: ${note}\n`);
    io.out(`serve it: tritonserver --model-repository ${output}\n`);
    return EXIT_OK;
  },
};
