#!/usr/bin/env node
/**
 * Large traces in bounded memory (issue 18 §2): builds a trace of a few hundred MB and runs
 * `seqsim viz`, `report`, `export` and `replay` on it, printing wall time and peak memory (RSS) of
 * each. The trace is a simulated run tiled N times (times shifted, sequence/request/batch ids
 * renamed, summary recomputed), so it is valid and its hash matches; only `replay` of the tiled
 * trace diverges (the header's scenario is the small run's), so replay is measured on the base.
 *
 *   npm run build && node test/tools/large-trace.mjs [target MB, default 520] [work dir, default out/large-trace]
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readFileSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const targetMb = Number(process.argv[2] ?? 520);
const dir = process.argv[3] ?? join(root, 'out', 'large-trace');
mkdirSync(dir, { recursive: true });
const bin = join(root, 'cli', 'bin.mjs');

/** A Direct model under steady load: `sequences` sequences of `steps` steps, started 50 µs apart. */
function scenario(sequences, steps) {
  const list = [];
  for (let s = 0; s < sequences; s++) {
    const st = [];
    for (let k = 0; k < steps; k++)
      st.push({ value: (k % 7) + 1, ...(k === 0 ? { start: true } : { gap_us: 100 + ((s * 31 + k * 17) % 900) }), ...(k === steps - 1 ? { end: true } : {}) });
    list.push({ id: s + 1, start_us: s * 50, steps: st });
  }
  return {
    name: 'large-trace',
    model: {
      name: 'big',
      max_batch_size: 8,
      instance_group: [{ count: 2, kind: 'KIND_CPU' }],
      sequence_batching: { max_sequence_idle_microseconds: 2_000_000_000, direct: {} },
    },
    executor: { latency_us: { min: 500, max: 1500 } },
    transport: { latency_us: { min: 20, max: 200 } },
    sequences: list,
  };
}

/** Runs a command, returning wall seconds, peak RSS (via /usr/bin/time when present) and its exit code. */
function measure(args) {
  const started = process.hrtime.bigint();
  const timed = statSafe('/usr/bin/time');
  const result = timed
    ? spawnSync('/usr/bin/time', ['-f', '%M', process.execPath, bin, ...args], { encoding: 'utf8', maxBuffer: 1 << 26 })
    : spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', maxBuffer: 1 << 26 });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const rssKb = timed ? Number(result.stderr.trim().split('\n').at(-1)) : NaN;
  return {
    seconds,
    rssMb: rssKb / 1024,
    code: result.status,
    out: result.stdout.trim(),
    err: timed ? result.stderr.trim().split('\n').slice(0, -1).join('\n') : result.stderr.trim(),
  };
}

function statSafe(path) {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

// 1. A base run of ~50 MB.
const scenarioFile = join(dir, 'scenario.json');
writeFileSync(scenarioFile, JSON.stringify(scenario(2000, 50)));
const base = join(dir, 'base.jsonl');
const baseRun = measure(['run', scenarioFile, '--trace', base, '--max-events', '100000000']);
if (baseRun.code !== 0) throw new Error(`seqsim run failed: ${baseRun.err}`);
const baseLines = readFileSync(base, 'utf8')
  .split('\n')
  .filter((line) => line !== '');
const header = baseLines[0];
const events = baseLines.slice(1, -1).map((line) => JSON.parse(line));
const spanUs = events.at(-1).t + 1000;

// 2. Tiled until the target size: each copy later in time, with its own sequences, requests and batches.
const big = join(dir, 'large.jsonl');
const fd = openSync(big, 'w');
const hasher = createHash('sha256');
let bytes = 0;
const counts = { requests: 0, responses: 0, violations: 0, events: 0 };
let lastT = 0;
const put = (line) => {
  writeSync(fd, `${line}\n`);
  hasher.update(`${line}\n`);
  bytes += line.length + 1;
};
put(header);
const rename = (copy, value) => (typeof value === 'number' ? value + copy * 1_000_000 : `${copy}/${value}`);
for (let copy = 0; bytes < targetMb * 1e6; copy++) {
  const shift = copy * spanUs;
  for (const event of events) {
    const e = { ...event, t: event.t + shift };
    if ('sequence' in e && e.sequence !== null) e.sequence = rename(copy, e.sequence);
    if (typeof e.request === 'string') e.request = `${copy}/${e.request}`;
    if (typeof e.first_request === 'string') e.first_request = `${copy}/${e.first_request}`;
    if (typeof e.batch === 'number') e.batch += copy * 1_000_000;
    if (Array.isArray(e.rows))
      e.rows = e.rows.map((row) => ({
        ...row,
        request: row.request === null ? null : `${copy}/${row.request}`,
        sequence: row.sequence === null ? null : rename(copy, row.sequence),
      }));
    counts.events++;
    if (e.type === 'send') counts.requests++;
    if (e.type === 'response') counts.responses++;
    lastT = e.t;
    put(JSON.stringify(e));
  }
}
const hash = hasher.digest('hex');
writeSync(fd, `${JSON.stringify({ t: lastT, type: 'summary', ...counts, hash })}\n`);
closeSync(fd);
const size = statSync(big).size;

// 3. The commands, on the large trace (replay on the base: a tiled trace cannot be re-run).
const rows = [
  ['viz', measure(['viz', big, '-o', join(dir, 'large.svg')])],
  ['report', measure(['report', big, '-o', join(dir, 'large.html')])],
  ['export', measure(['export', big, '-o', join(dir, 'large.chrome.json')])],
  ['replay (base)', measure(['replay', base])],
];
console.log(
  `large trace: ${(size / 1e6).toFixed(0)} MB, ${counts.events} events, ${counts.requests} requests (base run ${(statSync(base).size / 1e6).toFixed(0)} MB)`,
);
console.log('| command | exit | wall s | peak RSS MB |');
console.log('|---|---|---|---|');
for (const [name, r] of rows) console.log(`| ${name} | ${r.code} | ${r.seconds.toFixed(1)} | ${Number.isNaN(r.rssMb) ? 'n/a' : r.rssMb.toFixed(0)} |`);
for (const [name, r] of rows) if (r.code !== 0 && r.code !== 1) console.log(`${name}: ${r.err}`);
