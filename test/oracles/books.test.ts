import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { FlagColumn, Float64Column, Int32Column, Int32List } from '../../sim/oracles/books/columns.ts';
import { RequestIds } from '../../sim/oracles/books/request-ids.ts';
import { SentBook, sequenceKey } from '../../sim/oracles/books/sent-book.ts';
import { slotName } from '../../sim/oracles/ledger.ts';
import { Membership } from '../../sim/oracles/routing/epoch.ts';

describe('per-request columns', () => {
  it('read back what was set, grow past their first length, and read unset entries as the unset value', () => {
    const ints = new Int32Column(-1);
    const floats = new Float64Column();
    ints.set(5, 42);
    ints.set(100_000, 7);
    floats.set(3, -0);
    floats.set(50_000, 0.1);
    expect([ints.get(5), ints.get(100_000), ints.get(6), ints.get(99_999), ints.get(10_000_000)]).toEqual([42, 7, -1, -1, -1]);
    expect(Object.is(floats.get(3), -0)).toBe(true);
    expect([floats.get(50_000), floats.get(4), floats.get(1e7)]).toEqual([0.1, Number.NaN, Number.NaN]);
  });

  it('keep each flag of an entry apart', () => {
    const flags = new FlagColumn();
    flags.add(2000, 1);
    flags.add(2000, 4);
    flags.remove(2000, 1);
    expect([flags.has(2000, 1), flags.has(2000, 4), flags.has(1999, 4), flags.has(1e7, 1)]).toEqual([false, true, false, false]);
  });
});

describe('Int32List', () => {
  it('keeps its entries when it grows past a short list', () => {
    const list = new Int32List();
    for (let i = 0; i < 1000; i++) list.push(i * 7);
    list.removeAt(0);
    list.set(998, -1);
    expect([list.length, list.at(0), list.at(500), list.indexOf(700), list.at(998), list.toArray().length]).toEqual([999, 7, 3507, 99, -1, 999]);
  });

  it('behaves as an array of int32s under push, set, removeAt and indexOf, short or long (property)', () => {
    const operation = fc.oneof(
      fc.record({ kind: fc.constant('push' as const), value: fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }) }),
      fc.record({ kind: fc.constant('set' as const), at: fc.nat(150), value: fc.integer({ min: -5, max: 5 }) }),
      fc.record({ kind: fc.constant('remove' as const), at: fc.nat(150) }),
    );
    fc.assert(
      fc.property(fc.array(operation, { maxLength: 300 }), fc.integer({ min: -5, max: 5 }), (operations, probe) => {
        const list = new Int32List();
        const model: number[] = [];
        for (const op of operations) {
          if (op.kind === 'push') {
            list.push(op.value);
            model.push(op.value);
          } else if (op.at < model.length) {
            if (op.kind === 'set') {
              list.set(op.at, op.value);
              model[op.at] = op.value;
            } else {
              list.removeAt(op.at);
              model.splice(op.at, 1);
            }
          } else expect(() => (op.kind === 'set' ? list.set(op.at, 0) : list.removeAt(op.at))).toThrow(RangeError);
        }
        expect(list.toArray()).toEqual(model);
        expect([list.length, list.indexOf(probe), list.at(model.length), list.at(-1)]).toEqual([model.length, model.indexOf(probe), undefined, undefined]);
        if (model.length > 0) expect(list.at(model.length - 1)).toBe(model[model.length - 1]);
      }),
    );
  });
});

