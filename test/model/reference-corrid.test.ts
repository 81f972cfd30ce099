import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { bigIntToFloat32, corridInteger, corridTerm } from '../../src/model/reference.ts';
import { parseScenario } from '../../src/scenario/load.ts';
import { simulate } from '../../sim/simulate.ts';

const U64_MAX = 2n ** 64n - 1n;

/** The low 32 bits read as a signed int32, through a DataView (independent of BigInt.asIntN). */
function low32Signed(value: bigint): number {
  const view = new DataView(new ArrayBuffer(8));
  if (value < 0n) view.setBigInt64(0, value, true);
  else view.setBigUint64(0, value, true);
  return view.getInt32(0, true);
}

/** The float32 next to `value` towards +∞ (or −∞), by stepping its bit pattern. */
function nextFloat32(value: number, up: boolean): number {
  const f = new Float32Array([value]);
  const bits = new Uint32Array(f.buffer);
  if (value === 0) return up ? 1.401298464324817e-45 : -1.401298464324817e-45;
  bits[0] = bits[0]! + (value > 0 === up ? 1 : -1);
  return f[0]!;
}

describe('the CORRID term the reference accumulator adds on END', () => {
  it('INT32: the low 32 bits, two’s complement, over the whole u64 and i64 range (property)', () => {
    fc.assert(
      fc.property(fc.oneof(fc.bigInt({ min: 0n, max: U64_MAX }), fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n })), (id) => {
        const corrid = id > BigInt(Number.MAX_SAFE_INTEGER) ? { u64: String(id) } : id < -BigInt(Number.MAX_SAFE_INTEGER) ? { i64: String(id) } : Number(id);
        expect(corridTerm('TYPE_INT32', corrid)).toBe(low32Signed(id));
      }),
      { numRuns: 2000 },
    );
  });

  it('FP32: the nearest float32, ties to even, rounded once from the exact integer (property)', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(2n ** 64n), max: 2n ** 64n }), (value) => {
        const rounded = bigIntToFloat32(value);
        expect(Math.fround(rounded)).toBe(rounded);
        // Integers up to 2^24 are floats themselves.
        if (value <= 2n ** 24n && value >= -(2n ** 24n)) {
          expect(rounded).toBe(Number(value));
          return;
        }
        const distance = (float: number): bigint => {
          const exact = BigInt(float);
          return exact > value ? exact - value : value - exact;
        };
        // Floats of 2^24 and beyond are integers, so the distances are exact.
        const mine = distance(rounded);
        for (const neighbour of [nextFloat32(rounded, true), nextFloat32(rounded, false)]) {
          const theirs = distance(neighbour);
          expect(mine <= theirs).toBe(true);
          if (mine === theirs) expect(new Uint32Array(new Float32Array([rounded]).buffer)[0]! & 1).toBe(0);
        }
      }),
      { numRuns: 2000 },
    );
    // Rounding through a double first would give 2^60 here (two roundings, the second a tie).
    expect(bigIntToFloat32(2n ** 60n + 2n ** 36n + 1n)).toBe(Number(2n ** 60n + 2n ** 37n));
    expect(Math.fround(Number(2n ** 60n + 2n ** 36n + 1n))).toBe(2 ** 60);
  });

  it('a TYPE_STRING id is read as std::stoll reads it (ONNX Runtime’s Cast to INT64)', () => {
    expect([' 7', '\t-3', '+5', '12abc', '1e3', '0x10', '9223372036854775807', '-9223372036854775808'].map((text) => corridInteger(text))).toEqual([
      7n,
      -3n,
      5n,
      12n,
      1n,
      0n,
      2n ** 63n - 1n,
      -(2n ** 63n),
    ]);
    for (const unreadable of ['', ' ', 'abc', '9223372036854775808', '\u00a07', '- 1']) expect(corridInteger(unreadable), unreadable).toBeUndefined();
    expect(corridTerm('TYPE_INT32', '4294967301')).toBe(5);
    expect(corridTerm('TYPE_INT32', 'abc')).toBe(0);
  });
});

function run(model: Record<string, unknown>, id: number | string | { u64: string }): number[] {
  const scenario = parseScenario(
    {
      name: 't',
      model: { name: 'm', max_batch_size: 1, ...model },
      sequences: [{ id, steps: [{ value: 1, start: true }, { value: 2 }, { value: 3, end: true }] }],
    },
    '<test>',
    '.',
  );
  return simulate(scenario, { seed: 1 }).events.flatMap((event) => (event.type === 'response' && 'output' in event ? [event.output] : []));
}

const controls = (corrid: string, withEnd = true) => ({
  control_input: [
    { name: 'START', control: [{ kind: 'CONTROL_SEQUENCE_START', int32_false_true: [0, 1] }] },
    ...(withEnd ? [{ name: 'END', control: [{ kind: 'CONTROL_SEQUENCE_END', int32_false_true: [0, 1] }] }] : []),
    { name: 'READY', control: [{ kind: 'CONTROL_SEQUENCE_READY', int32_false_true: [0, 1] }] },
    { name: 'CORRID', control: [{ kind: 'CONTROL_SEQUENCE_CORRID', data_type: corrid }] },
  ],
});

describe('simulated outputs of a dyna model (the sequence 1, 2, 3 sums to 6)', () => {
  it('uint64 ids beyond 2^53 keep every bit: 2^64 − 1 adds −1, 2^53 + 1 adds 1 (INT32)', () => {
    expect(run({ sequence_batching: controls('TYPE_UINT64') }, { u64: String(U64_MAX) })).toEqual([1, 3, 5]);
    expect(run({ sequence_batching: controls('TYPE_UINT64') }, { u64: String(2n ** 53n + 1n) })).toEqual([1, 3, 7]);
    expect(run({ sequence_batching: controls('TYPE_INT64') }, { u64: String(2n ** 63n) })).toEqual([1, 3, 6]);
  });

  it('FP32 adds the id rounded once to float32', () => {
    const fp32 = { input: [{ name: 'INPUT', data_type: 'TYPE_FP32', dims: [1] }], output: [{ name: 'OUTPUT', data_type: 'TYPE_FP32', dims: [1] }] };
    const id = 2n ** 60n + 2n ** 36n + 1n;
    expect(run({ ...fp32, sequence_batching: controls('TYPE_UINT64') }, { u64: String(id) })).toEqual([1, 3, Math.fround(6 + Number(2n ** 60n + 2n ** 37n))]);
  });

  it('without an END control the model cannot tell the last request: the id is never added', () => {
    expect(run({ sequence_batching: controls('TYPE_UINT64', false) }, 52)).toEqual([1, 3, 6]);
    expect(run({ sequence_batching: controls('TYPE_STRING', false) }, 'not a number')).toEqual([1, 3, 6]);
    expect(run({ sequence_batching: controls('TYPE_UINT64') }, 52)).toEqual([1, 3, 58]);
  });
});
