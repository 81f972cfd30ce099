import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseScenario } from '../../src/scenario/load.ts';
import { simulate } from '../../sim/simulate.ts';

const U64_MAX = 2n ** 64n - 1n;
type CorridType = 'TYPE_UINT64' | 'TYPE_INT64' | 'TYPE_UINT32' | 'TYPE_INT32';

/** What the CORRID tensor holds for a uint64 id (spec §1.2: its 8 little-endian bytes, read as the type). */
function carried(type: CorridType, id: bigint): bigint {
  const bytes = new DataView(new ArrayBuffer(8));
  bytes.setBigUint64(0, id, true);
  if (type === 'TYPE_UINT32') return BigInt(bytes.getUint32(0, true));
  if (type === 'TYPE_INT32') return BigInt(bytes.getInt32(0, true));
  return type === 'TYPE_INT64' ? bytes.getBigInt64(0, true) : id;
}

/** The END output of a one-request sequence (START and END together) with INPUT `value`. */
function endOutput(type: CorridType, dataType: 'TYPE_INT32' | 'TYPE_FP32', id: bigint, value: number): number {
  const flag = (name: string) => ({ name, control: [{ kind: `CONTROL_SEQUENCE_${name}`, int32_false_true: [0, 1] }] });
  const scenario = parseScenario(
    {
      name: 'corrid',
      model: {
        name: 'm',
        max_batch_size: 1,
        input: [{ name: 'INPUT', data_type: dataType, dims: [1] }],
        output: [{ name: 'OUTPUT', data_type: dataType, dims: [1] }],
        sequence_batching: {
          control_input: [flag('START'), flag('END'), flag('READY'), { name: 'CORRID', control: [{ kind: 'CONTROL_SEQUENCE_CORRID', data_type: type }] }],
        },
      },
      sequences: [{ id: { u64: String(id) }, steps: [{ value, start: true, end: true }] }],
    },
    '<test>',
    '.',
  );
  const outputs = simulate(scenario, { seed: 1 }).events.flatMap((e) => (e.type === 'response' && 'output' in e ? [e.output] : []));
  expect(outputs).toHaveLength(1);
  return outputs[0]!;
}

const types = fc.constantFrom<CorridType>('TYPE_UINT64', 'TYPE_INT64', 'TYPE_UINT32', 'TYPE_INT32');
const edges = [1n, 2n ** 31n, 2n ** 32n - 1n, 2n ** 32n, 2n ** 53n + 1n, 2n ** 63n, U64_MAX];
const ids = fc.oneof(fc.bigInt({ min: 1n, max: U64_MAX }), fc.constantFrom(...edges));

describe('the simulated dyna accumulator adds the exact CORRID on END (property over the whole uint64 range)', () => {
  it('INT32: INPUT plus the carried value, wrapped to 32 bits, for every CORRID type', () => {
    fc.assert(
      fc.property(types, ids, fc.integer({ min: -1000, max: 1000 }), (type, id, value) => {
        expect(endOutput(type, 'TYPE_INT32', id, value)).toBe(Number(BigInt.asIntN(32, BigInt(value) + carried(type, id))));
      }),
      { numRuns: 300 },
    );
  });

  it('FP32: INPUT plus the carried value rounded to float32 (carried values below 2^53, where one rounding is exact)', () => {
    fc.assert(
      fc.property(types, ids, fc.integer({ min: -1000, max: 1000 }), (type, id, value) => {
        const term = carried(type, id);
        fc.pre(term < 2n ** 53n && term > -(2n ** 53n));
        expect(endOutput(type, 'TYPE_FP32', id, value)).toBe(Math.fround(value + Math.fround(Number(term))));
      }),
      { numRuns: 200 },
    );
  });

  it('the ids of the issue: 2^64 − 1 and 2^53 + 1 keep their low bits', () => {
    // 5 + (−1) and 5 + 1: through a JS number these ids would add 0 (2^64 rounds to a multiple of 2^32) and 0 (2^53).
    expect(endOutput('TYPE_UINT64', 'TYPE_INT32', U64_MAX, 5)).toBe(4);
    expect(endOutput('TYPE_UINT64', 'TYPE_INT32', 2n ** 53n + 1n, 5)).toBe(6);
    expect(endOutput('TYPE_UINT32', 'TYPE_INT32', U64_MAX, 5)).toBe(4);
    expect(endOutput('TYPE_INT64', 'TYPE_INT32', 2n ** 63n, 5)).toBe(5);
  });
});
