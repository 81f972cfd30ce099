import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import { loadScenarioFile } from '../../src/scenario/load.ts';
import { startKserveServer, type KserveServer, type ServeResult } from '../../live/http/kserve-server.ts';
import { inferenceServiceClient } from '../../live/grpc/grpc-service.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const examples = join(root, 'sim/examples');

type Message = Record<string, unknown>;
type Callback = (error: grpc.ServiceError | null, response?: Message) => void;
type Client = grpc.Client &
  Record<string, (request: Message, callback: Callback) => grpc.ClientUnaryCall> & { ModelStreamInfer(): grpc.ClientDuplexStream<Message, Message> };

function inferenceClient(address: string): Client {
  const Service = inferenceServiceClient();
  return new Service(address, grpc.credentials.createInsecure()) as unknown as Client;
}

function unary(client: Client, method: string, request: Message): Promise<Message> {
  return new Promise((resolve, reject) => client[method]!(request, (error, response) => (error === null ? resolve(response!) : reject(error))));
}

/** The status a call failed with: [code, details]. */
async function failure(client: Client, method: string, request: Message): Promise<[number, string]> {
  try {
    await unary(client, method, request);
  } catch (error) {
    const status = error as grpc.ServiceError;
    return [status.code, status.details];
  }
  throw new Error(`${method} succeeded`);
}

const int32 = (value: number): Buffer => Buffer.from(new Int32Array([value]).buffer);

/** Triton's Python client's request: raw INT32 contents, the id as int64_param (or string_param). */
function step(model: string, id: number | bigint | string, value: number, flags: { start?: boolean; end?: boolean } = {}, extra: Message = {}): Message {
  return {
    model_name: model,
    inputs: [{ name: 'INPUT', datatype: 'INT32', shape: [1, 1] }],
    raw_input_contents: [int32(value)],
    parameters: {
      sequence_id: typeof id === 'string' ? { string_param: id } : { int64_param: String(id) },
      sequence_start: { bool_param: flags.start ?? false },
      sequence_end: { bool_param: flags.end ?? false },
    },
    ...extra,
  };
}

const outputOf = (response: Message): number => (response['raw_output_contents'] as Buffer[])[0]!.readInt32LE(0);