describe('RequestIds', () => {
  it("numbers ids in order of first sight and gives each back exactly, seqsim's and any other", () => {
    const ids = new RequestIds();
    const texts = ['7:0', '7:1', 'a:b:12', '7:01', '7:1~r1', '#3:0', '', ':', '7:', 'x:99999999999', '7:5000', '7:4000000', '7:0', '7:17', '7:2'];
    const numbers = texts.map((id) => ids.intern(id));
    expect(numbers).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 0, 12, 13]);
    expect(numbers.map((n) => ids.text(n))).toEqual(texts);
    expect(ids.size).toBe(14);
  });

  it('finds only what it interned', () => {
    const ids = new RequestIds();
    ids.intern('5:3');
    expect([ids.find('5:3'), ids.find('5:2'), ids.find('5:4'), ids.find('6:3'), ids.find('5:03')]).toEqual([0, -1, -1, -1, -1]);
  });

  it('an id kept apart once (far beyond its sequence’s steps) keeps its number when the steps catch up', () => {
    const ids = new RequestIds();
    const far = ids.intern('s:5000');
    for (let step = 0; step <= 5000; step++) ids.intern(`s:${step}`);
    expect(ids.find('s:5000')).toBe(far);
    expect(ids.size).toBe(5001);
  });

  it('tells thousands of prefixes apart as its prefix table grows, those that extend others too', () => {
    const ids = new RequestIds();
    const texts = Array.from({ length: 6000 }, (_, k) => `${k % 3 === 0 ? 'p' : ''}${k}:${k % 4}`);
    expect(texts.map((text) => ids.intern(text))).toEqual(texts.map((_, k) => k));
    expect(texts.map((text, k) => [ids.find(text), ids.text(k)])).toEqual(texts.map((text, k) => [k, text]));
    expect([ids.find('p0:1'), ids.find('1:0'), ids.find('p:0'), ids.find('60000:0'), ids.find('6000:0')]).toEqual([-1, -1, -1, -1, -1]);
  });

  it('keeps decimal prefixes apart from the same digits written otherwise', () => {
    const ids = new RequestIds();
    const texts = ['7:1', '07:1', '262143:0', '262144:0', '999999999:0', '1000000000:0', '-7:1', '7.0:1', '0:0', '00:0', '7:2'];
    expect(texts.map((text) => ids.intern(text))).toEqual(texts.map((_, k) => k));
    expect(texts.map((text, k) => [ids.find(text), ids.text(k)])).toEqual(texts.map((text, k) => [k, text]));
    expect([ids.find('07:2'), ids.find('8:1'), ids.find('262144:1')]).toEqual([-1, -1, -1]);
  });

  it("numbers an execute's rows once per rows array, padding as -1", () => {
    const ids = new RequestIds();
    const row = (request: string | null) => ({ slot: 0, request, sequence: null, ready: request !== null, start: false, end: false, corrid: 0 });
    const rows = [row('4:0'), row(null), row('5:2')];
    const numbers = ids.internRows(rows);
    expect(numbers).toEqual([ids.find('4:0'), -1, ids.find('5:2')]);
    expect(ids.internRows(rows)).toBe(numbers);
    expect(ids.internRows([row('5:2'), row('6:0')])).toEqual([ids.find('5:2'), 2]);
  });

  it('agrees with a Map on any ids (property)', () => {
    const id = fc.oneof(
      fc.tuple(fc.constantFrom('1', '2', 'x:y', ''), fc.nat(20)).map(([prefix, step]) => `${prefix}:${step}`),
      fc.string({ maxLength: 6 }),
    );
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.boolean(), id), { maxLength: 60 }), (operations) => {
        const ids = new RequestIds();
        const model = new Map<string, number>();
        for (const [add, text] of operations) {
          if (add) {
            if (!model.has(text)) model.set(text, model.size);
            expect(ids.intern(text)).toBe(model.get(text));
          } else expect(ids.find(text)).toBe(model.get(text) ?? -1);
        }
        for (const [text, number] of model) expect(ids.text(number)).toBe(text);
      }),
    );
  });
});

