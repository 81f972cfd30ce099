#!/usr/bin/env node
/**
 * The hostile-input campaign of issue 18, as a script: ~170 malformed or hostile inputs through
 * the compiled CLI (run, viz, report, export, replay, shrink, flags) and through a running
 * `seqsim serve` (HTTP and gRPC), each classified:
 *
 *   clean error   exit 2 with one line "seqsim: …" (replay: exit 1 naming the line where a changed trace
 *                 diverges; a server: a 4xx/5xx JSON error or a gRPC status, still serving)
 *   crash         any other exit (3: internal error, 134: out of memory, a signal) or a stack trace
 *   hang          no end within the time limit (killed)
 *   silent accept exit 0/1 (a server: 200 / OK) for input that is bad
 *
 * A few valid inputs ride along (CRLF traces, --force) and must be accepted ("ok"; otherwise
 * "false refusal"). Prints a table per category and the totals; exits 1 unless crashes, hangs and
 * silent accepts are all 0.
 *
 *   npm run build && node test/tools/hostile-campaign.mjs [--keep]
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const root = fileURLToPath(new URL('../../', import.meta.url));
const bin = join(root, 'cli', 'bin.mjs');
const dir = mkdtempSync(join(tmpdir(), 'seqsim-campaign-'));
const TIME_LIMIT_MS = 30_000;
const results = [];

const file = (name, content) => {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
};

/** Runs the CLI; resolves with { code, signal, out, err, timedOut }. */
function seqsim(args) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, ...args], { cwd: dir });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    child.stderr.on('data', (chunk) => (err += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), TIME_LIMIT_MS);
    const started = Date.now();
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, out, err, timedOut: Date.now() - started >= TIME_LIMIT_MS });
    });
  });
}

function classifyCli(result, bad) {
  if (result.timedOut) return 'hang';
  if (result.signal !== null || /\n\s+at /.test(result.err) || ![0, 1, 2].includes(result.code)) return 'crash';
  if (result.code === 2) return bad ? (/^seqsim: [^\n]+\n$/.test(result.err) ? 'clean error' : 'crash') : 'false refusal';
  // replay's own verdict on a changed trace: exit 1 naming the first line that differs.
  if (bad && result.code === 1 && /^diverged at line \d+\n/.test(result.out)) return 'clean error';
  return bad ? 'silent accept' : 'ok';
}

async function cliCase(category, name, args, bad = true) {
  const result = await seqsim(args);
  results.push({ category, name, verdict: classifyCli(result, bad), detail: (result.err || result.out).trim().split('\n')[0]?.slice(0, 140) ?? '' });
}

// ---------------------------------------------------------------- inputs
const model = { name: 'acc', max_batch_size: 2, instance_group: [{ count: 2 }], sequence_batching: { max_sequence_idle_microseconds: 5000, direct: {} } };
const sequences = [
  { id: 1, steps: [{ value: 1, start: true }, { value: 2 }, { value: 3, end: true }] },
  {
    id: 'b',
    start_us: 20,
    steps: [
      { value: 4, start: true },
      { value: 5, end: true },
    ],
  },
];
const scenario = { name: 'campaign', model, executor: { latency_us: 100 }, sequences };
const scenarioText = JSON.stringify(scenario, null, 2);
const good = file('good.json', scenarioText);
const fifo = join(dir, 'pipe');
spawnSync('mkfifo', [fifo]);

