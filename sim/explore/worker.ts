// Worker-thread entry for parallel exploration: one chunk of seeds per task.
import { runChunk, type ChunkResult, type ChunkTask } from './chunk.ts';

export default function run(task: ChunkTask): ChunkResult {
  return runChunk(task);
}