describe('SentBook', () => {
  const send = (request: string, extra: { start?: boolean; end?: boolean; value?: number; retry_of?: string; sequence?: number | string } = {}) =>
    ({
      type: 'send',
      t: 0,
      request,
      sequence: extra.sequence ?? 1,
      step: 0,
      start: extra.start ?? false,
      end: extra.end ?? false,
      value: extra.value ?? 1,
      ...extra,
    }) as const;

  it('answers each request as last sent, keeps first-send order, and knows nothing of unsent ids', () => {
    const book = new SentBook();
    book.record(send('1:0', { start: true, value: 3 }), 1);
    book.record(send('2:0', { sequence: '2', end: true, value: -0 }), 2);
    book.record(send('1:0~r1', { retry_of: '1:0', value: 3 }), 3);
    book.record(send('1:0', { end: true, value: 4 }), 4);
    expect(book.size).toBe(3);
    expect([...book.values()].map((s) => s.request)).toEqual(['1:0', '2:0', '1:0~r1']);
    expect(book.get('1:0')).toMatchObject({ index: 4, start: false, end: true, value: 4, sequence: 1, sequenceKey: '1', retryOf: undefined });
    expect(book.get('2:0')).toMatchObject({ sequence: '2', sequenceKey: '"2"', end: true });
    expect(Object.is(book.get('2:0')!.value, -0)).toBe(true);
    expect(book.get('1:0~r1')).toMatchObject({ retryOf: '1:0', index: 3 });
    expect(book.retryOf(book.numberOf('1:0~r1'))).toBe(book.numberOf('1:0'));
    expect([book.get('3:0'), book.has('3:0'), book.numberOf('3:0')]).toEqual([undefined, false, -1]);
    book.ids.intern('3:0');
    expect([book.has('3:0'), book.at(book.ids.find('3:0'))]).toEqual([false, undefined]);
  });
});

describe('keys the oracles make per event', () => {
  it("a sequence's key is its id's JSON (number, string and u64 apart), however it is made", () => {
    const ids = [0, -0, 5, 2 ** 53 + 2, 1e21, -3, 0.5, Number.NaN, Number.POSITIVE_INFINITY, '5', '', 'a"b', { u64: '5' }] as const;
    for (const id of ids) expect(sequenceKey(id)).toBe(JSON.stringify(id));
    fc.assert(fc.property(fc.double(), (id) => sequenceKey(id) === JSON.stringify(id)));
  });

  it('a slot name is I<instance>/s<slot> for any numbers, cached or not', () => {
    const pairs = [
      [0, 0],
      [63, 1023],
      [64, 0],
      [0, 1024],
      [-1, 2],
      [1.5, 0],
      [2, Number.NaN],
    ] as const;
    for (const [instance, slot] of pairs) expect(slotName(instance, slot)).toBe(`I${instance}/s${slot}`);
    expect(slotName(3, 7)).toBe(slotName(3, 7));
  });
});

describe('epoch Membership', () => {
  it('places each request at its arrival position, and a rejection moves the later ones up', () => {
    const membership = new Membership();
    const epoch = membership.open('"1"', 'I0/s0');
    for (const request of [10, 11, 12]) membership.join(epoch, request);
    membership.leave(11);
    expect([membership.epochOf(11), membership.positionOf(epoch, 10), membership.positionOf(epoch, 12)]).toEqual([undefined, 0, 1]);
    expect(epoch.requests.toArray()).toEqual([10, 12]);
    expect(() => membership.positionOf(epoch, 11)).toThrow(/an epoch lists its requests/);
  });

  it('a request listed twice (a corrupted trace) keeps its first position in the epoch it joined last', () => {
    const membership = new Membership();
    const [first, second] = [membership.open('"1"', undefined), membership.open('"2"', undefined)];
    membership.join(first, 5);
    membership.join(first, 6);
    membership.join(second, 6);
    membership.join(first, 6);
    expect(membership.epochOf(6)).toBe(first);
    expect([membership.positionOf(first, 6), membership.positionOf(second, 6), membership.positionOf(first, 5)]).toEqual([1, 0, 0]);
    membership.leave(5);
    expect([membership.positionOf(first, 6), first.requests.toArray()]).toEqual([0, [6, 6]]);
  });
});