function scenarioCases() {
  const cases = [];
  const add = (name, text) => cases.push([name, file(`s-${cases.length}.json`, text)]);
  // Duplicate keys at every depth.
  const dup = (path, key, value) => {
    const text = scenarioText.replace(new RegExp(`("${key}": [^,\\n]+)`), `$1, "${key}": ${JSON.stringify(value)}`);
    add(`duplicate key ${path}`, text);
  };
  dup('name', 'name', 'other');
  dup('model.name', 'max_batch_size', 8);
  dup('model.sequence_batching', 'max_sequence_idle_microseconds', 1);
  dup('executor.latency_us', 'latency_us', 5);
  dup('sequences[0].id', 'id', 7);
  dup('steps[0].value', 'value', 9);
  dup('steps[0].start', 'start', false);
  dup('sequences[1].start_us', 'start_us', 0);
  // Syntax: cut at many points, stray bytes.
  for (const at of [0, 1, 10, 40, 80, 150, 250, scenarioText.length - 2]) add(`truncated at ${at}`, scenarioText.slice(0, at));
  for (const [label, bytes] of [
    ['escape codes', '\u001b[2J\u001b[31m'],
    ['NUL', '\u0000'],
    ['bidi override', '\u202e'],
    ['trailing comma', ','],
    ['single quote', "'"],
    ['lone surrogate escape', '"\\ud800"'],
    ['bad escape', '"\\q"'],
  ])
    add(`stray ${label}`, scenarioText.replace('"name"', `${bytes}"name"`));
  add('random binary', Buffer.from(Array.from({ length: 400 }, (_, i) => (i * 131 + 7) % 256)));
  add('empty file', '');
  add('deep nesting', `${'['.repeat(100_000)}${']'.repeat(100_000)}`);
  add('a JSON array', '[1, 2, 3]');
  // Values of the wrong kind or range.
  const variant = (name, edit) => {
    const json = structuredClone(scenario);
    edit(json);
    add(name, JSON.stringify(json));
  };
  variant('value 1e300 (INT32)', (j) => (j.sequences[0].steps[0].value = 1e300));
  variant('value 5e9 (INT32)', (j) => (j.sequences[0].steps[0].value = 5_000_000_000));
  variant('value 1.5 (INT32)', (j) => (j.sequences[0].steps[0].value = 1.5));
  variant('value a string', (j) => (j.sequences[0].steps[0].value = '1'));
  variant('id negative', (j) => (j.sequences[0].id = -1));
  variant('id fractional', (j) => (j.sequences[0].id = 1.5));
  variant('id 2^64', (j) => (j.sequences[0].id = { u64: '18446744073709551616' }));
  variant('gap_us negative', (j) => (j.sequences[0].steps[1].gap_us = -5));
  variant('gap_us 2^60', (j) => (j.sequences[0].steps[1].gap_us = 2 ** 60));
  variant('unknown field', (j) => (j.sequences[0].stpes = []));
  variant('no steps', (j) => (j.sequences[0].steps = []));
  variant('model.max_batch_size -1', (j) => (j.model.max_batch_size = -1));
  variant('idle timeout a string of letters', (j) => (j.model.sequence_batching.max_sequence_idle_microseconds = 'soon'));
  // Scheduled faults aimed at nothing.
  const fault = (name, scheduled) => variant(`fault ${name}`, (j) => (j.faults = { scheduled: [scheduled] }));
  fault('request_drop at unknown sequence', { kind: 'request_drop', sequence: 99, step: 0 });
  fault('response_drop at missing step', { kind: 'response_drop', sequence: 1, step: 3 });
  fault('disconnect at "1" (string id)', { kind: 'disconnect', sequence: '1', step: 0 });
  fault('transport_delay at step 100', { kind: 'transport_delay', sequence: 'b', step: 100 });
  fault('cancel at unknown sequence', { kind: 'cancel', sequence: 5, step: 0, after_us: 10 });
  fault('misuse at missing step', { kind: 'misuse', sequence: 'b', step: 2, misuse: 'id_zero' });
  fault('burst with an unknown id', { kind: 'burst', at_us: 10, sequences: [1, 42] });
  fault('burst naming one id twice', { kind: 'burst', at_us: 10, sequences: ['b', 'b'] });
  fault('unknown kind', { kind: 'meteor', sequence: 1, step: 0 });
  // Model files that are not configs, and paths that never end.
  const modelPath = (name, path) => add(`model path ${name}`, JSON.stringify({ ...scenario, model: path }));
  modelPath('/etc/passwd', '/etc/passwd');
  modelPath('/dev/zero', '/dev/zero');
  modelPath('/dev/urandom', '/dev/urandom');
  modelPath('a pipe', fifo);
  modelPath('a folder without config', dir);
  modelPath('missing file', join(dir, 'nope.pbtxt'));
  modelPath('binary file', process.execPath);
  modelPath('pbtxt with a long name', file('long.pbtxt', `${'n'.repeat(100_000)} 5`));
  modelPath('pbtxt nested 10k deep', file('deep.pbtxt', 'a {'.repeat(10_000)));
  modelPath('pbtxt field twice', file('twice.pbtxt', 'name: "a"\nname: "b"\nsequence_batching { direct {} }'));
  modelPath('config .json with a key twice', file('twice.json', '{"name":"a","name":"b","sequence_batching":{"direct":{}}}'));
  return cases;
}

