import { InputError } from '../../src/core/input-errors.ts';
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { loadScenarioFile } from '../../src/scenario/load.ts';
import { simulate } from '../../sim/simulate.ts';
import { exampleFiles } from '../../cli/commands/examples.ts';
import { parseTrace } from '../../traces/read.ts';
import { replayTrace } from '../../sim/replay.ts';
import { traceText } from '../../traces/writer.ts';
import { parseScenario } from '../../src/scenario/load.ts';

const parseScenarioJson = (json: unknown) => parseScenario(json, 'inline.json', '.');
import { createHash } from 'node:crypto';

const schema = JSON.parse(readFileSync(new URL('../../traces/trace.schema.json', import.meta.url), 'utf8'));
const validate = new Ajv2020({ allErrors: true, strict: false }).compile(schema);

describe('trace format v1', () => {
  it.each(exampleFiles())('%s: every line validates against trace.schema.json', (file) => {
    const run = simulate(loadScenarioFile(file), { seed: 3 });
    for (const line of run.lines) {
      const ok = validate(JSON.parse(line));
      if (!ok) throw new Error(`${line}\n${JSON.stringify(validate.errors?.slice(0, 3))}`);
    }
  });

  it('live traces (real clock, ONNX Runtime) and traces with every fault kind validate too', async () => {
    const { runLive } = await import('../../live/run-live.ts');
    const file = exampleFiles().find((f) => f.endsWith('oldest-basic.json'))!;
    const live = await runLive(loadScenarioFile(file), file, { seed: 1, provider: 'cpu', durationMs: 20_000 });
    for (const line of live.lines) {
      if (!validate(JSON.parse(line))) throw new Error(`${line}\n${JSON.stringify(validate.errors?.slice(0, 3))}`);
    }
    const faulted = parseScenarioJson({
      name: 'every-fault',
      model: { name: 'm', max_batch_size: 2, sequence_batching: { max_sequence_idle_microseconds: 20_000 } },
      executor: { latency_us: 500 },
      faults: {
        request_drop: 0.1,
        response_drop: 0.1,
        transport_delay: { rate: 0.3, max_us: 300 },
        disconnect: 0.05,
        executor_failure: 0.1,
        executor_stall: { rate: 0.1, us: 300 },
        timer_jitter: { rate: 0.3, max_us: 200 },
        misuse: 0.1,
        cancel: { rate: 0.2, max_us: 500 },
        burst: 0.5,
        client_timeout_us: 5000,
        retries: 1,
        scheduled: [
          { kind: 'timer_jitter', timer: 'reaper', occurrence: 0, jitter_us: 100 },
          { kind: 'cancel', sequence: 1, step: 1, after_us: 10 },
          { kind: 'burst', at_us: 50, sequences: [2, 3] },
        ],
      },
      sequences: [1, 2, 3, 4].map((id) => ({ id, start_us: id * 100, steps: [{ value: 1, start: true }, { value: 2 }, { value: 4, end: true }] })),
    });
    const run = simulate(faulted, { seed: 4 });
    const kinds = new Set(run.events.flatMap((e) => (e.type === 'fault' ? [e.kind] : [])));
    for (const kind of ['timer_jitter', 'cancel', 'burst']) expect(kinds.has(kind), kind).toBe(true);
    for (const line of run.lines) {
      if (!validate(JSON.parse(line))) throw new Error(`${line}\n${JSON.stringify(validate.errors?.slice(0, 3))}`);
    }
  });

  it('has a header first, integer t on every later line, and a summary hash over the earlier lines', () => {
    const run = simulate(loadScenarioFile(exampleFiles()[0]!), { seed: 1 });
    const header = JSON.parse(run.lines[0]!);
    expect(Object.keys(header).slice(0, 5)).toEqual(['type', 'format', 'version', 'seed', 'tool']);
    expect(header).toMatchObject({ type: 'header', format: 'seqsim-trace', version: 1, seed: 1, clock: 'virtual' });
    for (const line of run.lines.slice(1)) {
      const event = JSON.parse(line);
      expect(Object.keys(event).slice(0, 2)).toEqual(['t', 'type']);
      expect(Number.isSafeInteger(event.t)).toBe(true);
    }
    const summary = JSON.parse(run.lines[run.lines.length - 1]!);
    const hasher = createHash('sha256');
    for (const line of run.lines.slice(0, -1)) hasher.update(`${line}\n`);
    expect(summary).toMatchObject({ type: 'summary', hash: hasher.digest('hex') });
    expect(summary.requests).toBe(run.events.filter((e) => e.type === 'send').length);
  });

  it('replays a written trace as identical and names the first divergent line after tampering', () => {
    const run = simulate(loadScenarioFile(exampleFiles()[0]!), { seed: 9 });
    const text = traceText(run);
    expect(replayTrace(parseTrace(text, 'mem.jsonl'), 'mem.jsonl').identical).toBe(true);
    const lines = text.trimEnd().split('\n');
    const target = lines.findIndex((l) => l.includes('"type":"execute"'));
    lines[target] = lines[target]!.replace('"batch":', '"batch":1000');
    const verdict = replayTrace(parseTrace(lines.join('\n'), 'mem.jsonl'), 'mem.jsonl');
    expect(verdict.identical).toBe(false);
    if (!verdict.identical) {
      expect(verdict.line).toBe(target + 1);
      expect(verdict.recorded).toContain('"batch":1000');
    }
  });

  it.each([
    ['', /line 1.*empty trace/],
    ['{"type":"event"}', /line 1: type.*header/],
    ['not json', /line 1.*not valid JSON/],
    ['{\n  "name": "s",\n  "model": {"name": "m"},\n  "sequences": []\n}', /this is a scenario, not a trace: simulate it with `npx seqsim run bad.jsonl`/],
    ['{"name":"s","model":{"name":"m"},"sequences":[]}', /this is a scenario, not a trace/],
    ['{"type":"header","format":"seqsim-trace","version":2,"seed":1,"tool":"x","scenario":{},"options":{}}', /version.*unsupported/],
    ['{"type":"header","format":"seqsim-trace","version":1,"seed":1,"tool":"x","scenario":{},"options":{}}\n{"type":"send"}', /line 2: t/],
  ])('rejects malformed trace %#', (text, message) => {
    expect(() => parseTrace(text, 'bad.jsonl')).toThrow(InputError);
    expect(() => parseTrace(text, 'bad.jsonl')).toThrow(message);
  });
});
