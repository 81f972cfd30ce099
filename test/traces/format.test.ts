import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { loadScenarioFile } from '../../src/scenario/load.ts';
import { simulate } from '../../sim/simulate.ts';
import { exampleFiles } from '../../src/cli/commands/examples.ts';
import { parseTrace } from '../../traces/read.ts';
import { replayTrace } from '../../traces/replay.ts';
import { traceText } from '../../traces/writer.ts';
import { InputError } from '../../src/scenario/types.ts';
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
    ['{"type":"header","format":"seqsim-trace","version":2,"seed":1,"tool":"x","scenario":{},"options":{}}', /version.*unsupported/],
    ['{"type":"header","format":"seqsim-trace","version":1,"seed":1,"tool":"x","scenario":{},"options":{}}\n{"type":"send"}', /line 2: t/],
  ])('rejects malformed trace %#', (text, message) => {
    expect(() => parseTrace(text, 'bad.jsonl')).toThrow(InputError);
    expect(() => parseTrace(text, 'bad.jsonl')).toThrow(message);
  });
});
