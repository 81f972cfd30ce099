import type { OnnxElementType } from '../onnx/onnx-schema.ts';
import type { OnnxSignature, SignatureTensor } from '../onnx/model-signature.ts';
import { ONNX_TYPE_OF, TRITON_NAME_OF_ONNX } from '../onnx/triton-types.ts';
import type { DataTypeName } from '../../src/config/enums.ts';

/**
 * What Triton's onnxruntime backend checks when it loads a model next to its config (facts from
 * triton-inference-server/onnxruntime_backend, src/onnxruntime.cc ModelInstanceState: its control,
 * input and output validation, and backend common's sequence-control lookups), with Triton's
 * messages. The config is Triton's JSON form (`seqsim`'s normalised config is one); the model is
 * its session signature. Triton stops at the first problem, so these return the first one.
 *
 * The order is Triton's: the START, END, READY then CORRID control tensors (present, dims [1],
 * the configured data type), then the input count (config inputs less optional ones, plus batch
 * inputs, controls and state inputs), then each config input (name, data type, dims; the batch
 * dimension only when max_batch_size > 0), then each config output (the same, dims exactly).
 * Triton's own check of state outputs never runs (it sits behind an inverted condition), so state
 * tensors are only counted at load; `stateTensorProblem` checks what the first inference needs.
 */
export function tritonOnnxLoadError(config: Readonly<Record<string, unknown>>, model: OnnxSignature): string | undefined {
  const name = String(config['name'] ?? '');
  const maxBatchSize = Number(config['max_batch_size'] ?? 0);
  const inputs = list(config['input']);
  let expectedInputs = inputs.length - inputs.filter((input) => input['optional'] === true).length + list(config['batch_input']).length;

  const batching = config['sequence_batching'];
  if (isObject(batching)) {
    for (const kind of ['CONTROL_SEQUENCE_START', 'CONTROL_SEQUENCE_END', 'CONTROL_SEQUENCE_READY', 'CONTROL_SEQUENCE_CORRID'] as const) {
      const control = controlTensor(batching, kind);
      if (control === undefined) continue;
      const problem = controlProblem(name, maxBatchSize, control, model);
      if (problem !== undefined) return problem;
      expectedInputs++;
    }
    expectedInputs += list(batching['state']).length;
  }
  return inputsProblem(name, maxBatchSize, inputs, expectedInputs, model) ?? outputsProblem(name, maxBatchSize, config, model);
}

interface ControlTensor {
  readonly tensorName: string;
  readonly dataType: string;
}

/**
 * The tensor of one control kind and the data type the backend expects for it: from the
 * *_false_true list present for a boolean control (int32 → TYPE_INT32, fp32 → TYPE_FP32, bool →
 * TYPE_BOOL), from data_type for CORRID. The config's own rules about controls are checked when
 * seqsim reads the config (src/config/controls.ts), with the same messages.
 */
function controlTensor(batching: Record<string, unknown>, kind: string): ControlTensor | undefined {
  for (const input of list(batching['control_input'])) {
    for (const control of list(input['control'])) {
      if ((control['kind'] ?? 'CONTROL_SEQUENCE_START') !== kind) continue;
      const tensorName = String(input['name'] ?? '');
      if (kind === 'CONTROL_SEQUENCE_CORRID') return { tensorName, dataType: String(control['data_type'] ?? 'TYPE_INVALID') };
      const lists: [string, string][] = [
        ['int32_false_true', 'TYPE_INT32'],
        ['fp32_false_true', 'TYPE_FP32'],
        ['bool_false_true', 'TYPE_BOOL'],
      ];
      const found = lists.find(([key]) => Array.isArray(control[key]) && (control[key] as unknown[]).length > 0);
      return { tensorName, dataType: found?.[1] ?? 'TYPE_INVALID' };
    }
  }
  return undefined;
}

function controlProblem(model: string, maxBatchSize: number, control: ControlTensor, signature: OnnxSignature): string | undefined {
  const tensor = signature.inputs.find((input) => input.name === control.tensorName);
  if (tensor === undefined) return `configuration specified sequence control '${control.tensorName}', but model does not provide that input`;
  const debatched = maxBatchSize > 0 ? tensor.dims.slice(1) : tensor.dims;
  if (debatched.length !== 1 || debatched[0] !== 1) {
    return `unable to load model '${model}', sequence control '${control.tensorName}' in model has dims ${shapeText(debatched)} but dims [1] is expected`;
  }
  if (onnxTypeOfConfig(control.dataType) !== tensor.type || tensor.type === undefined) {
    return (
      `unable to load model '${model}', sequence control '${control.tensorName}', the model expects data-type ${onnxTypeName(tensor)} but the ` +
      `model configuration specifies data-type ${control.dataType}`
    );
  }
  return undefined;
}

