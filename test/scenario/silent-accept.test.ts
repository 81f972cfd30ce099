import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InputError } from '../../src/core/input-errors.ts';
import { excerpt, oneLine, terminalText } from '../../src/core/terminal-text.ts';
import { loadJsonFile, loadScenarioFile, parseScenario } from '../../src/scenario/load.ts';
import { cleanText } from '../../viz/escape.ts';
import { usageLine } from '../../cli/main.ts';
import { cli } from '../helpers/cli.ts';

/** Issue 18 §4: input that used to be accepted silently, echoed raw, or blamed on the wrong flag. */

const root = fileURLToPath(new URL('../../', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'seqsim-silent-'));
const model = { name: 'm', max_batch_size: 1, sequence_batching: { direct: {} } };
const sequences = [
  {
    id: 1,
    steps: [
      { value: 1, start: true },
      { value: 2, end: true },
    ],
  },
  { id: 'a', steps: [{ value: 1, start: true, end: true }] },
];

function write(name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

function problem(json: unknown): InputError {
  try {
    parseScenario(json, 'scn.json', '.');
  } catch (error) {
    if (error instanceof InputError) return error;
    throw error;
  }
  throw new Error('accepted');
}

describe('a scheduled fault aimed at nothing is bad input naming the entry', () => {
  it.each([
    [
      { kind: 'request_drop', sequence: 2, step: 0 },
      'faults.scheduled[0].sequence',
      /no sequence has id 2, so this request_drop fault would never fire \(ids: 1, "a"\)/,
    ],
    [{ kind: 'response_drop', sequence: 1, step: 2 }, 'faults.scheduled[0].step', /sequence 1 has 2 step\(s\) \(0 to 1\), so step 2 would never fire/],
    [{ kind: 'cancel', sequence: '1', step: 0 }, 'faults.scheduled[0].sequence', /no sequence has id "1"/],
    [{ kind: 'misuse', sequence: 'a', step: 1, misuse: 'id_zero' }, 'faults.scheduled[0].step', /sequence "a" has 1 step/],
    [{ kind: 'burst', at_us: 5, sequences: [1, 3] }, 'faults.scheduled[0].sequences[1]', /no sequence with id 3 to join the burst/],
    [{ kind: 'burst', at_us: 5, sequences: [1, 1] }, 'faults.scheduled[0].sequences[1]', /no further sequence with id 1/],
  ])('%j', (fault, field, message) => {
    const error = problem({ model, sequences, faults: { scheduled: [fault] } });
    expect(error.field).toBe(field);
    expect(error.problem).toMatch(message);
  });

  it('a fault aimed at a step that exists is still accepted (an id used twice has the steps of its longest sequence)', () => {
    const twice = [...sequences, { id: 1, steps: [{ value: 1, start: true }, { value: 1 }, { value: 1, end: true }] }];
    expect(() =>
      parseScenario({ model, sequences: twice, faults: { scheduled: [{ kind: 'request_drop', sequence: 1, step: 2 }] } }, 's.json', '.'),
    ).not.toThrow();
  });

  it('through the CLI: exit 2, one line', async () => {
    const file = write('dangling-fault.json', JSON.stringify({ model, sequences, faults: { scheduled: [{ kind: 'request_drop', sequence: 9, step: 0 }] } }));
    const result = await cli('run', file);
    expect(result.code).toBe(2);
    expect(result.err).toMatch(/^seqsim: .*dangling-fault\.json: faults\.scheduled\[0\]\.sequence: no sequence has id 9.*\n$/);
  });
});

describe('a key given twice is refused with its path, wherever JSON is read', () => {
  it('scenario files', () => {
    const file = write(
      'dup.json',
      `{"model": ${JSON.stringify(model)}, "sequences": [{"id": 1, "steps": [{"value": 1, "start": true, "end": true, "end": false}]}]}`,
    );
    expect(() => loadScenarioFile(file)).toThrow(
      `${file}: sequences[0].steps[0].end: key "end" is given twice in one object (JSON would silently keep the last) (line 1:`,
    );
  });

  it('model config .json files and other JSON inputs (summaries, patches)', () => {
    write('config.json', '{"name": "m", "max_batch_size": 1, "max_batch_size": 4, "sequence_batching": {"direct": {}}}');
    const scenario = write('uses-config.json', JSON.stringify({ model: 'config.json', sequences: [] }));
    expect(() => loadScenarioFile(scenario)).toThrow(/config\.json: max_batch_size: key "max_batch_size" is given twice/);
    expect(() => loadJsonFile(write('summary.json', '{"seeds": 1, "seeds": 2}'))).toThrow(/summary\.json: seeds: key "seeds" is given twice/);
  });

  it('objects with many keys, deep in arrays, still name the path', () => {
    const keys = Array.from({ length: 40 }, (_, i) => `"k${i}": ${i}`);
    const wide = `{${keys.join(', ')}, "k3": 99}`;
    expect(() => loadJsonFile(write('wide.json', `{"a": [1, {"b": [${wide}]}]}`))).toThrow(/wide\.json: a\[1\]\.b\[0\]\.k3: key "k3" is given twice/);
    expect(loadJsonFile(write('wide-ok.json', `{"a": [1, {"b": [{${keys.join(', ')}}]}]}`))).toMatchObject({ a: [1, { b: [{ k39: 39 }] }] });
  });

  it('keys equal after unescaping are the same key', () => {
    expect(() => loadJsonFile(write('escaped.json', '{"name": 1, "n\\u0061me": 2}'))).toThrow(/name: key "name" is given twice/);
  });
});

describe('errors name a file and its problem, never its content beyond a short escaped token', () => {
  const secret = 'S3CRET-PASSWORD-HASH-0123456789abcdef';

  it('a model path to a file that is not a config (/etc/passwd)', () => {
    const passwd = write('passwd', `root:${secret}:0:0:root:/root:/bin/bash\ndaemon:x:1:1::/:/usr/sbin/nologin\n`);
    const scenario = write('passwd-model.json', JSON.stringify({ model: passwd, sequences: [] }));
    let message = '';
    try {
      loadScenarioFile(scenario);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/passwd: line 1:12: expected a field name, found '-'$/);
    expect(message).not.toContain('S3CRET');
    expect(message).not.toContain('/bin/bash');
  });

  it('a JSON syntax error quotes the offending token, escaped and cut short', () => {
    const file = write('syntax.json', `{"name": "x", "model": ${secret}${'A'.repeat(200)}}`);
    let message = '';
    try {
      loadJsonFile(file);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/syntax\.json: line 1:24: not valid JSON: expected a value, found "S3CRET-PASSWORD-…"/);
    expect(message.length).toBeLessThan(file.length + 100);
  });

  it('a long field name in a config.pbtxt is cut short too', () => {
    const pbtxt = write('long.pbtxt', `${'n'.repeat(500)} 5`);
    expect(() => loadScenarioFile(write('long-model.json', JSON.stringify({ model: pbtxt, sequences: [] })))).toThrow(
      `expected ':' or '{' after field '${'n'.repeat(16)}…'`,
    );
  });
});

describe('nothing printed to a terminal can control it', () => {
  it('one helper escapes control and bidi characters (newlines kept in output, escaped in one-line errors)', () => {
    expect(terminalText('a\u001b[2Jb\n\tc\u0007\u009b\u202eevil\u2066')).toBe('a\\u001b[2Jb\n\tc\\u0007\\u009b\\u202eevil\\u2066');
    expect(oneLine('a\nb\rc')).toBe('a\\u000ab\\u000dc');
    expect(excerpt('x\u001b'.repeat(20), 6)).toBe('"x\\u001bx\\u001bx\\u001b…"');
    // Escapes stay valid JSON escapes: a --json line is the same JSON after escaping.
    const json = JSON.stringify({ name: 'a\u202eb\u009b' });
    expect(JSON.parse(terminalText(json))).toEqual({ name: 'a\u202eb\u009b' });
  });

  it('SVG and HTML labels show bidi and C1 controls escaped', () => {
    expect(cleanText('seq \u202eevil\u2069 \u0085')).toBe('seq \\u202eevil\\u2069 \\u0085');
  });

  it('the binary escapes a scenario name with escape codes, and a JSON error with raw bytes', () => {
    const name = write('escapes.json', JSON.stringify({ name: '\u001b[2J\u001b[31mred\u202e', model, sequences }));
    mkdirSync(join(dir, 'out'), { recursive: true });
    const run = spawnSync(process.execPath, [join(root, 'cli/bin.mjs'), 'run', name, '--trace', join(dir, 'out', 'escapes.jsonl')], { encoding: 'utf8' });
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('\\u001b[2J\\u001b[31mred\\u202e');
    expect(run.stdout).not.toMatch(/[\u001b\u202e]/);
    const bad = write('raw-bytes.json', '{"name": \u001b[2J "x"}');
    const failed = spawnSync(process.execPath, [join(root, 'cli/bin.mjs'), 'run', bad], { encoding: 'utf8' });
    expect(failed.status).toBe(2);
    expect(failed.stderr).toBe(`seqsim: ${bad}: line 1:10: not valid JSON: expected a value, found "\\u001b"\n`);
  });
});

describe('usage errors are one line and blame what the user gave', () => {
  it('a choice flag', async () => {
    const result = await cli('run', join(root, 'sim/examples/direct-basic.json'), '--slot-order', 'sideways');
    expect(result).toMatchObject({ code: 2, err: 'seqsim: --slot-order must be one of "triton-heap", "instance-major", got "sideways"\n' });
    expect(usageLine('Invalid values:\n  Argument: theme, Given: "pink", Choices: "light", "dark"')).toBe('--theme must be one of "light", "dark", got "pink"');
    expect(usageLine('Not enough arguments\nfollowing: o')).toBe('Not enough arguments following: o');
  });

  it('shrink names the trace header, not a --batcher flag, when the bad batcher name came from the trace', async () => {
    const trace = join(dir, 'bad-batcher.jsonl');
    expect((await cli('run', join(root, 'sim/zoo/minimal', 'slot-leak-on-end.json'), '--batcher', 'bug:slot-leak-on-end', '--trace', trace)).code).toBe(1);
    const lines = readFileSync(trace, 'utf8').split('\n');
    const header = JSON.parse(lines[0]!);
    header.options.batcher = 'bug:no-such-bug';
    lines[0] = JSON.stringify(header);
    writeFileSync(trace, lines.join('\n'));
    const result = await cli('shrink', trace, '--out', join(dir, 'shrunk.json'));
    expect(result.code).toBe(2);
    expect(result.err).toMatch(/^seqsim: .*bad-batcher\.jsonl: line 1: options\.batcher: unknown batcher "bug:no-such-bug"/);
    expect(result.err).not.toContain('--batcher:');
    // The flag, when given, is still named as the flag.
    expect((await cli('shrink', trace, '--batcher', 'bug:nope', '--out', join(dir, 'shrunk.json'))).err).toMatch(
      /^seqsim: --batcher: unknown batcher "bug:nope"/,
    );
  });
});
