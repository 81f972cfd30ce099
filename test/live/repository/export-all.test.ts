import { afterAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-node';
import { configCorpus } from './config-corpus.ts';
import { repositoryModel, MODEL_FILE, MODEL_VERSION, type RepositoryModel } from '../../../live/repository/repository-model.ts';
import { CONFIG_FILE, writeRepositoryModel } from '../../../live/repository/write-repository.ts';
import { onnxSignature } from '../../../live/onnx/model-signature.ts';
import { loadLikeTriton } from '../../../live/repository/load-like-triton.ts';
import { stateTensorProblem, tritonOnnxLoadError } from '../../../live/repository/triton-onnx-load-checks.ts';
import { liveTensorSpec } from '../../../live/tensor-spec.ts';
import { verifyAccumulatorSession } from '../../../live/verify-model.ts';
import { RandomStreams } from '../../../sim/kernel/random.ts';
import { parsePbtxt } from '../../../src/config/pbtxt.ts';
import { writePbtxt } from '../../../src/config/pbtxt-writer.ts';
import { normalizeModelConfig } from '../../../src/config/normalize.ts';
import { readFileSync } from 'node:fs';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const PYTHON = join(root, '.venv/bin/python');
const corpus = configCorpus();
const dir = mkdtempSync(join(tmpdir(), 'seqsim-repo-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Each export goes to its own repository (several configs share a model name). */
const exports = corpus.map((entry, index) => {
  const exported = repositoryModel(entry.model, entry.normalized, { workLayers: index % 5 === 0 ? 2 : 0 });
  const repository = join(dir, `r${index}`);
  writeRepositoryModel(repository, exported);
  return { ...entry, exported, repository };
});

describe('every config seqsim simulates exports to a model repository Triton loads', () => {
  it('the corpus covers the shipped examples, the zoo, the fixtures and the written variants', () => {
    expect(corpus.length).toBeGreaterThan(60);
    expect(corpus.some((entry) => entry.model.maxBatchSize === 0)).toBe(true);
    expect(corpus.some((entry) => entry.model.controls.corrid !== undefined && entry.model.controls.end === undefined)).toBe(true);
  });

  for (const entry of exports) {
    describe(entry.label, () => {
      const exported: RepositoryModel = entry.exported;

      it("passes the load checks of Triton's onnxruntime backend and has the state tensors the first inference needs", () => {
        const signature = onnxSignature(exported.model);
        expect(tritonOnnxLoadError(exported.config, signature)).toBeUndefined();
        expect(stateTensorProblem(exported.config, signature)).toBeUndefined();
        // Implicit state is declared exactly when the model has state tensors, and it always has.
        expect((exported.config['sequence_batching'] as { state: unknown[] }).state.length).toBeGreaterThan(0);
      });

      it('writes a canonical config.pbtxt that reads back to the same config and simulates the same model', () => {
        const text = readFileSync(join(entry.repository, exported.name, CONFIG_FILE), 'utf8');
        expect(text).toBe(writePbtxt(exported.config));
        const parsed = parsePbtxt(text, CONFIG_FILE);
        expect(JSON.stringify(parsed)).toBe(JSON.stringify(exported.config));
        const reread = normalizeModelConfig(parsed, { file: CONFIG_FILE, field: '', modelDir: join(entry.repository, exported.name) }).config;
        // Only the state section may differ (the export declares the state seqsim keeps per slot).
        const { states: _a, ...simulated } = entry.model;
        const { states: _b, ...exportedSimulated } = reread;
        expect(exportedSimulated).toEqual(simulated);
        expect(reread.initialStateValue).toBe(entry.model.initialStateValue);
      });

      it('loads in ONNX Runtime, whose view of the interface also passes the checks and equals the file', async () => {
        const session = await loadLikeTriton(exported);
        const file = onnxSignature(exported.model);
        expect(session.inputs).toEqual(file.inputs);
        expect(session.outputs).toEqual(file.outputs);
      });

      it('computes what the reference accumulator computes, row by row', async (context) => {
        const spec = liveTensorSpec(entry.model, entry.normalized);
        if (spec.otherInputs.some((input) => input.onnxType === 'BFLOAT16' && !input.optional)) context.skip();
        const session = await ort.InferenceSession.create(exported.model, { executionProviders: ['cpu'] });
        const check = await verifyAccumulatorSession(session, entry.model, spec, new RandomStreams(11).stream('workload'), 25);
        expect(check.mismatches).toEqual([]);
        await session.release();
      });
    });
  }

  it("Triton's ModelConfig proto (protobuf's own text parser) reads every config.pbtxt as the config seqsim wrote", () => {
    const configs = exports.map((entry) => join(entry.repository, entry.exported.name, CONFIG_FILE));
    const script = [
      'import sys, json',
      'from google.protobuf import text_format, json_format',
      'from tritonclient.grpc import model_config_pb2',
      'out = []',
      'for path in sys.argv[1:]:',
      '    config = text_format.Parse(open(path).read(), model_config_pb2.ModelConfig())',
      '    out.append(json_format.MessageToDict(config, preserving_proto_field_name=True))',
      'print(json.dumps(out))',
    ].join('\n');
    const run = python(script, configs);
    const parsed = JSON.parse(run) as unknown[];
    for (const [index, entry] of exports.entries()) expect(sameMessage(entry.exported.config, parsed[index]), entry.label).toBe(true);
  }, 120_000);

  it("every exported model passes the onnx package's checker (check_model, full_check)", () => {
    const models = exports.map((entry) => join(entry.repository, entry.exported.name, MODEL_VERSION, MODEL_FILE));
    const checked = python(
      'import sys, onnx\nfor path in sys.argv[1:]:\n    onnx.checker.check_model(path, full_check=True)\nprint(len(sys.argv) - 1)',
      models,
    );
    expect(checked.trim()).toBe(String(models.length));
  }, 120_000);
});

/** Runs a script in the project's Python test environment; its stderr must stay empty. */
function python(script: string, args: readonly string[]): string {
  if (!existsSync(PYTHON)) throw new Error(`no Python test environment at ${PYTHON}: run .ci/python-env`);
  const run = spawnSync(PYTHON, ['-c', script, ...args], { encoding: 'utf8', timeout: 120_000, maxBuffer: 64 * 1024 * 1024 });
  expect(run.stderr).toBe('');
  expect(run.status).toBe(0);
  return run.stdout;
}

/**
 * The same config in seqsim's JSON form and in protobuf's (MessageToDict): protobuf leaves out
 * fields at their default (false, 0, "", empty lists and maps) and writes 64-bit integers as
 * strings; everything else must be equal.
 */
function sameMessage(ours: unknown, theirs: unknown): boolean {
  if (theirs === undefined) return isDefault(ours);
  if (typeof ours === 'number' && typeof theirs === 'string') return String(ours) === theirs;
  if (Array.isArray(ours)) return Array.isArray(theirs) && ours.length === theirs.length && ours.every((item, i) => sameMessage(item, theirs[i]));
  if (typeof ours === 'object' && ours !== null) {
    if (typeof theirs !== 'object' || theirs === null || Array.isArray(theirs)) return false;
    const mine = ours as Record<string, unknown>;
    const other = theirs as Record<string, unknown>;
    return [...new Set([...Object.keys(mine), ...Object.keys(other)])].every((key) => sameMessage(mine[key], other[key]));
  }
  return Object.is(ours, theirs);
}

/** model_config.proto's enum values numbered 0 (protobuf leaves them out like any default). */
const ZERO_ENUMS = new Set([
  'TYPE_INVALID',
  'KIND_AUTO',
  'CONTROL_SEQUENCE_START',
  'FORMAT_NONE',
  'PRIORITY_DEFAULT',
  'BATCH_ELEMENT_COUNT',
  'BATCH_SCATTER_WITH_INPUT_SHAPE',
  'REJECT',
]);

function isDefault(value: unknown): boolean {
  if (value === false || value === 0 || value === '') return true;
  if (typeof value === 'string' && ZERO_ENUMS.has(value)) return true;
  if (Array.isArray(value)) return value.length === 0;
  // An empty message that is set (`direct {}`) is not a default: protobuf keeps it as {}.
  return false;
}
