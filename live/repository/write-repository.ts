import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { writePbtxt } from '../../src/config/pbtxt-writer.ts';
import { MODEL_VERSION, type RepositoryModel } from './repository-model.ts';

/** The config file Triton reads from a model folder. */
export const CONFIG_FILE = 'config.pbtxt';

/**
 * Writes one model folder into a Triton model repository: `<dir>/<name>/config.pbtxt`,
 * `<dir>/<name>/1/<model file>` (model.onnx or model.py) and any other files (initial_state data). Other folders in `dir` are left alone.
 * Returns the paths written.
 */
export function writeRepositoryModel(dir: string, model: RepositoryModel): string[] {
  const folder = join(dir, model.name);
  const files: [string, string | Uint8Array][] = [
    [join(folder, CONFIG_FILE), writePbtxt(model.config, join(folder, CONFIG_FILE))],
    [join(folder, MODEL_VERSION, model.modelFile), model.model],
    ...[...model.files].map(([path, bytes]): [string, Uint8Array] => [join(folder, path), bytes]),
  ];
  for (const [path, content] of files) {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, content);
  }
  return files.map(([path]) => path);
}
