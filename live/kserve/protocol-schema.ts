import { join } from 'node:path';
import protobuf from 'protobufjs';
import { packagePath } from '../../src/core/package-path.ts';

/** The folder holding seqsim's KServe v2 .proto files (shipped with the package). */
export const PROTO_DIR = packagePath('live/kserve/proto');
export const GRPC_SERVICE_PROTO = 'grpc_service.proto';

let root: protobuf.Root | undefined;

/** The protocol's messages, field names as written (snake_case), loaded once. */
export function protocolRoot(): protobuf.Root {
  if (root === undefined) {
    const loaded = new protobuf.Root();
    loaded.resolvePath = (_origin, target) => join(PROTO_DIR, target);
    loaded.loadSync(GRPC_SERVICE_PROTO, { keepCase: true });
    loaded.resolveAll();
    root = loaded;
  }
  return root;
}