function inputsProblem(
  model: string,
  maxBatchSize: number,
  inputs: readonly Record<string, unknown>[],
  expected: number,
  signature: OnnxSignature,
): string | undefined {
  if (signature.inputs.length !== expected)
    return `unable to load model '${model}', configuration expects ${expected} inputs, model provides ${signature.inputs.length}`;
  // Overridable initializers count as inputs from here on: a request may feed them.
  const available = [...signature.inputs, ...signature.overridableInitializers];
  for (const input of inputs) {
    const name = String(input['name'] ?? '');
    const optional = input['optional'] === true;
    if (optional && maxBatchSize !== 0) return `unable to load model '${model}', optional input '${name}' is not supported for models that support batching`;
    const tensor = available.find((candidate) => candidate.name === name);
    if (tensor === undefined) return `unexpected inference input '${name}', allowed inputs are: ${sortedNames(available)}`;
    const problem = dataTypeProblem(model, 'input', name, String(input['data_type'] ?? 'TYPE_INVALID'), tensor);
    if (problem !== undefined) return problem;
    const dims = configDims(input);
    const ragged = input['allow_ragged_batch'] === true;
    if (optional && ragged) {
      return (
        `unable to load model '${model}', configuration expects model provides input with shape [-1] for ragged input '${name}', which is not ` +
        `supported for optional input`
      );
    }
    if (ragged) {
      if (tensor.dims.length !== 1 || tensor.dims[0] !== -1) {
        return (
          `unable to load model '${model}', configuration expects model provides input with shape [-1]  for ragged input '${name}', model ` +
          `provides ${shapeText(tensor.dims)}`
        );
      }
      continue;
    }
    const shape = shapeProblem(model, name, tensor.dims, dims, maxBatchSize, false);
    if (shape !== undefined) return shape;
  }
  return undefined;
}

function outputsProblem(model: string, maxBatchSize: number, config: Readonly<Record<string, unknown>>, signature: OnnxSignature): string | undefined {
  const batchOutputs = new Set(
    list(config['batch_output']).flatMap((output) => (Array.isArray(output['target_name']) ? output['target_name'].map(String) : [])),
  );
  for (const output of list(config['output'])) {
    const name = String(output['name'] ?? '');
    const tensor = signature.outputs.find((candidate) => candidate.name === name);
    if (tensor === undefined) return `unexpected inference output '${name}', allowed outputs are: ${sortedNames(signature.outputs)}`;
    const problem = dataTypeProblem(model, 'output', name, String(output['data_type'] ?? 'TYPE_INVALID'), tensor);
    if (problem !== undefined) return problem;
    // A batch output's shape need not match the model's.
    if (batchOutputs.has(name)) continue;
    const shape = shapeProblem(model, name, tensor.dims, configDims(output), maxBatchSize, true);
    if (shape !== undefined) return shape;
  }
  return undefined;
}

function dataTypeProblem(model: string, io: 'input' | 'output', name: string, dataType: string, tensor: SignatureTensor): string | undefined {
  const wanted = onnxTypeOfConfig(dataType);
  if (wanted === undefined) return `unsupported datatype ${dataType} for ${io} '${name}' for model '${model}'`;
  if (wanted !== tensor.type) {
    const provided = tensor.type === undefined ? 'INVALID' : TRITON_NAME_OF_ONNX[tensor.type];
    return `unable to load model '${model}', configuration expects datatype ${dataType} for ${io} '${name}', model provides TYPE_${provided}`;
  }
  return undefined;
}

/**
 * The model's shape against the config's dims: with max_batch_size > 0 the model's first
 * dimension must be -1 and the rest must match the dims; without, the model's shape must match
 * the dims. A -1 in the model matches any dim unless `exact` (outputs). A scalar model tensor
 * (no dims) is accepted when every config dim is 1.
 */
