import { describe, expect, it } from 'vitest';
import { accumulate, corridTerm, toDataType } from '../../src/model/reference.ts';

/** The accumulator in Triton QA's other data types (docs/triton-semantics.md "Data types"). */
describe('the reference accumulator beyond INT32 and FP32', () => {
  it('STRING computes in INT32 (wraps at 32 bits); INT64 is exact; BOOL keeps the parity', () => {
    expect(toDataType('TYPE_STRING', 2 ** 31)).toBe(-(2 ** 31));
    expect(toDataType('TYPE_INT64', 2 ** 40 + 1)).toBe(2 ** 40 + 1);
    expect([3, 2, -1, -2, 0].map((v) => toDataType('TYPE_BOOL', v))).toEqual([1, 0, 1, 0, 0]);
  });

  it('the END row adds the CORRID term in the computing type', () => {
    expect(corridTerm('TYPE_INT64', { u64: '18446744073709551615' })).toBe(-1);
    expect(corridTerm('TYPE_INT64', 2 ** 40)).toBe(2 ** 40);
    expect(corridTerm('TYPE_STRING', 2 ** 32 + 5)).toBe(5);
    const bool = { dataType: 'TYPE_BOOL', addsCorridOnEnd: true, initialValue: 0 } as const;
    const row = { ready: true, start: false, end: true, input: 1, corrid: 52 };
    // 1 + 1 = 2 → state 0; the output adds id 52 (even): still 0; id 7 (odd) flips it.
    expect(accumulate(bool, row, 1)).toEqual({ kind: 'output', output: 0, state: 0 });
    expect(accumulate(bool, { ...row, corrid: 7 }, 1)).toEqual({ kind: 'output', output: 1, state: 0 });
  });
});