describe('KServe v2 gRPC front end (seqsim serve --grpc-port)', () => {
  let server: KserveServer;
  let client: Client;
  let result: ServeResult | undefined;
  const model = 'acc_oldest';

  beforeAll(async () => {
    const scenario = loadScenarioFile(join(examples, 'oldest-basic.json'));
    server = await startKserveServer(scenario, { port: 0, grpcPort: 0, host: '127.0.0.1', provider: 'cpu', drainMs: 5000 });
    client = inferenceClient(server.grpcAddress!);
  });

  afterAll(async () => {
    client?.close();
    if (result === undefined) await server?.close();
  });

  it('answers health, metadata, config and statistics as Triton does', async () => {
    expect(await unary(client, 'ServerLive', {})).toEqual({ live: true });
    expect(await unary(client, 'ServerReady', {})).toEqual({ ready: true });
    expect(await unary(client, 'ModelReady', { name: model })).toEqual({ ready: true });
    expect(await failure(client, 'ModelReady', { name: 'nope' })).toEqual([grpc.status.NOT_FOUND, "Request for unknown model: 'nope' is not found"]);
    expect(await failure(client, 'ModelReady', { name: model, version: '2' })).toEqual([
      grpc.status.NOT_FOUND,
      `Request for unknown model: '${model}' version 2 is not found`,
    ]);
    const metadata = await unary(client, 'ModelMetadata', { name: model });
    expect(metadata).toMatchObject({ name: model, versions: ['1'], platform: 'onnxruntime_onnx' });
    expect(metadata['inputs']).toEqual([{ name: 'INPUT', datatype: 'INT32', shape: ['-1', '1'] }]);
    const { config } = (await unary(client, 'ModelConfig', { name: model })) as { config: Message };
    expect(config).toMatchObject({ name: model, max_batch_size: 4, backend: 'onnxruntime', platform: 'onnxruntime_onnx' });
    expect(config['sequence_batching']).toMatchObject({ max_sequence_idle_microseconds: '5000000', oldest: { max_candidate_sequences: 6 } });
    expect((config['sequence_batching'] as { control_input: { name: string }[] }).control_input.map((c) => c.name)).toEqual([
      'START',
      'END',
      'READY',
      'CORRID',
    ]);
    expect(await failure(client, 'ModelStatistics', { name: 'nope' })).toEqual([grpc.status.INVALID_ARGUMENT, "requested model 'nope' is not available"]);
  });

  it('runs a sequence over unary ModelInfer with int64_param ids; the END output adds the CORRID', async () => {
    const outputs: number[] = [];
    for (const [index, value] of [3, 4, 5].entries()) {
      const response = await unary(client, 'ModelInfer', step(model, 61, value, { start: index === 0, end: index === 2 }, { id: `r${index}` }));
      expect(response).toMatchObject({ model_name: model, model_version: '1', id: `r${index}` });
      expect(response['outputs']).toEqual([{ name: 'OUTPUT', datatype: 'INT32', shape: ['1', '1'], parameters: {}, contents: null }]);
      outputs.push(outputOf(response));
    }
    expect(outputs).toEqual([3, 7, 12 + 61]);
    // Typed contents work as well as raw bytes.
    const typed = step(model, 62, 9, { start: true, end: true }, { raw_input_contents: [] });
    (typed['inputs'] as Message[])[0]!['contents'] = { int_contents: [9] };
    expect(outputOf(await unary(client, 'ModelInfer', typed))).toBe(9 + 62);
  });

  it("refuses sequence misuse with Triton's status and message", async () => {
    expect(await failure(client, 'ModelInfer', step(model, 999, 1))).toEqual([
      grpc.status.INVALID_ARGUMENT,
      `inference request for sequence 999 to model '${model}' must specify the START flag on the first request of the sequence`,
    ]);
    // An int64 id is taken as Triton takes it, two's complement to uint64: -1 is 2^64 - 1, exactly.
    expect((await failure(client, 'ModelInfer', step(model, -1, 1)))[1]).toMatch(/^inference request for sequence 18446744073709551615 to model/);
    expect(await failure(client, 'ModelInfer', step('nope', 1, 1, { start: true }))).toEqual([
      grpc.status.NOT_FOUND,
      "Request for unknown model: 'nope' is not found",
    ]);
    expect(await failure(client, 'ModelInfer', step(model, 0, 1, { start: true }))).toEqual([
      grpc.status.INVALID_ARGUMENT,
      `inference request to model '${model}' must specify a non-zero or non-empty correlation ID`,
    ]);
    // The model's CORRID control is TYPE_UINT64: a string id is the wrong type.
    expect(await failure(client, 'ModelInfer', step(model, 'tenant/1', 1, { start: true }))).toEqual([
      grpc.status.INVALID_ARGUMENT,
      `[request id: <id_unknown>] sequence batching control 'CORRID' data-type is 'BYTES', but model '${model}' expects 'UINT64'`,
    ]);
    expect(await failure(client, 'ModelInfer', step(model, 'x'.repeat(129), 1, { start: true }))).toEqual([
      grpc.status.UNIMPLEMENTED,
      'string correlation ID cannot be longer than 128 characters',
    ]);
  });

  it('answers bad input INVALID_ARGUMENT and keeps serving', async () => {
    const bad = async (request: Message) => failure(client, 'ModelInfer', request);
    const withInput = (fields: Message, extra: Message = {}) =>
      step(model, 70, 1, { start: true }, { inputs: [{ name: 'INPUT', datatype: 'INT32', shape: [1, 1], ...fields }], ...extra });
    expect(await bad(step(model, 70, 1, { start: true }, { parameters: { sequence_id: { uint64_param: '70' } } }))).toEqual([
      grpc.status.INVALID_ARGUMENT,
      "invalid value type for 'sequence_id' parameter, expected int64_param or string_param.",
    ]);
    expect(await bad(step(model, 70, 1, {}, { parameters: { sequence_id: { int64_param: '70' }, sequence_start: { int64_param: '1' } } }))).toEqual([
      grpc.status.INVALID_ARGUMENT,
      "invalid value type for 'sequence_start' parameter, expected bool_param.",
    ]);
    expect(await bad(withInput({ datatype: 'FP32' }))).toEqual([
      grpc.status.INVALID_ARGUMENT,
      `[request id: <id_unknown>] inference input 'INPUT' data-type is 'FP32', but model '${model}' expects 'INT32'`,
    ]);
    expect(await bad(withInput({ datatype: 'INT33' }))).toEqual([
      grpc.status.INVALID_ARGUMENT,
      `[request id: <id_unknown>] inference input 'INPUT' data-type is '<invalid>', but model '${model}' expects 'INT32'`,
    ]);
    expect(await bad(withInput({ contents: { fp32_contents: [1.5] } }, { raw_input_contents: [] }))).toEqual([
      grpc.status.INVALID_ARGUMENT,
      `unexpected explicit tensor data for input tensor 'INPUT' for model '${model}' of type 'FP32', expected datatype 'INT32'`,
    ]);
    expect(await bad(withInput({}, { raw_input_contents: [Buffer.from([1, 2, 3])] }))).toEqual([
      grpc.status.INVALID_ARGUMENT,
      `[request id: <id_unknown>] input byte size mismatch for input 'INPUT' for model '${model}'. Expected 4, got 3`,
    ]);
    expect(await bad(withInput({ contents: { int_contents: [1] } }))).toEqual([
      grpc.status.INVALID_ARGUMENT,
      `contents field must not be specified when using raw_input_contents for 'INPUT' for model '${model}'`,
    ]);
    expect(await bad(withInput({}, { raw_input_contents: [] }))).toEqual([
      grpc.status.INVALID_ARGUMENT,
      `unable to find data for input tensor 'INPUT' for model '${model}' in request.`,
    ]);
    expect((await bad(withInput({ shape: [1, 2] }, { raw_input_contents: [Buffer.alloc(8)] })))[1]).toMatch(
      /^\[request id: <id_unknown>\] unexpected shape for input 'INPUT' for model 'acc_oldest'\. Expected \[-1,1\], got \[1,2\]\. NOTE:/,
    );
    expect(await bad(withInput({ shape: [8, 1] }, { raw_input_contents: [Buffer.alloc(32)] }))).toEqual([
      grpc.status.INVALID_ARGUMENT,
      `[request id: <id_unknown>] inference request batch-size must be <= 4 for '${model}'`,
    ]);
    expect(await bad(withInput({ shape: [2, 1] }, { raw_input_contents: [Buffer.alloc(8)] }))).toEqual([
      grpc.status.INVALID_ARGUMENT,
      `inference request to model '${model}' must specify batch-size 1 due to requirements of sequence batcher`,
    ]);
    expect(await bad(withInput({ name: 'OTHER' }))).toEqual([grpc.status.INVALID_ARGUMENT, `unexpected inference input 'OTHER' for model '${model}'`]);
    expect(await bad(step(model, 70, 1, { start: true }, { outputs: [{ name: 'NOPE' }] }))).toEqual([
      grpc.status.INVALID_ARGUMENT,
      `unexpected inference output 'NOPE' for model '${model}'`,
    ]);
    // Still serving: a whole sequence after all of that.
    const first = await unary(client, 'ModelInfer', step(model, 71, 2, { start: true }));
    const last = await unary(client, 'ModelInfer', step(model, 71, 3, { end: true }));
    expect([outputOf(first), outputOf(last)]).toEqual([2, 5 + 71]);
  });

  it('streams a sequence in order; a bad request on the stream is an error_message and the stream stays open', async () => {
    const stream = client.ModelStreamInfer();
    const received: Message[] = [];
    const ended = new Promise<void>((resolve, reject) => {
      stream.on('data', (message: Message) => received.push(message));
      stream.on('end', resolve);
      stream.on('error', reject);
    });
    stream.write(step(model, 81, 10, { start: true }, { id: 'a' }));
    stream.write(step(model, 82, 1, {}, { id: 'orphan' }));
    stream.write(step(model, 81, 20, {}, { id: 'b' }));
    stream.write(step(model, 81, 30, { end: true }, { id: 'c' }));
    stream.end();
    await ended;
    expect(received.map((message) => message['error_message'])).toEqual([
      '',
      `inference request for sequence 82 to model '${model}' must specify the START flag on the first request of the sequence`,
      '',
      '',
    ]);
    // An error the batcher returns on arrival echoes the request id, as Triton's does.
    expect(received.map((message) => (message['infer_response'] as Message)['id'])).toEqual(['a', 'orphan', 'b', 'c']);
    expect(received.filter((message) => message['error_message'] === '').map((message) => outputOf(message['infer_response'] as Message))).toEqual([
      10,
      30,
      60 + 81,
    ]);
  });

  it('cancelling a call or a stream takes the cancellation path: the batcher answers CANCELLED when it notices; the oracles accept the trace', async () => {
    // Occupy all 6 slots, so new sequences wait in the backlog where a cancel stays pending.
    const holders = [91, 92, 93, 94, 95, 96];
    for (const id of holders) await unary(client, 'ModelInfer', step(model, id, 1, { start: true }));
    const cancelled: Promise<[number, string]> = new Promise((resolve) => {
      const call = client['ModelInfer']!(step(model, 97, 1, { start: true }, { id: 'waiting' }), (error) => resolve([error!.code, error!.details]));
      // A round trip on the same connection: the backlogged request reached the batcher before it.
      void unary(client, 'ServerLive', {}).then(() => call.cancel());
    });
    expect(await cancelled).toEqual([grpc.status.CANCELLED, 'Cancelled on client']);
    const stream = client.ModelStreamInfer();
    stream.on('error', () => {});
    stream.write(step(model, 98, 1, { start: true }));
    await unary(client, 'ServerLive', {});
    stream.cancel();
    await unary(client, 'ServerLive', {});
    // Ending a holder frees a slot: the backlog's cancelled sequences are answered CANCELLED.
    for (const id of holders) await unary(client, 'ModelInfer', step(model, id, 1, { end: true }));
    // A fresh sequence is served afterwards: nothing leaked.
    expect(outputOf(await unary(client, 'ModelInfer', step(model, 99, 4, { start: true, end: true })))).toBe(4 + 99);

    result = await server.close();
    const cancels = result.events.filter((event) => event.type === 'cancel').map((event) => (event as { request: string }).request);
    expect(cancels).toEqual(['97:0', '98:0']);
    const answers = result.events.flatMap((event) => (event.type === 'response' && cancels.includes(event.request) ? [event] : []));
    expect(answers.map((event) => ('error' in event ? event.error.code : 'output'))).toEqual(['CANCELLED', 'CANCELLED']);
    expect(result.violations).toEqual([]);
    expect(result.header.options['front_end']).toBe('kserve-v2-http+grpc');
  });
});