function shapeProblem(
  model: string,
  tensor: string,
  modelDims: readonly number[],
  dims: readonly number[],
  maxBatchSize: number,
  exact: boolean,
): string | undefined {
  if (modelDims.length === 0) {
    if (dims.every((dim) => dim === 1)) return undefined;
    return (
      `unable to load model '${model}', scalar tensor '${tensor}', should only provide 1 in the model configuration when the model doesn't ` +
      `support batching. Model configuration provided: ${shapeText(dims)}.`
    );
  }
  const matches = (expected: readonly number[]): boolean =>
    modelDims.length === expected.length && expected.every((dim, i) => (!exact && modelDims[i] === -1) || modelDims[i] === dim);
  if (maxBatchSize > 0) {
    if (modelDims[0] !== -1) {
      return (
        `model '${model}', tensor '${tensor}': for the model to support batching the shape should have at least 1 dimension and the first ` +
        `dimension must be -1; but shape expected by the model is ${shapeText(modelDims)}`
      );
    }
    const full = [-1, ...dims];
    if (matches(full)) return undefined;
    return (
      `model '${model}', tensor '${tensor}': the model expects ${modelDims.length} dimensions (shape ${shapeText(modelDims)}) but the model ` +
      `configuration specifies ${full.length} dimensions (an initial batch dimension because max_batch_size > 0 followed by the explicit tensor ` +
      `shape, making complete shape ${shapeText(full)})`
    );
  }
  if (matches(dims)) return undefined;
  return (
    `model '${model}', tensor '${tensor}': the model expects ${modelDims.length} dimensions (shape ${shapeText(modelDims)}) but the model ` +
    `configuration specifies ${dims.length} dimensions (shape ${shapeText(dims)})`
  );
}

/**
 * What the first inference needs from the state tensors, which Triton does not check at load:
 * each state's input_name is a model input and its output_name a model output, of the state's
 * data type and dims (after the batch dimension when max_batch_size > 0; -1 matches any size).
 */
export function stateTensorProblem(config: Readonly<Record<string, unknown>>, model: OnnxSignature): string | undefined {
  const batching = config['sequence_batching'];
  if (!isObject(batching)) return undefined;
  const batched = Number(config['max_batch_size'] ?? 0) > 0;
  for (const state of list(batching['state'])) {
    const dataType = String(state['data_type'] ?? 'TYPE_INVALID');
    const dims = Array.isArray(state['dims']) ? state['dims'].map(Number) : [];
    for (const [io, key, tensors] of [
      ['input', 'input_name', model.inputs],
      ['output', 'output_name', model.outputs],
    ] as const) {
      const name = String(state[key] ?? '');
      const tensor = tensors.find((candidate) => candidate.name === name);
      if (tensor === undefined) return `state ${io} '${name}' is not a model ${io}: the first inference of a sequence would fail`;
      if (onnxTypeOfConfig(dataType) !== tensor.type) {
        return `state ${io} '${name}' is ${dataType} in the config but ${onnxTypeName(tensor)} in the model: the first inference of a sequence would fail`;
      }
      const modelDims = batched ? tensor.dims.slice(1) : tensor.dims;
      const fits = modelDims.length === dims.length && dims.every((dim, i) => modelDims[i] === -1 || dim === -1 || modelDims[i] === dim);
      if ((batched && tensor.dims[0] !== -1) || !fits) {
        return (
          `state ${io} '${name}' has dims ${shapeText(dims)} in the config but shape ${shapeText(tensor.dims)} in the model: the first inference ` +
          `of a sequence would fail`
        );
      }
    }
  }
  return undefined;
}

/** reshape.shape when the config gives a reshape (the backend checks the model against it), else dims. */
function configDims(io: Record<string, unknown>): number[] {
  const reshape = io['reshape'];
  const source = isObject(reshape) ? reshape['shape'] : io['dims'];
  return Array.isArray(source) ? source.map(Number) : [];
}

function onnxTypeOfConfig(dataType: string): OnnxElementType | undefined {
  return Object.hasOwn(ONNX_TYPE_OF, dataType) ? ONNX_TYPE_OF[dataType as DataTypeName] : undefined;
}

/** How Triton names an ONNX element type in control messages (OnnxDataTypeName: "INT32", "FLOAT"…). */
function onnxTypeName(tensor: SignatureTensor): string {
  if (tensor.type !== undefined) return tensor.type;
  // ONNX's complex types, which Triton names (both as COMPLEX64) but cannot serve.
  return tensor.typeCode === 14 || tensor.typeCode === 15 ? 'COMPLEX64' : 'UNDEFINED';
}

/** Triton's ShapeToString: "[-1,1]". */
export function shapeText(dims: readonly number[]): string {
  return `[${dims.join(',')}]`;
}

/** The names of a std::set<std::string>, as Triton joins them: sorted bytewise, ", " between. */
function sortedNames(tensors: readonly SignatureTensor[]): string {
  return [...new Set(tensors.map((tensor) => tensor.name))].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b))).join(', ');
}

function list(value: unknown): Record<string, unknown>[] {
  return Array.isArray(value) ? value.filter(isObject) : [];
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