function traceCases(base) {
  const lines = readFileSync(base, 'utf8').trimEnd().split('\n');
  const cases = [];
  const add = (name, text, bad = true) => cases.push([name, file(`t-${cases.length}.jsonl`, text), bad]);
  const edited = (name, type, edit) => {
    const copy = [...lines];
    const index = copy.findIndex((line) => JSON.parse(line).type === type);
    const object = JSON.parse(copy[index]);
    edit(object);
    copy[index] = JSON.stringify(object);
    add(name, `${copy.join('\n')}\n`);
  };
  edited('rows not an array', 'execute', (o) => (o.rows = 5));
  edited('time as a string', 'send', (o) => (o.t = '5'));
  edited('unknown line type', 'arrive', (o) => (o.type = 'teleport'));
  edited('tampered output', 'response', (o) => (o.output = (o.output ?? 0) + 1000));
  edited('summary counts edited', 'summary', (o) => (o.requests += 1));
  edited('summary hash edited', 'summary', (o) => (o.hash = '0'.repeat(64)));
  add('missing summary', `${lines.slice(0, -1).join('\n')}\n`);
  add('line after the summary', `${[...lines, lines[1]].join('\n')}\n`);
  add('second header', `${[lines[0], ...lines].join('\n')}\n`);
  add('truncated mid-line', `${lines.join('\n').slice(0, Math.floor(lines.join('\n').length / 2))}`);
  add('binary garbage', Buffer.from(Array.from({ length: 300 }, (_, i) => (i * 97 + 3) % 256)));
  add('empty file', '');
  add('header only', `${lines[0]}\n`);
  add('a scenario instead', scenarioText);
  add('CRLF line endings (valid)', `${lines.join('\r\n')}\r\n`, false);
  return cases;
}

// ---------------------------------------------------------------- serve
function http(url, method, path, body = Buffer.alloc(0), headers = {}) {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const request = httpRequest(
      { hostname, port, method, path, agent: false, headers: { 'content-length': body.length, ...headers }, timeout: 10_000 },
      (response) => {
        let text = '';
        response.on('data', (chunk) => (text += chunk));
        response.on('end', () => resolve({ status: response.statusCode, body: text }));
      },
    );
    request.on('timeout', () => request.destroy(new Error('timeout')));
    request.on('error', (error) => resolve({ status: 0, body: error.message }));
    request.end(body);
  });
}

const step = (data, extra = '') =>
  `{"inputs":[{"name":"INPUT","datatype":"INT32","shape":[1,1],"data":[${data}]}]` +
  `,"parameters":{"sequence_id":77,"sequence_start":true,"sequence_end":true${extra}}}`;

function httpCases() {
  const infer = '/v2/models/acc_direct/infer';
  const post = (name, body, headers = {}, path = infer) => [name, 'POST', path, Buffer.isBuffer(body) ? body : Buffer.from(body), headers];
  return [
    ['bad percent-encoding', 'GET', '/v2/models/%E0%A4%A/ready', Buffer.alloc(0), {}],
    ['percent-encoded NUL in the name', 'GET', '/v2/models/acc%00direct', Buffer.alloc(0), {}],
    ['path traversal', 'GET', '/v2/models/../../etc/passwd', Buffer.alloc(0), {}],
    ['unknown action', 'GET', '/v2/models/acc_direct/explode', Buffer.alloc(0), {}],
    ['version not a number', 'GET', '/v2/models/acc_direct/versions/x/ready', Buffer.alloc(0), {}],
    ['DELETE on infer', 'DELETE', infer, Buffer.alloc(0), {}],
    post('input name an object', '{"inputs":[{"name":{"toString":1},"data":[1]}],"parameters":{"sequence_id":1,"sequence_start":true}}'),
    post('INT32 value 1e300', step('1e300')),
    post('INT32 value 5e9', step('5000000000')),
    post('INT32 value -2^31-1', step('-2147483649')),
    post('INT32 value 1.5', step('1.5')),
    post('INT32 value a string', step('"7"')),
    post('INT32 value true', step('true')),
    post('INT32 value null', step('null')),
    post('two values for shape [1,1]', step('1,2')),
    post('datatype FP32 for an INT32 input', step('1').replace('"INT32"', '"FP32"')),
    post('datatype not a type', step('1').replace('"INT32"', '"INT33"')),
    post('shape negative', step('1').replace('[1,1]', '[-1,1]')),
    post('shape 2^64', step('1').replace('[1,1]', '[18446744073709551616,1]')),
    post('sequence_id a key twice', step('1').replace('"sequence_id":77', '"sequence_id":1,"sequence_id":2')),
    post('sequence_id negative', step('1').replace('"sequence_id":77', '"sequence_id":-5')),
    post('sequence_id a 200-char string', step('1').replace('"sequence_id":77', `"sequence_id":"${'x'.repeat(200)}"`)),
    post('sequence_start a string', step('1').replace('"sequence_start":true', '"sequence_start":"yes"')),
    post('reserved triton_ parameter', step('1', ',"triton_x":1')),
    post('not JSON', 'this is not json'),
    post('random bytes', Buffer.from(Array.from({ length: 200 }, (_, i) => (i * 53) % 256))),
    post('body over 64 KiB', 'x'.repeat(200_000)),
    post('gzip bomb (20 MB of zeros)', gzipSync(Buffer.alloc(20_000_000)), { 'content-encoding': 'gzip' }),
    post('content-encoding br', step('1'), { 'content-encoding': 'br' }),
    post('gzip header on plain JSON', step('1'), { 'content-encoding': 'gzip' }),
    post('header length beyond the body', step('1'), { 'inference-header-content-length': '999999' }),
    post('header length not a number', step('1'), { 'inference-header-content-length': 'abc' }),
    post('binary_data_size beyond the body', step('1').replace('"data":[1]', '"parameters":{"binary_data_size":64}')),
    post('data nested 200 deep', step(`${'['.repeat(200)}1${']'.repeat(200)}`)),
  ];
}

