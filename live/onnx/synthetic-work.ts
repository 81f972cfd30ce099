/**
 * An optional compute branch for the generated accumulator, so `session.run` costs what a real
 * model's does. The accumulator alone is a handful of element-wise operators: a call costs ONNX
 * Runtime's fixed per-call floor (tens of µs on a CPU), which says little about a batcher serving a
 * model that computes. The branch turns INPUT into a WORK output through `layers` dense
 * WORK_WIDTH × WORK_WIDTH layers per row (Tanh between them); the batcher never reads WORK, and
 * OUTPUT / the state are untouched, so every oracle and the reference outputs still apply.
 */

/** Width of each synthetic layer: 2·256² ≈ 131 kFLOP per row per layer. */
export const WORK_WIDTH = 256;
/** The WORK output's name (chosen so that it cannot clash with a Triton config's tensor names). */
export const WORK_OUTPUT = 'seqsim_work';
/** Bound on `--model-work`: 1024 layers is ~0.13 GFLOP per row, far past any useful benchmark. */
export const MAX_WORK_LAYERS = 1024;

export interface WorkNode {
  readonly op: string;
  readonly inputs: readonly string[];
  readonly output: string;
  readonly to?: number;
}

export interface WorkMatrix {
  readonly name: string;
  readonly dims: readonly number[];
  readonly values: Float32Array;
}

export interface WorkBranch {
  readonly nodes: readonly WorkNode[];
  readonly matrices: readonly WorkMatrix[];
  /** The value holding the work result per row ([rows, 1] FLOAT). */
  readonly output: string;
}

/**
 * The branch's operators, reading `input` (already a FLOAT [rows, 1] column). One weight matrix
 * is shared by every layer, so the model file stays small (256 KiB) however many layers it has.
 */
export function workBranch(input: string, layers: number): WorkBranch {
  if (!Number.isInteger(layers) || layers < 1 || layers > MAX_WORK_LAYERS) {
    throw new RangeError(`model work layers must be an integer in 1..${MAX_WORK_LAYERS}, got ${layers}`);
  }
  const nodes: WorkNode[] = [{ op: 'MatMul', inputs: [input, 'seqsim_work_in'], output: 'seqsim_work_h0' }];
  for (let layer = 1; layer <= layers; layer++) {
    nodes.push({ op: 'MatMul', inputs: [`seqsim_work_h${layer - 1}`, 'seqsim_work_w'], output: `seqsim_work_m${layer}` });
    nodes.push({ op: 'Tanh', inputs: [`seqsim_work_m${layer}`], output: `seqsim_work_h${layer}` });
  }
  nodes.push({ op: 'MatMul', inputs: [`seqsim_work_h${layers}`, 'seqsim_work_out'], output: 'seqsim_work_result' });
  return {
    nodes,
    output: 'seqsim_work_result',
    matrices: [
      { name: 'seqsim_work_in', dims: [1, WORK_WIDTH], values: weights(WORK_WIDTH, (i) => ((i % 7) - 3) / 8) },
      // Small weights keep Tanh out of saturation, so every layer's arithmetic is real work.
      { name: 'seqsim_work_w', dims: [WORK_WIDTH, WORK_WIDTH], values: weights(WORK_WIDTH * WORK_WIDTH, (i) => (((i * 37) % 17) - 8) / (8 * WORK_WIDTH)) },
      { name: 'seqsim_work_out', dims: [WORK_WIDTH, 1], values: weights(WORK_WIDTH, () => 1 / WORK_WIDTH) },
    ],
  };
}

/** Deterministic weights: the model's bytes depend only on its parameters. */
function weights(count: number, valueAt: (index: number) => number): Float32Array {
  const values = new Float32Array(count);
  for (let i = 0; i < count; i++) values[i] = valueAt(i);
  return values;
}
