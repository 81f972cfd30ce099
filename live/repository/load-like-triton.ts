import * as ort from 'onnxruntime-node';
import { errorMessage } from '../../src/core/error-message.ts';
import { sessionSignature, type OnnxSignature } from '../onnx/model-signature.ts';
import type { RepositoryModel } from './repository-model.ts';
import { stateTensorProblem, tritonOnnxLoadError } from './triton-onnx-load-checks.ts';

/**
 * Opens an exported model in ONNX Runtime on the CPU, as Triton's onnxruntime backend does, and
 * runs the backend's load checks on the interface the session reports. A failure here means
 * seqsim generated something its own checks of the file missed: a seqsim bug, thrown as one.
 */
export async function loadLikeTriton(exported: RepositoryModel): Promise<OnnxSignature> {
  let session: ort.InferenceSession;
  try {
    session = await ort.InferenceSession.create(exported.model, { executionProviders: ['cpu'] });
  } catch (error) {
    throw new Error(`seqsim generated a model ONNX Runtime cannot load (a seqsim bug): ${errorMessage(error)}`);
  }
  const signature = sessionSignature(session.inputMetadata, session.outputMetadata, exported.model);
  await session.release();
  const problem = tritonOnnxLoadError(exported.config, signature) ?? stateTensorProblem(exported.config, signature);
  if (problem !== undefined) throw new Error(`seqsim generated a model Triton would not load (a seqsim bug): ${problem}`);
  return signature;
}
