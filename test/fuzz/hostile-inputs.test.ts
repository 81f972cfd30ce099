import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InputError } from '../../src/core/input-errors.ts';
import { loadScenarioFile, parseScenario } from '../../src/scenario/load.ts';
import { cli } from '../helpers/cli.ts';

/**
 * The hostile-input campaign's categories (issue 18), kept as properties: whatever a file holds,
 * a command ends in a result or one clean line with exit 2 — never a crash (exit 3), never a
 * silent accept of a changed trace, a duplicate key or a fault aimed at nothing.
 */

const dir = mkdtempSync(join(tmpdir(), 'seqsim-hostile-'));
let counter = 0;
const file = (name: string, text: string | Buffer): string => {
  const path = join(dir, `${counter++}-${name}`);
  writeFileSync(path, text);
  return path;
};

const model = { name: 'm', max_batch_size: 2, instance_group: [{ count: 1 }], sequence_batching: { max_sequence_idle_microseconds: 1000, direct: {} } };
const base = {
  name: 'hostile',
  model,
  executor: { latency_us: 100 },
  sequences: [
    { id: 1, steps: [{ value: 1, start: true }, { value: 2 }, { value: 3, end: true }] },
    {
      id: 'b',
      start_us: 50,
      steps: [
        { value: 4, start: true },
        { value: 5, end: true },
      ],
    },
  ],
};
const baseText = JSON.stringify(base, null, 1);

/** Unsafe characters a file may carry into a message: controls, DEL, C1, bidi. */
const UNSAFE = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/;

function loads(path: string): 'ok' | InputError {
  try {
    loadScenarioFile(path);
    return 'ok';
  } catch (error) {
    if (error instanceof InputError) return error;
    throw error;
  }
}

describe('scenario files, as text', () => {
  it('a key given twice anywhere is refused naming that key; everything else ends in a result or one InputError', () => {
    const objectKeys = [...baseText.matchAll(/"([a-z_]+)":/g)].map((m) => m.index!);
    fc.assert(
      fc.property(fc.nat(), fc.jsonValue({ maxDepth: 1 }), (pick, value) => {
        // Repeat one key right after itself, with another value.
        const at = objectKeys[pick % objectKeys.length]!;
        const key = /"([a-z_]+)":/.exec(baseText.slice(at))![1]!;
        const text = `${baseText.slice(0, at)}"${key}": ${JSON.stringify(value)}, ${baseText.slice(at)}`;
        const outcome = loads(file('dup.json', text));
        expect(outcome).toBeInstanceOf(InputError);
        expect((outcome as InputError).problem).toMatch(new RegExp(`key "${key}" is given twice`));
      }),
      { numRuns: 150, seed: 181 },
    );
  });

  it('bytes flipped, cut or inserted (controls, bidi, quotes): a result or one printed line with no raw control character', async () => {
    const insert = fc.oneof(
      fc.constantFrom('\u001b[2J', '\u202e', '\u0000', '"', '{', '}', ',', '\n', '\\', '\u0085', '1e999', '-'),
      fc.string({ maxLength: 4 }),
    );
    await fc.assert(
      fc.asyncProperty(fc.nat(), fc.nat(), insert, fc.boolean(), async (at, cut, text, truncate) => {
        const i = at % baseText.length;
        const mutated = truncate ? baseText.slice(0, cut % baseText.length) : `${baseText.slice(0, i)}${text}${baseText.slice(i + 1)}`;
        const path = file('bytes.json', mutated);
        const outcome = loads(path);
        if (outcome === 'ok') return;
        // Bounded: an excerpt at most, never the file (the longest is an unknown-field list of allowed names).
        expect(outcome.message.length).toBeLessThan(path.length + 1000);
        // What the CLI prints of it: one line, every unsafe character escaped.
        const printed = await cli('run', path, '--trace', join(dir, 'bytes.jsonl'));
        expect(printed.code).toBe(2);
        expect(printed.err).toMatch(/^seqsim: [^\n]+\n$/);
        expect(printed.err.slice(0, -1)).not.toMatch(UNSAFE);
      }),
      { numRuns: 150, seed: 182 },
    );
  });

  it('a scheduled fault is accepted exactly when its sequence and step exist', () => {
    const ids = fc.oneof(fc.constantFrom<number | string>(1, 'b', 2, '1', 0, 'B'), fc.nat({ max: 5 }));
    fc.assert(
      fc.property(
        fc.constantFrom('request_drop', 'response_drop', 'disconnect', 'transport_delay', 'cancel'),
        ids,
        fc.nat({ max: 4 }),
        (kind, sequence, step) => {
          const steps = sequence === 1 ? 3 : sequence === 'b' ? 2 : 0;
          let accepted = true;
          try {
            parseScenario({ ...base, faults: { scheduled: [{ kind, sequence, step }] } }, 'f.json', '.');
          } catch (error) {
            if (!(error instanceof InputError)) throw error;
            expect(error.field).toMatch(/^faults\.scheduled\[0\]\.(sequence|step)$/);
            accepted = false;
          }
          expect(accepted).toBe(step < steps);
        },
      ),
      { numRuns: 200, seed: 183 },
    );
  });
});

