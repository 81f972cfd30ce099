import { describe, expect, it } from 'vitest';
import { tritonErrors } from '../../src/core/errors.ts';
import { formatCorrelationId } from '../../src/core/ids.ts';
import { inferMessage, parseGrpcAddress, readInferResponse } from '../../live/drive/grpc-transport.ts';
import type { WireTensors } from '../../live/drive/http-transport.ts';
import { streamErrorCode } from '../../live/drive/stream-error-code.ts';
import { TransportFailure, type WireRequest } from '../../live/drive/transport.ts';
import { type ModelInferRequestMessage, parseModelInferRequest } from '../../live/grpc/grpc-request.ts';
import { protocolRoot } from '../../live/kserve/protocol-schema.ts';

const tensors: WireTensors = { input: 'INPUT', output: 'OUTPUT', datatype: 'INT32', shape: [1, 1] };
const step = (sequenceId: WireRequest['sequenceId'], extra: Partial<WireRequest> = {}): WireRequest => ({
  requestId: '5:1',
  sequenceId,
  start: true,
  end: false,
  value: 7,
  timeoutUs: 0,
  ...extra,
});

/** The message through the protobuf wire and back, as seqsim serve's gRPC front end decodes it. */
function decoded(message: Record<string, unknown>): ReturnType<typeof parseModelInferRequest> {
  const type = protocolRoot().lookupType('inference.ModelInferRequest');
  const bytes = type.encode(type.fromObject(message)).finish();
  const object = type.toObject(type.decode(bytes), { longs: String, enums: String, defaults: true, oneofs: true });
  return parseModelInferRequest(object as unknown as ModelInferRequestMessage);
}

describe('KServe v2 gRPC messages (drive --grpc)', () => {
  it('sends the sequence parameters as Triton’s clients do; a uint64 id above 2^63 arrives as that uint64', () => {
    const big = inferMessage('m', tensors, step({ u64: '18446744073709551615' }), '5:1');
    expect((big['parameters'] as Record<string, unknown>)['sequence_id']).toEqual({ int64_param: '-1' });
    const request = decoded(big);
    expect(formatCorrelationId(request.sequenceId)).toBe('18446744073709551615');
    expect(request).toMatchObject({ id: '5:1', start: true, end: false, timeoutUs: 0, outputs: ['OUTPUT'] });
    expect(request.inputs[0]).toMatchObject({ name: 'INPUT', datatype: 'INT32', shape: [1, 1] });
    expect(Buffer.from(request.inputs[0]!.bytes).readInt32LE(0)).toBe(7);
    const named = decoded(inferMessage('m', tensors, step('tenant/1', { start: false, end: true, timeoutUs: 1500 }), ''));
    expect(formatCorrelationId(named.sequenceId)).toBe('tenant/1');
    expect(named).toMatchObject({ start: false, end: true, timeoutUs: 1500 });
    expect(formatCorrelationId(decoded(inferMessage('m', tensors, step(42), '')).sequenceId)).toBe('42');
    const fp32 = decoded(inferMessage('m', { ...tensors, datatype: 'FP32', shape: [1] }, step(1, { value: 2.5 }), ''));
    expect(Buffer.from(fp32.inputs[0]!.bytes).readFloatLE(0)).toBe(2.5);
  });

  it('reads OUTPUT from raw contents (Triton’s way) or typed contents; a response without it is a protocol failure', () => {
    const raw = Buffer.alloc(8);
    raw.writeInt32LE(99, 0);
    raw.writeInt32LE(42, 4);
    const outputs = [
      { name: 'OTHER', datatype: 'INT32' },
      { name: 'OUTPUT', datatype: 'INT32' },
    ];
    expect(readInferResponse({ outputs, raw_output_contents: [raw.subarray(0, 4), raw.subarray(4)] }, tensors)).toEqual({ kind: 'output', value: 42 });
    expect(readInferResponse({ outputs: [{ name: 'OUTPUT', datatype: 'INT32', contents: { int_contents: [5] } }], raw_output_contents: [] }, tensors)).toEqual({
      kind: 'output',
      value: 5,
    });
    expect(() => readInferResponse({ outputs: [{ name: 'OTHER' }] }, tensors)).toThrow(TransportFailure);
    expect(() => readInferResponse({ outputs: [{ name: 'OUTPUT', datatype: 'INT32' }], raw_output_contents: [Buffer.alloc(2)] }, tensors)).toThrow(
      /shorter than one element/,
    );
  });

  it('a stream error is only a message: its code is read from it', () => {
    expect(streamErrorCode('')).toBe('CANCELLED');
    expect(streamErrorCode(tritonErrors.backlogTimeout().message)).toBe('UNAVAILABLE');
    expect(streamErrorCode(tritonErrors.stopping().message)).toBe('UNAVAILABLE');
    expect(streamErrorCode('GRPC server is shutting down and has stopped accepting new requests.')).toBe('UNAVAILABLE');
    expect(streamErrorCode("Request for unknown model: 'x' is not found")).toBe('NOT_FOUND');
    expect(streamErrorCode(tritonErrors.missingStart('5', 'm').message)).toBe('INVALID_ARG');
    expect(streamErrorCode(tritonErrors.nullCorrelationId('m').message)).toBe('INVALID_ARG');
  });

  it('--grpc takes HOST:PORT', () => {
    for (const good of ['localhost:8001', '127.0.0.1:1', '[::1]:65535', 'triton.internal:8001']) expect(parseGrpcAddress(good)).toBe(good);
    for (const bad of ['localhost', 'http://localhost:8001', 'localhost:0', 'localhost:65536', ':8001', 'a b:1'])
      expect(() => parseGrpcAddress(bad), bad).toThrow(/--grpc: expected HOST:PORT/);
  });
});
