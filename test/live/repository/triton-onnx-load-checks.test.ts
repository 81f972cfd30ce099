import { describe, expect, it } from 'vitest';
import { stateTensorProblem, tritonOnnxLoadError } from '../../../live/repository/triton-onnx-load-checks.ts';
import type { OnnxSignature, SignatureTensor } from '../../../live/onnx/model-signature.ts';
import { ONNX_DATA_TYPE, type OnnxElementType } from '../../../live/onnx/onnx-schema.ts';

type Config = Record<string, unknown>;

const tensor = (name: string, type: OnnxElementType, dims: number[] = [-1, 1]): SignatureTensor => ({ name, type, typeCode: ONNX_DATA_TYPE[type], dims });
const io = (name: string, data_type: string, dims: unknown[] = [1], extra: Config = {}): Config => ({ name, data_type, dims, ...extra });
const control = (name: string, kind: string, extra: Config): Config => ({ name, control: [{ kind, ...extra }] });

/** A QA-style config (INPUT, OUTPUT, START, READY, a uint64 CORRID, one state) and the model that matches it. */
function base(): { config: Config; model: OnnxSignature } {
  return {
    config: {
      name: 'm',
      max_batch_size: 4,
      input: [io('INPUT', 'TYPE_INT32')],
      output: [io('OUTPUT', 'TYPE_INT32')],
      sequence_batching: {
        control_input: [
          control('START', 'CONTROL_SEQUENCE_START', { int32_false_true: [0, 1] }),
          control('READY', 'CONTROL_SEQUENCE_READY', { fp32_false_true: [0, 1] }),
          control('CORRID', 'CONTROL_SEQUENCE_CORRID', { data_type: 'TYPE_UINT64' }),
        ],
        state: [{ input_name: 'IS', output_name: 'OS', data_type: 'TYPE_INT32', dims: [1] }],
      },
    },
    model: {
      inputs: [tensor('INPUT', 'INT32'), tensor('START', 'INT32'), tensor('READY', 'FLOAT'), tensor('CORRID', 'UINT64'), tensor('IS', 'INT32')],
      overridableInitializers: [],
      outputs: [tensor('OUTPUT', 'INT32'), tensor('OS', 'INT32')],
    },
  };
}

function withInputs(model: OnnxSignature, replace: Record<string, SignatureTensor | null>): OnnxSignature {
  const inputs = model.inputs.flatMap((input) => (input.name in replace ? (replace[input.name] === null ? [] : [replace[input.name]!]) : [input]));
  return { ...model, inputs };
}

function sequenceBatching(config: Config): Config {
  return config['sequence_batching'] as Config;
}

