import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { corridValue, paddingCorrid } from '../../src/batcher/controls.ts';
import { carriesExpectedCorrid, carriesPaddingCorrid, expectedCorrid, expectedPaddingCorrid, tracedCorrid } from '../../sim/oracles/expected-corrid.ts';
import { scenarioIdOf, u64Id, U64_MAX } from '../../src/core/ids.ts';
import type { CorridDataType } from '../../src/config/types.ts';

const TYPES: readonly CorridDataType[] = ['TYPE_UINT64', 'TYPE_INT64', 'TYPE_UINT32', 'TYPE_INT32', 'TYPE_STRING'];
const control = (dataType: CorridDataType) => ({ kind: 'CONTROL_SEQUENCE_CORRID' as const, tensorName: 'CORRID', dataType });

describe("the control-signals oracle's own CORRID conversion", () => {
  it('agrees with the batcher over the whole uint64 range, every CORRID type (property)', () => {
    // Ids near the edges (2^32, 2^53, 2^63, 2^64) carry the truncations and sign flips.
    const edge = fc.constantFrom(0n, 1n, 2n ** 31n, 2n ** 32n - 1n, 2n ** 32n, 2n ** 53n + 1n, 2n ** 63n - 1n, 2n ** 63n, U64_MAX);
    const id = fc.oneof(
      fc.bigInt({ min: 0n, max: U64_MAX }),
      edge,
      edge.chain((e) => fc.bigInt({ min: e > 5n ? e - 5n : 0n, max: e })),
    );
    fc.assert(
      fc.property(id, fc.constantFrom<CorridDataType | undefined>(...TYPES, undefined), (value, dataType) => {
        const c = dataType === undefined ? undefined : control(dataType);
        expect(tracedCorrid(corridValue(c, u64Id(value)))).toBe(expectedCorrid(c, scenarioIdOf(u64Id(value))));
      }),
      { numRuns: 3000 },
    );
    for (const dataType of TYPES) expect(tracedCorrid(paddingCorrid(control(dataType)))).toBe(expectedPaddingCorrid(control(dataType)));
  });

  it('states the truncations exactly: low 32 bits, the same bits signed, the 8 bytes as int64', () => {
    const max = { u64: String(U64_MAX) };
    expect(expectedCorrid(control('TYPE_UINT32'), max)).toBe('u:4294967295');
    expect(expectedCorrid(control('TYPE_INT32'), max)).toBe('u:-1');
    expect(expectedCorrid(control('TYPE_INT64'), max)).toBe('u:-1');
    expect(expectedCorrid(control('TYPE_UINT64'), max)).toBe(`u:${U64_MAX}`);
    expect(expectedCorrid(control('TYPE_INT64'), { u64: String(2n ** 63n) })).toBe(`u:${-(2n ** 63n)}`);
    expect(expectedCorrid(control('TYPE_UINT32'), { u64: String(2n ** 32n + 7n) })).toBe('u:7');
    expect(expectedCorrid(control('TYPE_STRING'), 'tenant/7')).toBe('s:tenant/7');
    // A number that lost bits in JSON.parse never equals an exact expectation.
    expect(tracedCorrid(2 ** 53 + 2)).toBe(`u:~${2 ** 53 + 2}`);
  });

  it("compares a row's CORRID as the texts do, without making them (property)", () => {
    const edges = [0, -0, 1, 2 ** 31 - 1, 2 ** 31, 2 ** 32 - 1, 2 ** 32, 2 ** 32 + 7, 2 ** 53 - 1, 2 ** 53, 2 ** 53 + 2, -1, 0.5, Number.NaN];
    const number = fc.oneof(fc.constantFrom(...edges), fc.integer(), fc.maxSafeNat(), fc.double());
    const id = fc.oneof(
      number,
      fc.string(),
      fc.bigInt({ min: 0n, max: U64_MAX }).map((v) => ({ u64: String(v) })),
    );
    const corrid = fc.oneof(
      number,
      number.map((n) => (n % 2 ** 32) | 0),
      fc.string(),
      id.map((i) => String(typeof i === 'object' ? i.u64 : i)),
      fc.bigInt({ min: -(2n ** 63n), max: U64_MAX }).map((v) => (v < 0n ? { i64: String(v) } : { u64: String(v) })),
    );
    const dataType = fc.constantFrom<CorridDataType | undefined>(...TYPES, undefined);
    fc.assert(
      fc.property(id, corrid, dataType, (i, carried, type) => {
        const c = type === undefined ? undefined : control(type);
        // Ids the texts cannot convert (negative or fractional numbers) throw on both paths.
        let expected: string;
        try {
          expected = expectedCorrid(c, i);
        } catch {
          expect(() => carriesExpectedCorrid(c, i, carried)).toThrow();
          return;
        }
        expect(carriesExpectedCorrid(c, i, carried)).toBe(tracedCorrid(carried) === expected);
        // The id as the batcher carries it agrees (the common row: a safe integer id).
        if (typeof i === 'number' && Number.isSafeInteger(i) && i >= 0) expect(carriesExpectedCorrid(c, i, corridValue(c, u64Id(BigInt(i))))).toBe(true);
        const padding = expectedPaddingCorrid(c);
        expect(carriesPaddingCorrid(padding, carried)).toBe(tracedCorrid(carried) === padding);
      }),
      { numRuns: 5000 },
    );
  });
});
