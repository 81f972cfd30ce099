import { ATTRIBUTE_TYPE_INT, ModelProtoType, ONNX_DATA_TYPE, type OnnxElementType } from './onnx-schema.ts';
import type { LiveTensorSpec } from '../tensor-spec.ts';
import { TOOL_VERSION } from '../../traces/version.ts';
import { WORK_OUTPUT, workBranch } from './synthetic-work.ts';

/**
 * Opset 17: every operator used here (Equal, Where, Add, Cast, Identity; MatMul and Tanh for the
 * synthetic work) exists there unchanged.
 */
const OPSET_VERSION = 17;
/** IR version 8 goes with opset 17 and loads in every onnxruntime since 1.11. */
const IR_VERSION = 8;

interface NodeSpec {
  readonly op: string;
  readonly inputs: readonly string[];
  readonly output: string;
  readonly to?: number;
}

interface Initializer {
  readonly name: string;
  readonly type: OnnxElementType;
  readonly value: number | boolean;
}

/**
 * The QA accumulator (shared/spec/qa-sequence-models.md) as an ONNX graph, with the slot state as
 * an explicit input/output pair, as Triton's implicit state hands it to a backend:
 *
 *   base      = START ? initial : STATE_IN
 *   sum       = base + INPUT
 *   STATE_OUT = READY ? sum : STATE_IN        (a padding row leaves the state alone)
 *   OUTPUT    = sum + (END ? CORRID : 0)      (the "dyna" term, only with a CORRID control)
 *
 * Control tensors are compared with their configured true value, so any *_false_true pair works.
 */
export interface AccumulatorOnnxOptions {
  /**
   * Dense layers of synthetic work per row (`seqsim live --model-work`, synthetic-work.ts): an
   * extra WORK output that gives session.run a real model's cost. 0 or absent: none.
   */
  readonly workLayers?: number;
}