describe('traces, as files: viz, report, export and replay', () => {
  const trace = join(dir, 'base.jsonl');
  const scenario = file('scenario.json', JSON.stringify(base));

  type Mutation =
    | { readonly kind: 'flip'; readonly at: number; readonly char: string }
    | { readonly kind: 'retype'; readonly line: number; readonly pick: number; readonly value: unknown }
    | { readonly kind: 'drop' | 'duplicate'; readonly line: number }
    | { readonly kind: 'truncate'; readonly at: number }
    | { readonly kind: 'crlf' };

  const mutation: fc.Arbitrary<Mutation> = fc.oneof(
    fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), char: fc.constantFrom('0', '9', '"', 'x', '\u202e', '\u001b', ' ', '}') }),
    fc.record({
      kind: fc.constant('retype' as const),
      line: fc.nat(),
      pick: fc.nat(),
      value: fc.oneof(fc.jsonValue({ maxDepth: 1 }), fc.constantFrom(-1, 1e300, '', [], {})),
    }),
    fc.record({ kind: fc.constantFrom('drop' as const, 'duplicate' as const), line: fc.nat() }),
    fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
    fc.constant({ kind: 'crlf' as const }),
  );

  function apply(text: string, m: Mutation): string {
    const lines = text.trimEnd().split('\n');
    switch (m.kind) {
      case 'flip': {
        const at = m.at % text.length;
        return text.slice(0, at) + m.char + text.slice(at + 1);
      }
      case 'retype': {
        const index = m.line % lines.length;
        const object = JSON.parse(lines[index]!) as Record<string, unknown>;
        const keys = Object.keys(object);
        object[keys[m.pick % keys.length]!] = m.value;
        lines[index] = JSON.stringify(object);
        return `${lines.join('\n')}\n`;
      }
      case 'drop':
        lines.splice(m.line % lines.length, 1);
        return `${lines.join('\n')}\n`;
      case 'duplicate':
        lines.splice(m.line % lines.length, 0, lines[m.line % lines.length]!);
        return `${lines.join('\n')}\n`;
      case 'truncate':
        return text.slice(0, m.at % text.length);
      case 'crlf':
        return text.replace(/\n/g, '\r\n');
    }
  }

  it('never crash (exit 3), print one line on error, and never accept a changed trace without --force', async () => {
    expect((await cli('run', scenario, '--trace', trace)).code).toBe(0);
    const text = readFileSync(trace, 'utf8');
    await fc.assert(
      fc.asyncProperty(mutation, async (m) => {
        const mutated = apply(text, m);
        const path = file('mutated.jsonl', mutated);
        // What a reader sees: lines without their CR.
        const changed = mutated.replace(/\r\n/g, '\n').replace(/\n?$/, '\n') !== text;
        for (const argv of [
          ['viz', path, '-o', join(dir, 'm.svg')],
          ['export', path, '-o', join(dir, 'm.json')],
          ['replay', path],
        ]) {
          const result = await cli(...argv);
          expect([0, 1, 2], `${argv[0]} ${JSON.stringify(m)}: ${result.err}`).toContain(result.code);
          if (result.code === 2) expect(result.err, argv[0]).toMatch(/^seqsim: [^\n]+\n$/);
          if (changed) expect(result.code, `${argv[0]} accepted ${JSON.stringify(m)}`).not.toBe(0);
        }
        const forced = await cli('report', path, '-o', join(dir, 'm.html'), '--force');
        expect([0, 2], `report --force ${JSON.stringify(m)}: ${forced.err}`).toContain(forced.code);
      }),
      { numRuns: 40, seed: 184 },
    );
  }, 120_000);
});

describe('files that are not what they claim', () => {
  it('random bytes as a scenario, a model config or a trace', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 300 }), fc.constantFrom('scenario', 'pbtxt', 'trace'), async (bytes, as) => {
        const data = Buffer.from(bytes);
        const argv =
          as === 'scenario'
            ? ['run', file('bytes.json', data)]
            : as === 'pbtxt'
              ? ['run', file('uses.json', JSON.stringify({ model: file('config.pbtxt', data), sequences: [] }))]
              : ['viz', file('bytes.jsonl', data), '-o', join(dir, 'b.svg')];
        const result = await cli(...argv);
        expect([0, 2], `${argv.join(' ')}: ${result.err}`).toContain(result.code);
        if (result.code === 2) expect(result.err).toMatch(/^seqsim: [^\n]+\n$/);
      }),
      { numRuns: 100, seed: 185 },
    );
  });
});
