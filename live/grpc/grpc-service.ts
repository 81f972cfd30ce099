import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { GRPC_SERVICE_PROTO, PROTO_DIR } from '../kserve/protocol-schema.ts';

let serviceClient: grpc.ServiceClientConstructor | undefined;

/**
 * `inference.GRPCInferenceService` from the repo's .proto (loaded once), for the server (`.service`)
 * and drive's client alike: field names as written, 64-bit integers as decimal strings, enums by
 * name, defaults filled in, and `*_choice` naming the oneof member set.
 */
export function inferenceServiceClient(): grpc.ServiceClientConstructor {
  if (serviceClient === undefined) {
    const definition = protoLoader.loadSync(GRPC_SERVICE_PROTO, {
      includeDirs: [PROTO_DIR],
      keepCase: true,
      longs: String,
      enums: String,
      defaults: true,
      oneofs: true,
    });
    const loaded = grpc.loadPackageDefinition(definition) as unknown as { inference: { GRPCInferenceService: grpc.ServiceClientConstructor } };
    serviceClient = loaded.inference.GRPCInferenceService;
  }
  return serviceClient;
}
