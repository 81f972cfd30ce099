import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { JsonBytesWriter } from '../../traces/json-bytes.ts';
import type { TraceEvent } from '../../src/core/events.ts';

/** Every line the writer gives for `values`, through a chunk of `chunkBytes` (small chunks split values across hand-offs). */
function written(values: readonly unknown[], chunkBytes?: number): string {
  const chunks: Buffer[] = [];
  const writer = new JsonBytesWriter((bytes) => chunks.push(Buffer.from(bytes)), chunkBytes);
  for (const value of values) writer.line(value);
  writer.flush();
  return Buffer.concat(chunks).toString('utf8');
}

function stringified(values: readonly unknown[]): string {
  return values.map((value) => `${JSON.stringify(value)}\n`).join('');
}

const text = fc.oneof(
  fc.string(),
  fc.string({ unit: 'grapheme' }),
  fc.string({ unit: 'binary' }),
  fc.constantFrom('', '"', '\\', '\n', '\u007f', '\ud800', 'é ✗'),
);
const id = fc.oneof(
  fc.nat(),
  fc.integer(),
  fc.maxSafeNat(),
  fc.double(),
  fc.constantFrom(0, -0, 2 ** 31 - 1, 2 ** 31, 2 ** 53, -1, 1e21, Number.NaN, Number.POSITIVE_INFINITY),
);
const maybe = <T>(arbitrary: fc.Arbitrary<T>) => fc.option(arbitrary, { nil: undefined });
const corrid = fc.oneof(id, text, fc.record({ u64: text }), fc.record({ i64: text }));
const row = fc.record({
  slot: id,
  request: fc.option(text),
  sequence: fc.option(fc.oneof(id, text)),
  start: fc.boolean(),
  end: fc.boolean(),
  ready: fc.boolean(),
  corrid,
});

/** One arbitrary per event kind of src/core/events.ts, optional fields present or not (left undefined: JSON drops them). */
const event: fc.Arbitrary<TraceEvent> = fc.oneof(
  fc.record({
    t: id,
    type: fc.constant('send'),
    request: text,
    sequence: id,
    step: id,
    start: fc.boolean(),
    end: fc.boolean(),
    value: id,
    retry_of: maybe(text),
  }),
  fc.record({ t: id, type: fc.constant('arrive'), request: text, generation: maybe(id) }),
  fc.record({ t: id, type: fc.constant('reject'), request: text, code: text, message: text, generation: maybe(id) }),
  fc.record({ t: id, type: fc.constant('assign'), sequence: id, instance: id, slot: id, first_request: maybe(text), generation: maybe(id) }),
  fc.record({ t: id, type: fc.constant('backlog'), sequence: fc.oneof(id, text) }),
  fc.record({ t: id, type: fc.constant('reap'), sequence: id, instance: id, slot: id }),
  fc.record({
    t: id,
    type: fc.constant('release'),
    sequence: id,
    instance: fc.option(id),
    slot: fc.option(id),
    reason: fc.constantFrom('end', 'idle-timeout', 'cancel', 'expired', 'destroyed'),
    first_request: maybe(text),
    exit: maybe(fc.constant(true)),
  }),
  fc.record({ t: id, type: fc.constant('dispatch'), instance: id, slot: id, request: text }),
  fc.record({ t: id, type: fc.constant('execute'), instance: id, batch: id, rows: fc.array(row, { maxLength: 9 }), generation: maybe(id) }),
  fc.record({ t: id, type: fc.constant('complete'), instance: id, batch: id, ok: fc.boolean() }),
  fc.record({ t: id, type: fc.constant('response'), request: text, sequence: id, step: id, output: id }),
  fc.record({
    t: id,
    type: fc.constant('response'),
    request: text,
    sequence: id,
    step: id,
    error: fc.record({ code: text, message: text }),
    http_status: maybe(id),
  }),
  fc.record({ t: id, type: fc.constant('error'), request: text, sequence: id, step: id, reason: fc.constantFrom('aborted', 'timeout'), message: text }),
  fc.record({ t: id, type: fc.constant('probe'), sequences: id }),
  fc.record({ t: id, type: fc.constant('cancel'), request: text }),
  fc.record({ t: id, type: fc.constant('warning'), message: text, sequence: id }),
  fc.record({ t: id, type: fc.constant('fault'), kind: text, timer: text, jitter_us: id }),
  fc.record({ t: id, type: fc.constant('violation'), oracle: text, message: text, events: fc.array(id) }),
  fc.record({ t: id, type: fc.constant('lifecycle'), action: text, generation: id, instances: fc.array(id), loaded: maybe(fc.boolean()) }),
) as fc.Arbitrary<TraceEvent>;

describe('JsonBytesWriter: the bytes JSON.stringify then UTF-8 give', () => {
  it('for every trace event kind, whatever its strings and numbers (property)', () => {
    fc.assert(
      fc.property(fc.array(event, { maxLength: 20 }), fc.constantFrom(undefined, 128, 200), (events, chunkBytes) => {
        expect(written(events, chunkBytes)).toBe(stringified(events));
      }),
      { numRuns: 500 },
    );
  });

  it('for any JSON value, keys in their creation order (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.jsonValue(), { maxLength: 5 }), fc.constantFrom(undefined, 128), (values, chunkBytes) => {
        expect(written(values, chunkBytes)).toBe(stringified(values));
      }),
      { numRuns: 300 },
    );
  });

  it('for what JSON.stringify drops, converts or hands to toJSON: undefined, functions, dates, integer keys, class instances', () => {
    class Point {
      constructor(readonly x: number) {}
    }
    const values = [
      { b: 1, a: undefined, f: () => 1, s: Symbol('s'), 2: 'two', 1: 'one', z: [undefined, () => 1, null] },
      { when: new Date(0), point: new Point(3), nested: { toJSON: () => 'as json' } },
      Object.assign(Object.create(null) as object, { bare: true }),
      [Number.NaN, Number.NEGATIVE_INFINITY, -0, 0.5, -7, 2 ** 31, 123456789012],
    ];
    expect(written(values)).toBe(stringified(values));
  });

  it('for a value larger than its chunk (a trace header with a whole scenario)', () => {
    const header = { type: 'header', note: 'x'.repeat(5000), list: Array.from({ length: 500 }, (_, i) => ({ i, s: `s${i}` })) };
    expect(written([header, 'é'.repeat(3000)], 128)).toBe(stringified([header, 'é'.repeat(3000)]));
    const chunks: Buffer[] = [];
    const writer = new JsonBytesWriter((bytes) => chunks.push(Buffer.from(bytes)), 128);
    writer.text(`${JSON.stringify(header)}\n`);
    writer.flush();
    expect(Buffer.concat(chunks).toString('utf8')).toBe(stringified([header]));
  });
});
