// Worker-thread entry for parallel exploration: registers tsx in this thread, then runs chunks.
import { register } from 'tsx/esm/api';

register();
const { runChunk } = await import('./chunk.ts');

export default function run(task) {
  return runChunk(task);
}
