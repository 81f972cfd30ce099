import * as grpc from '@grpc/grpc-js';
import { inferenceServiceClient } from '../../live/grpc/grpc-service.ts';

type Message = Record<string, unknown>;
type Callback = (error: grpc.ServiceError | null, response?: Message) => void;
export type InferenceClient = grpc.Client & Record<string, (request: Message, options: grpc.CallOptions, callback: Callback) => grpc.ClientUnaryCall>;

/** A client of `inference.GRPCInferenceService` (the repo's .proto). */
export function grpcClient(address: string): InferenceClient {
  const Service = inferenceServiceClient();
  return new Service(address, grpc.credentials.createInsecure()) as unknown as InferenceClient;
}

/** One unary call, settled either way: its status code (0 = OK), details and response. */
export function grpcCall(
  client: InferenceClient,
  method: string,
  request: Message,
  deadlineMs = 10_000,
): Promise<{ code: number; details: string; response?: Message }> {
  return new Promise((resolve) => {
    client[method]!(request, { deadline: Date.now() + deadlineMs }, (error, response) =>
      resolve(error === null ? { code: 0, details: '', ...(response === undefined ? {} : { response }) } : { code: error.code, details: error.details }),
    );
  });
}