export function buildAccumulatorOnnx(spec: LiveTensorSpec, options: AccumulatorOnnxOptions = {}): Uint8Array {
  const accumulatorType: OnnxElementType = spec.dataType === 'TYPE_FP32' ? 'FLOAT' : 'INT32';
  const nodes: NodeSpec[] = [];
  const initializers: Initializer[] = [];
  const graphInputs: { name: string; type: OnnxElementType }[] = [{ name: spec.input, type: accumulatorType }];

  /** A boolean control as a bool tensor (or undefined when the config has no such control). */
  function controlFlag(control: LiveTensorSpec['start'], flag: string): string | undefined {
    if (control === undefined) return undefined;
    graphInputs.push({ name: control.tensorName, type: control.onnxType });
    const trueName = `seqsim_${flag}_true`;
    initializers.push({ name: trueName, type: control.onnxType, value: control.trueValue });
    nodes.push({ op: 'Equal', inputs: [control.tensorName, trueName], output: `seqsim_${flag}` });
    return `seqsim_${flag}`;
  }

  const start = controlFlag(spec.start, 'start');
  const end = controlFlag(spec.end, 'end');
  const ready = controlFlag(spec.ready, 'ready');
  graphInputs.push({ name: spec.stateInput, type: accumulatorType });

  const base = start === undefined ? spec.stateInput : 'seqsim_base';
  if (start !== undefined) initializers.push({ name: 'seqsim_initial', type: accumulatorType, value: spec.initialValue });
  if (start !== undefined) nodes.push({ op: 'Where', inputs: [start, 'seqsim_initial', spec.stateInput], output: base });
  nodes.push({ op: 'Add', inputs: [base, spec.input], output: 'seqsim_sum' });
  if (ready !== undefined) nodes.push({ op: 'Where', inputs: [ready, 'seqsim_sum', spec.stateInput], output: spec.stateOutput });
  else nodes.push({ op: 'Identity', inputs: ['seqsim_sum'], output: spec.stateOutput });

  if (spec.corrid !== undefined && end !== undefined) {
    graphInputs.push({ name: spec.corrid.tensorName, type: spec.corrid.onnxType });
    initializers.push({ name: 'seqsim_zero', type: accumulatorType, value: 0 });
    nodes.push({ op: 'Cast', inputs: [spec.corrid.tensorName], output: 'seqsim_corrid', to: ONNX_DATA_TYPE[accumulatorType] });
    nodes.push({ op: 'Where', inputs: [end, 'seqsim_corrid', 'seqsim_zero'], output: 'seqsim_corrid_term' });
    nodes.push({ op: 'Add', inputs: ['seqsim_sum', 'seqsim_corrid_term'], output: spec.output });
  } else {
    if (spec.corrid !== undefined) graphInputs.push({ name: spec.corrid.tensorName, type: spec.corrid.onnxType });
    nodes.push({ op: 'Identity', inputs: ['seqsim_sum'], output: spec.output });
  }

  const workLayers = options.workLayers ?? 0;
  const outputs = [valueInfo(spec.output, accumulatorType), valueInfo(spec.stateOutput, accumulatorType)];
  const matrices: Record<string, unknown>[] = [];
  if (workLayers > 0) {
    let workInput = spec.input;
    if (accumulatorType !== 'FLOAT') {
      workInput = 'seqsim_work_input';
      nodes.push({ op: 'Cast', inputs: [spec.input], output: workInput, to: ONNX_DATA_TYPE.FLOAT });
    }
    const branch = workBranch(workInput, workLayers);
    nodes.push(...branch.nodes);
    for (const matrix of branch.matrices) {
      matrices.push({ name: matrix.name, dataType: ONNX_DATA_TYPE.FLOAT, dims: [...matrix.dims], rawData: new Uint8Array(matrix.values.buffer) });
    }
    outputs.push(valueInfo(WORK_OUTPUT, 'FLOAT'));
  }

  const model = {
    irVersion: IR_VERSION,
    producerName: 'seqsim',
    producerVersion: TOOL_VERSION,
    docString: 'QA sequence accumulator with explicit per-slot state (shared/spec/qa-sequence-models.md)',
    opsetImport: [{ domain: '', version: OPSET_VERSION }],
    graph: {
      name: 'seqsim_accumulator',
      node: nodes.map((node, index) => ({
        name: `n${index}_${node.op}`,
        opType: node.op,
        input: [...node.inputs],
        output: [node.output],
        attribute: node.to === undefined ? [] : [{ name: 'to', type: ATTRIBUTE_TYPE_INT, i: node.to }],
      })),
      initializer: [...initializers.map(scalarTensor), ...matrices],
      input: graphInputs.map((tensor) => valueInfo(tensor.name, tensor.type)),
      output: outputs,
    },
  };
  const problem = ModelProtoType.verify(model);
  if (problem !== null) throw new Error(`seqsim built an invalid ONNX model: ${problem}`);
  return ModelProtoType.encode(ModelProtoType.fromObject(model)).finish();
}

/** Every tensor is [batch, 1]: Triton's dims [1] plus the batch dimension. */
function valueInfo(name: string, type: OnnxElementType): Record<string, unknown> {
  return {
    name,
    type: { tensorType: { elemType: ONNX_DATA_TYPE[type], shape: { dim: [{ dimParam: 'batch' }, { dimValue: 1 }] } } },
  };
}

/** A scalar constant (broadcast by Equal / Where), stored little-endian in raw_data. */
function scalarTensor(init: Initializer): Record<string, unknown> {
  return { name: init.name, dataType: ONNX_DATA_TYPE[init.type], dims: [], rawData: scalarBytes(init.type, init.value) };
}

function scalarBytes(type: OnnxElementType, value: number | boolean): Uint8Array {
  const numeric = typeof value === 'boolean' ? Number(value) : value;
  switch (type) {
    case 'FLOAT':
      return new Uint8Array(new Float32Array([numeric]).buffer);
    case 'INT32':
      return new Uint8Array(new Int32Array([numeric]).buffer);
    case 'UINT32':
      return new Uint8Array(new Uint32Array([numeric]).buffer);
    case 'INT64':
      return new Uint8Array(new BigInt64Array([BigInt(numeric)]).buffer);
    case 'UINT64':
      return new Uint8Array(new BigUint64Array([BigInt(numeric)]).buffer);
    case 'BOOL':
      return new Uint8Array([numeric === 0 ? 0 : 1]);
    case 'STRING':
      throw new Error('string constants are not used by the accumulator');
  }
}
