/**
 * `seqsim/live`: the same batcher on a real clock and real ONNX Runtime, and the KServe v2 front
 * end. Loading it loads onnxruntime-node; the main entry point (`seqsim`) does not.
 */
export { runLive, type LiveOptions, type LiveResult } from './run-live.ts';
export { startKserveServer } from './http/kserve-server.ts';
export { buildAccumulatorOnnx } from './onnx/accumulator-onnx.ts';
export { liveTensorSpec } from './tensor-spec.ts';
export { repositoryModel, type RepositoryModel, type RepositoryOptions } from './repository/repository-model.ts';
export {
  pythonRepositoryModel,
  PYTHON_MODEL_TEMPLATE,
  type PythonRepositoryModel,
  type PythonRepositoryOptions,
  type PythonStateKey,
} from './repository/python-repository-model.ts';
export { writeRepositoryModel } from './repository/write-repository.ts';
export { tritonOnnxLoadError, stateTensorProblem } from './repository/triton-onnx-load-checks.ts';
export { onnxSignature, type OnnxSignature } from './onnx/model-signature.ts';
// `seqsim drive`: a scenario or Triton's stress workload against a real KServe v2 server.
export { drive, stressLanes, type DriveSpec, type DriveReport } from './drive/drive.ts';
export { HttpTransport, parseServerUrl, wireTensors, type WireTensors } from './drive/http-transport.ts';
export { GrpcTransport, parseGrpcAddress } from './drive/grpc-transport.ts';
export {
  TransportFailure,
  type DriveTransport,
  type SequenceChannel,
  type WireRequest,
  type WireAnswer,
  type ModelStatistics,
} from './drive/transport.ts';