describe("Triton's onnxruntime backend load checks", () => {
  it('accept a model that matches its config', () => {
    const { config, model } = base();
    expect(tritonOnnxLoadError(config, model)).toBeUndefined();
    expect(stateTensorProblem(config, model)).toBeUndefined();
  });

  describe('control tensors: START, END, READY, then CORRID, each present with dims [1] and the configured type', () => {
    it('a control the model lacks', () => {
      const { config, model } = base();
      expect(tritonOnnxLoadError(config, withInputs(model, { START: null }))).toBe(
        "configuration specified sequence control 'START', but model does not provide that input",
      );
    });

    it('dims other than [1] after the batch dimension (a symbolic dim is -1)', () => {
      const { config, model } = base();
      expect(tritonOnnxLoadError(config, withInputs(model, { START: tensor('START', 'INT32', [-1, 2]) }))).toBe(
        "unable to load model 'm', sequence control 'START' in model has dims [2] but dims [1] is expected",
      );
      expect(tritonOnnxLoadError(config, withInputs(model, { READY: tensor('READY', 'FLOAT', [-1, -1]) }))).toMatch(
        /sequence control 'READY' in model has dims \[-1\]/,
      );
      // Without batching the whole shape is compared.
      expect(tritonOnnxLoadError({ ...config, max_batch_size: 0 }, model)).toBe(
        "unable to load model 'm', sequence control 'START' in model has dims [-1,1] but dims [1] is expected",
      );
    });

    it('the data type its *_false_true list (or CORRID data_type) names', () => {
      const { config, model } = base();
      expect(tritonOnnxLoadError(config, withInputs(model, { READY: tensor('READY', 'INT32') }))).toBe(
        "unable to load model 'm', sequence control 'READY', the model expects data-type INT32 but the model configuration specifies data-type TYPE_FP32",
      );
      expect(tritonOnnxLoadError(config, withInputs(model, { CORRID: tensor('CORRID', 'STRING') }))).toBe(
        "unable to load model 'm', sequence control 'CORRID', the model expects data-type STRING but the model configuration specifies data-type TYPE_UINT64",
      );
    });

    it('in Triton order: START before READY before CORRID', () => {
      const { config, model } = base();
      const broken = withInputs(model, { CORRID: tensor('CORRID', 'INT32'), READY: null, START: tensor('START', 'BOOL') });
      expect(tritonOnnxLoadError(config, broken)).toMatch(/sequence control 'START'/);
    });
  });

  describe('the input count: config inputs (less optional ones) + batch inputs + controls + states', () => {
    it('state tensors in a model whose config has no state section (the old generator)', () => {
      const { config, model } = base();
      delete sequenceBatching(config)['state'];
      expect(tritonOnnxLoadError(config, model)).toBe("unable to load model 'm', configuration expects 4 inputs, model provides 5");
    });

    it('an extra config input the model does not take', () => {
      const { config, model } = base();
      (config['input'] as Config[]).push(io('EXTRA', 'TYPE_FP32', [3]));
      expect(tritonOnnxLoadError(config, model)).toBe("unable to load model 'm', configuration expects 6 inputs, model provides 5");
    });

    it('batch inputs count; optional inputs do not, and may be overridable initializers', () => {
      const { config, model } = base();
      config['batch_input'] = [{ kind: 'BATCH_ELEMENT_COUNT', target_name: ['COUNT'], data_type: 'TYPE_INT32', source_input: ['INPUT'] }];
      expect(tritonOnnxLoadError(config, model)).toMatch(/configuration expects 6 inputs, model provides 5/);
      const nobatch = base();
      nobatch.config['max_batch_size'] = 0;
      (nobatch.config['input'] as Config[]).push(io('MAYBE', 'TYPE_INT32', [1], { optional: true }));
      const flat = (t: SignatureTensor): SignatureTensor => ({ ...t, dims: [1] });
      const model0 = {
        inputs: nobatch.model.inputs.map(flat),
        overridableInitializers: [tensor('MAYBE', 'INT32', [1])],
        outputs: nobatch.model.outputs.map(flat),
      };
      expect(tritonOnnxLoadError(nobatch.config, model0)).toBeUndefined();
    });
  });

  describe('each config input: name, data type, dims', () => {
    it('an optional input in a model that batches', () => {
      const { config, model } = base();
      (config['input'] as Config[]).push(io('MAYBE', 'TYPE_INT32', [1], { optional: true }));
      expect(tritonOnnxLoadError(config, model)).toBe("unable to load model 'm', optional input 'MAYBE' is not supported for models that support batching");
    });

    it('a name the model does not have lists the allowed names, sorted', () => {
      const { config, model } = base();
      expect(tritonOnnxLoadError(config, withInputs(model, { INPUT: tensor('X', 'INT32') }))).toBe(
        "unexpected inference input 'INPUT', allowed inputs are: CORRID, IS, READY, START, X",
      );
    });

    it('a data type the model does not have (Triton names STRING as BYTES), or none at all', () => {
      const { config, model } = base();
      expect(tritonOnnxLoadError(config, withInputs(model, { INPUT: tensor('INPUT', 'FLOAT') }))).toBe(
        "unable to load model 'm', configuration expects datatype TYPE_INT32 for input 'INPUT', model provides TYPE_FP32",
      );
      expect(tritonOnnxLoadError(config, withInputs(model, { INPUT: tensor('INPUT', 'STRING') }))).toMatch(/model provides TYPE_BYTES$/);
      (config['input'] as Config[])[0]!['data_type'] = 'TYPE_INVALID';
      expect(tritonOnnxLoadError(config, model)).toBe("unsupported datatype TYPE_INVALID for input 'INPUT' for model 'm'");
    });

    it('max_batch_size > 0 needs a leading -1; max_batch_size 0 must not have one (the old generator)', () => {
      const { config, model } = base();
      expect(tritonOnnxLoadError(config, withInputs(model, { INPUT: tensor('INPUT', 'INT32', [1]) }))).toBe(
        "model 'm', tensor 'INPUT': for the model to support batching the shape should have at least 1 dimension and the first dimension must be -1; " +
          'but shape expected by the model is [1]',
      );
      const flat = (t: SignatureTensor): SignatureTensor => (t.name === 'INPUT' ? t : { ...t, dims: [1] });
      const nobatch = { ...model, inputs: model.inputs.map(flat) };
      expect(tritonOnnxLoadError({ ...config, max_batch_size: 0 }, nobatch)).toBe(
        "model 'm', tensor 'INPUT': the model expects 2 dimensions (shape [-1,1]) but the model configuration specifies 1 dimensions (shape [1])",
      );
    });

    it('dims after the batch dimension; a -1 in the model matches any input dim; reshape replaces dims', () => {
      const { config, model } = base();
      expect(tritonOnnxLoadError(config, withInputs(model, { INPUT: tensor('INPUT', 'INT32', [-1, 2]) }))).toBe(
        "model 'm', tensor 'INPUT': the model expects 2 dimensions (shape [-1,2]) but the model configuration specifies 2 dimensions (an initial " +
          'batch dimension because max_batch_size > 0 followed by the explicit tensor shape, making complete shape [-1,1])',
      );
      (config['input'] as Config[])[0]!['dims'] = [3];
      expect(tritonOnnxLoadError(config, withInputs(model, { INPUT: tensor('INPUT', 'INT32', [-1, -1]) }))).toBeUndefined();
      (config['input'] as Config[])[0]!['dims'] = [4];
      (config['input'] as Config[])[0]!['reshape'] = { shape: [2, 2] };
      expect(tritonOnnxLoadError(config, withInputs(model, { INPUT: tensor('INPUT', 'INT32', [-1, 2, 2]) }))).toBeUndefined();
      expect(tritonOnnxLoadError(config, withInputs(model, { INPUT: tensor('INPUT', 'INT32', [-1, 4]) }))).toMatch(/making complete shape \[-1,2,2\]/);
    });

    it('a scalar model tensor takes only dims of 1', () => {
      const { config, model } = base();
      expect(tritonOnnxLoadError(config, withInputs(model, { INPUT: tensor('INPUT', 'INT32', []) }))).toBeUndefined();
      (config['input'] as Config[])[0]!['dims'] = [2];
      expect(tritonOnnxLoadError(config, withInputs(model, { INPUT: tensor('INPUT', 'INT32', []) }))).toBe(
        "unable to load model 'm', scalar tensor 'INPUT', should only provide 1 in the model configuration when the model doesn't support batching. " +
          'Model configuration provided: [2].',
      );
    });

    it('a ragged input needs a model shape of exactly [-1], and cannot be optional', () => {
      const { config, model } = base();
      (config['input'] as Config[])[0]!['allow_ragged_batch'] = true;
      expect(tritonOnnxLoadError(config, withInputs(model, { INPUT: tensor('INPUT', 'INT32', [-1]) }))).toBeUndefined();
      expect(tritonOnnxLoadError(config, model)).toBe(
        "unable to load model 'm', configuration expects model provides input with shape [-1]  for ragged input 'INPUT', model provides [-1,1]",
      );
    });
  });

  describe('each config output: name, data type, dims exactly', () => {
    it('a name the model lacks, a wrong type, a symbolic dim where the config has a size', () => {
      const { config, model } = base();
      expect(tritonOnnxLoadError(config, { ...model, outputs: [tensor('OS', 'INT32')] })).toBe("unexpected inference output 'OUTPUT', allowed outputs are: OS");
      expect(tritonOnnxLoadError(config, { ...model, outputs: [tensor('OUTPUT', 'INT64'), tensor('OS', 'INT32')] })).toBe(
        "unable to load model 'm', configuration expects datatype TYPE_INT32 for output 'OUTPUT', model provides TYPE_INT64",
      );
      expect(tritonOnnxLoadError(config, { ...model, outputs: [tensor('OUTPUT', 'INT32', [-1, -1])] })).toMatch(
        /tensor 'OUTPUT': the model expects 2 dimensions \(shape \[-1,-1\]\).*complete shape \[-1,1\]/,
      );
    });

    it('a config output of -1 needs a symbolic model dim (ONNX Runtime must not have inferred a size)', () => {
      const { config, model } = base();
      (config['output'] as Config[])[0]!['dims'] = [-1];
      expect(tritonOnnxLoadError(config, model)).toMatch(/shape \[-1,1\]\) but the model configuration specifies 2 dimensions .*\[-1,-1\]/);
      expect(tritonOnnxLoadError(config, { ...model, outputs: [tensor('OUTPUT', 'INT32', [-1, -1])] })).toBeUndefined();
    });

    it("a batch output's dims are not compared; extra model outputs are allowed", () => {
      const { config, model } = base();
      config['batch_output'] = [{ target_name: ['OUTPUT'], kind: 'BATCH_SCATTER_WITH_INPUT_SHAPE', source_input: ['INPUT'] }];
      const outputs = [tensor('OUTPUT', 'INT32', [-1, 7]), tensor('OS', 'INT32'), tensor('seqsim_work', 'FLOAT')];
      expect(tritonOnnxLoadError(config, { ...model, outputs })).toBeUndefined();
    });
  });

  describe('state tensors, as the first inference needs them (Triton does not check them at load)', () => {
    it('the state input and output, with the state data type and dims', () => {
      const { config, model } = base();
      expect(stateTensorProblem(config, withInputs(model, { IS: tensor('X', 'INT32') }))).toBe(
        "state input 'IS' is not a model input: the first inference of a sequence would fail",
      );
      expect(stateTensorProblem(config, { ...model, outputs: [tensor('OUTPUT', 'INT32'), tensor('OS', 'FLOAT')] })).toBe(
        "state output 'OS' is TYPE_INT32 in the config but FLOAT in the model: the first inference of a sequence would fail",
      );
      expect(stateTensorProblem(config, withInputs(model, { IS: tensor('IS', 'INT32', [-1, 2]) }))).toMatch(
        /state input 'IS' has dims \[1\] in the config but shape \[-1,2\]/,
      );
      expect(stateTensorProblem({ ...config, max_batch_size: 0 }, model)).toMatch(/state input 'IS' has dims \[1\] in the config but shape \[-1,1\]/);
    });
  });
});