async function serveCampaign() {
  const trace = join(dir, 'serve.jsonl');
  const child = spawn(
    process.execPath,
    [bin, 'serve', join(root, 'sim/examples/direct-basic.json'), '--port', '0', '--grpc-port', '0', '--ep', 'cpu', '--trace', trace],
    { cwd: dir },
  );
  let out = '';
  let err = '';
  child.stdout.on('data', (chunk) => (out += chunk));
  child.stderr.on('data', (chunk) => (err += chunk));
  let exited = null;
  child.on('exit', (code, signal) => (exited = { code, signal }));
  const started = Date.now();
  while (!/on (http:\/\/\S+) and grpc (\S+) /.test(out)) {
    if (exited !== null || Date.now() - started > 60_000) throw new Error(`serve did not start: ${out}${err}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const [, url, grpcAddress] = /on (http:\/\/\S+) and grpc (\S+) /.exec(out);
  for (const [name, method, path, body, headers] of httpCases()) {
    const answer = await http(url, method, path, body, headers);
    const alive = (await http(url, 'GET', '/v2/health/live')).status === 200;
    let verdict;
    if (!alive || exited !== null) verdict = 'crash';
    else if (answer.status === 0) verdict = /timeout/.test(answer.body) ? 'hang' : 'crash';
    else if (answer.status === 200) verdict = 'silent accept';
    else {
      let json;
      try {
        json = JSON.parse(answer.body);
      } catch {}
      verdict = typeof json?.error === 'string' && answer.status !== 500 ? 'clean error' : 'crash';
    }
    results.push({ category: 'serve HTTP', name, verdict, detail: `${answer.status} ${answer.body.slice(0, 120)}` });
  }
  await grpcCampaign(grpcAddress, () => exited === null);
  child.kill('SIGTERM');
  await new Promise((resolve) => (exited !== null ? resolve() : child.on('exit', resolve)));
  const lines = readFileSync(trace, 'utf8').trimEnd().split('\n');
  const summary = JSON.parse(lines.at(-1));
  const finished = exited.code === 0 && summary.type === 'summary';
  results.push({
    category: 'serve HTTP',
    name: 'SIGTERM after the campaign: exit 0, trace with its summary',
    verdict: finished ? 'clean error' : 'crash',
    detail: `exit ${exited.code}, last line ${summary.type}; ${out.trim().split('\n').at(-1)}`,
  });
}

async function grpcCampaign(address, alive) {
  const require = createRequire(join(root, 'package.json'));
  const grpc = require('@grpc/grpc-js');
  const protoLoader = require('@grpc/proto-loader');
  const proto = join(root, 'live/kserve/proto');
  const definition = protoLoader.loadSync(join(proto, 'grpc_service.proto'), {
    includeDirs: [proto],
    keepCase: true,
    longs: String,
    enums: String,
    defaults: true,
    oneofs: true,
  });
  const Service = grpc.loadPackageDefinition(definition).inference.GRPCInferenceService;
  const client = new Service(address, grpc.credentials.createInsecure());
  const call = (method, message) =>
    new Promise((resolve) =>
      client[method](message, { deadline: Date.now() + 10_000 }, (error, response) =>
        resolve(error === null ? { code: 0, response } : { code: error.code, details: error.details }),
      ),
    );
  const int32 = (value) => Buffer.from(new Int32Array([value]).buffer);
  const request = (extra) => ({
    model_name: 'acc_direct',
    inputs: [{ name: 'INPUT', datatype: 'INT32', shape: [1, 1] }],
    raw_input_contents: [int32(1)],
    parameters: { sequence_id: { int64_param: '88' }, sequence_start: { bool_param: true }, sequence_end: { bool_param: true } },
    ...extra,
  });
  const cases = [
    [
      'INT8 contents out of range',
      request({ inputs: [{ name: 'INPUT', datatype: 'INT8', shape: [1, 1], contents: { int_contents: [1000] } }], raw_input_contents: [] }),
    ],
    ['raw contents 3 bytes for INT32', request({ raw_input_contents: [Buffer.from([1, 2, 3])] })],
    ['datatype INT33', request({ inputs: [{ name: 'INPUT', datatype: 'INT33', shape: [1, 1] }] })],
    ['shape int64 max', request({ inputs: [{ name: 'INPUT', datatype: 'INT32', shape: ['9223372036854775807', '1'] }] })],
    ['unknown model', request({ model_name: 'nope' })],
    ['model version "x"', request({ model_version: 'x' })],
    ['sequence_id a double', request({ parameters: { sequence_id: { double_param: 1.5 }, sequence_start: { bool_param: true } } })],
    [
      'two inputs named alike',
      request({
        inputs: [
          { name: 'INPUT', datatype: 'INT32', shape: [1, 1] },
          { name: 'INPUT', datatype: 'INT32', shape: [1, 1] },
        ],
        raw_input_contents: [int32(1), int32(2)],
      }),
    ],
    ['contents and raw together', request({ inputs: [{ name: 'INPUT', datatype: 'INT32', shape: [1, 1], contents: { int_contents: [1] } }] })],
    ['no inputs', request({ inputs: [], raw_input_contents: [] })],
  ];
  for (const [name, message] of cases) {
    const answer = await call('ModelInfer', message);
    const live = alive() && (await call('ServerLive', {})).code === 0;
    const verdict = !live
      ? 'crash'
      : answer.code === 4
        ? 'hang'
        : answer.code === 0
          ? 'silent accept'
          : answer.code === 2 || answer.code === 13
            ? 'crash'
            : 'clean error';
    results.push({ category: 'serve gRPC', name, verdict, detail: `${answer.code} ${answer.details ?? ''}`.slice(0, 140) });
  }
  client.close();
}

// ---------------------------------------------------------------- run
async function inParallel(jobs, width = 2) {
  const queue = [...jobs];
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (queue.length > 0) await queue.shift()();
    }),
  );
}

const baseTrace = join(dir, 'base.jsonl');
if ((await seqsim(['run', good, '--trace', baseTrace])).code !== 0) throw new Error('the valid scenario does not run');
const zooTrace = join(dir, 'zoo.jsonl');
await seqsim(['run', join(root, 'sim/zoo/minimal/slot-leak-on-end.json'), '--batcher', 'bug:slot-leak-on-end', '--trace', zooTrace]);
const badBatcher = file(
  'bad-batcher.jsonl',
  (() => {
    const lines = readFileSync(zooTrace, 'utf8').split('\n');
    const header = JSON.parse(lines[0]);
    header.options.batcher = 'bug:no-such-bug';
    lines[0] = JSON.stringify(header);
    return lines.join('\n');
  })(),
);

const jobs = [];
for (const [name, path] of scenarioCases()) jobs.push(() => cliCase('scenario files (run)', name, ['run', path, '--trace', join(dir, 'out.jsonl')]));
for (const [name, path, bad] of traceCases(baseTrace)) {
  jobs.push(() => cliCase('traces (viz)', name, ['viz', path, '-o', join(dir, 'v.svg')], bad));
  jobs.push(() => cliCase('traces (report)', name, ['report', path, '-o', join(dir, 'r.html')], bad));
  jobs.push(() => cliCase('traces (export)', name, ['export', path, '-o', join(dir, 'e.json')], bad));
  jobs.push(() => cliCase('traces (replay)', name, ['replay', path], bad));
}
for (const [name, path] of [
  ['/dev/zero', '/dev/zero'],
  ['/dev/urandom', '/dev/urandom'],
  ['a pipe', fifo],
  ['a folder', dir],
]) {
  jobs.push(() => cliCase('files that never end', `run ${name}`, ['run', path]));
  jobs.push(() => cliCase('files that never end', `viz ${name}`, ['viz', path, '-o', join(dir, 'x.svg')]));
  jobs.push(() => cliCase('files that never end', `replay ${name}`, ['replay', path]));
  jobs.push(() => cliCase('files that never end', `live --model ${name}`, ['live', good, '--model', path, '--ep', 'cpu']));
}
const flags = [
  ['--slot-order sideways', ['run', good, '--slot-order', 'sideways']],
  ['--theme pink', ['viz', baseTrace, '-o', join(dir, 'f.svg'), '--theme', 'pink']],
  ['--format perfetto', ['export', baseTrace, '-o', join(dir, 'f.json'), '--format', 'perfetto']],
  ['--ep quantum', ['live', good, '--ep', 'quantum']],
  ['--seed 1.5', ['run', good, '--seed', '1.5']],
  ['--seed 2^64', ['run', good, '--seed', '18446744073709551616']],
  ['--max-events -1', ['run', good, '--max-events', '-1']],
  ['--width 10', ['viz', baseTrace, '-o', join(dir, 'f.svg'), '--width', '10']],
  ['--from soon', ['viz', baseTrace, '-o', join(dir, 'f.svg'), '--from', 'soon']],
  ['--max-mb 0', ['export', baseTrace, '-o', join(dir, 'f.json'), '--max-mb', '0']],
  ['--batcher bug:nope', ['run', good, '--batcher', 'bug:nope']],
  ['shrink: header batcher unknown', ['shrink', badBatcher, '--out', join(dir, 'shrunk.json')]],
  ['output into a file as folder', ['viz', baseTrace, '-o', join(good, 'x.svg')]],
  ['unknown command', ['explode']],
  ['force on a sound trace (valid)', ['viz', baseTrace, '-o', join(dir, 'f.svg'), '--force']],
];
for (const [name, args] of flags) jobs.push(() => cliCase('flags', name, args, !name.endsWith('(valid)')));

await inParallel(jobs);
await serveCampaign();

// ---------------------------------------------------------------- report
const VERDICTS = ['clean error', 'crash', 'hang', 'silent accept', 'ok', 'false refusal'];
const categories = [...new Set(results.map((r) => r.category))];
console.log(`hostile-input campaign: ${results.length} inputs\n`);
console.log(`| category | inputs | ${VERDICTS.join(' | ')} |`);
console.log(`|---|---|${VERDICTS.map(() => '---').join('|')}|`);
const totals = Object.fromEntries(VERDICTS.map((v) => [v, 0]));
for (const category of categories) {
  const rows = results.filter((r) => r.category === category);
  const counts = VERDICTS.map((v) => rows.filter((r) => r.verdict === v).length);
  VERDICTS.forEach((v, i) => {
    totals[v] += counts[i];
  });
  console.log(`| ${category} | ${rows.length} | ${counts.join(' | ')} |`);
}
console.log(`| **total** | ${results.length} | ${VERDICTS.map((v) => totals[v]).join(' | ')} |`);
const failures = results.filter((r) => ['crash', 'hang', 'silent accept', 'false refusal'].includes(r.verdict));
if (failures.length > 0) {
  console.log('\nfailures:');
  for (const r of failures) console.log(`  ${r.verdict}: [${r.category}] ${r.name} — ${r.detail}`);
}
if (process.argv.includes('--verbose')) for (const r of results) console.log(`  ${r.verdict}: [${r.category}] ${r.name} — ${r.detail}`);
if (!process.argv.includes('--keep')) rmSync(dir, { recursive: true, force: true });
else console.log(`inputs kept in ${dir}`);
process.exitCode = totals.crash + totals.hang + totals['silent accept'] + totals['false refusal'] === 0 ? 0 : 1;
