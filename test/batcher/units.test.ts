import { describe, expect, it } from 'vitest';
import { TritonSlotHeap, InstanceMajorSlotHeap, makeFreeSlotPool, type SlotRef } from '../../src/batcher/slot-heap.ts';
import { corridValue, controlTensorValues, corridTypeError, paddingCorrid } from '../../src/batcher/controls.ts';
import { decideBatch, type QueuedEntry } from '../../src/batcher/dynamic-batcher.ts';
import { SlotStates } from '../../src/batcher/implicit-state.ts';
import { strId, u64Id } from '../../src/core/ids.ts';
import type { ModelConfig, OldestStrategy } from '../../src/config/types.ts';

const drain = (pool: { pop(): SlotRef | undefined }): string[] => {
  const out: string[] = [];
  for (let ref = pool.pop(); ref !== undefined; ref = pool.pop()) out.push(`I${ref.instance}s${ref.slot}`);
  return out;
};

describe('free-slot heap (spec §3)', () => {
  it.each([
    [2, 2, 'I0s0 I1s0 I0s1 I1s1'],
    [2, 3, 'I0s0 I1s0 I1s1 I0s1 I1s2 I0s2'],
    [3, 2, 'I0s0 I1s0 I2s0 I2s1 I1s1 I0s1'],
  ])('%i instances × %i slots pop in libstdc++ order', (instances, slots, order) => {
    expect(drain(makeFreeSlotPool('triton-heap', instances, slots)).join(' ')).toBe(order);
  });

  it('keeps lowest-slot-first after releases', () => {
    const heap = new TritonSlotHeap();
    for (const ref of [
      { instance: 0, slot: 3 },
      { instance: 1, slot: 0 },
      { instance: 0, slot: 1 },
      { instance: 1, slot: 2 },
    ])
      heap.push(ref);
    expect(drain(heap).map((s) => s.slice(-1))).toEqual(['0', '1', '2', '3']);
  });

  it('instance-major order: lowest slot, then lowest instance', () => {
    expect(drain(makeFreeSlotPool('instance-major', 3, 2)).join(' ')).toBe('I0s0 I1s0 I2s0 I0s1 I1s1 I2s1');
    const pool = new InstanceMajorSlotHeap();
    pool.push({ instance: 2, slot: 0 });
    pool.push({ instance: 0, slot: 0 });
    expect(pool.pop()).toEqual({ instance: 0, slot: 0 });
    const ascending = new InstanceMajorSlotHeap();
    for (const ref of [
      { instance: 0, slot: 0 },
      { instance: 2, slot: 0 },
      { instance: 1, slot: 1 },
      { instance: 0, slot: 1 },
    ])
      ascending.push(ref);
    expect(drain(ascending).join(' ')).toBe('I0s0 I2s0 I0s1 I1s1');
    expect(ascending.size).toBe(0);
  });
});

const model = (corrid?: ModelConfig['controls']['corrid'], extra: Partial<ModelConfig['controls']> = {}): ModelConfig => ({
  name: 'm',
  maxBatchSize: 2,
  instanceCount: 1,
  tensorDataType: 'TYPE_INT32',
  maxSequenceIdleUs: 1_000_000,
  controls: { ...(corrid ? { corrid } : {}), ...extra },
  strategy: { kind: 'direct', maxQueueDelayUs: 0, minimumSlotUtilization: 0 },
  states: [],
  initialStateValue: 0,
  iterativeSequence: false,
  slotsPerInstance: 2,
});

describe('control values (spec §1.2)', () => {
  const big = u64Id((1n << 64n) - 1n);
  it.each([
    ['TYPE_UINT64', big, { u64: '18446744073709551615' }],
    ['TYPE_INT64', big, -1],
    ['TYPE_INT64', u64Id(1n << 63n), { i64: '-9223372036854775808' }],
    ['TYPE_UINT32', u64Id((1n << 32n) + 5n), 5],
    ['TYPE_INT32', u64Id(0xffff_fffen), -2],
    ['TYPE_STRING', strId('abc'), 'abc'],
  ] as const)('CORRID %s carries the converted id', (dataType, id, value) => {
    expect(corridValue({ kind: 'CONTROL_SEQUENCE_CORRID', tensorName: 'CORRID', dataType }, id)).toEqual(value);
  });

  it('pads CORRID with 0, or "" for TYPE_STRING', () => {
    expect(paddingCorrid({ kind: 'CONTROL_SEQUENCE_CORRID', tensorName: 'C', dataType: 'TYPE_STRING' })).toBe('');
    expect(paddingCorrid(undefined)).toBe(0);
  });

  it('writes the configured false/true values for int32, fp32 and bool controls', () => {
    const m = model(undefined, {
      start: { kind: 'CONTROL_SEQUENCE_START', tensorName: 'S', dataType: 'TYPE_INT32', falseValue: 0, trueValue: 1 },
      end: { kind: 'CONTROL_SEQUENCE_END', tensorName: 'E', dataType: 'TYPE_FP32', falseValue: 0.5, trueValue: 2.5 },
      ready: { kind: 'CONTROL_SEQUENCE_READY', tensorName: 'R', dataType: 'TYPE_BOOL', falseValue: false, trueValue: true },
    });
    expect(controlTensorValues(m, { start: true, end: false, ready: true }, 7)).toEqual({ S: 1, E: 0.5, R: true });
    expect(controlTensorValues(m, { start: false, end: true, ready: true }, 7)).toEqual({ S: 0, E: 2.5, R: true });
    expect(controlTensorValues(m, { start: false, end: false, ready: false }, 0)).toEqual({ S: 0, E: 0.5, R: false });
  });

  it('rejects an id whose tag does not match the CORRID data type', () => {
    const integer = model({ kind: 'CONTROL_SEQUENCE_CORRID', tensorName: 'CORRID', dataType: 'TYPE_INT32' });
    expect(corridTypeError(integer, '5:0', strId('x'))?.message).toBe(
      "[request id: 5:0] sequence batching control 'CORRID' data-type is 'BYTES', but model 'm' expects 'INT32'",
    );
    expect(corridTypeError(integer, '5:0', u64Id(5n))).toBeNull();
    const string = model({ kind: 'CONTROL_SEQUENCE_CORRID', tensorName: 'CORRID', dataType: 'TYPE_STRING' });
    expect(corridTypeError(string, '5:0', u64Id(5n))?.message).toMatch(/data-type is 'UINT64', but model 'm' expects 'BYTES'$/);
  });
});

describe('Oldest inner dynamic batcher (spec §5B)', () => {
  const strategy = (preferred: number[], delayUs: number): OldestStrategy => ({
    kind: 'oldest',
    maxCandidateSequences: 4,
    preferredBatchSizes: preferred,
    maxQueueDelayUs: delayUs,
    preserveOrdering: false,
  });
  const pending = (...entered: number[]): QueuedEntry[] => entered.map((enteredUs) => ({ enteredUs }));

  it('sends the largest preferred prefix while the oldest is within the delay', () => {
    expect(decideBatch(pending(0, 10, 20), strategy([2, 4], 500), 4, 100)).toEqual({ send: 2 });
  });
  it('waits for the delay when no preferred size is reached', () => {
    expect(decideBatch(pending(0), strategy([2, 4], 500), 4, 100)).toEqual({ waitUntilUs: 500 });
  });
  it('sends what is pending once the oldest is at least the delay old', () => {
    expect(decideBatch(pending(0), strategy([2, 4], 500), 4, 500)).toEqual({ send: 1 });
  });
  it('stops the scan at max_batch_size and sends the preferred size inside it', () => {
    expect(decideBatch(pending(0, 0, 0, 0, 0), strategy([3], 500), 4, 0)).toEqual({ send: 3 });
    expect(decideBatch(pending(0, 0, 0, 0, 0, 0, 0), strategy([5], 500), 8, 0)).toEqual({ send: 5 });
    expect(decideBatch(pending(0, 0, 0, 0), strategy([4], 1000), 4, 0)).toEqual({ send: 4 });
  });
  it('a full scan without a preferred size sends everything scanned at once', () => {
    expect(decideBatch(pending(0, 0, 0, 0, 0, 0), strategy([3, 5], 500), 2, 0)).toEqual({ send: 2 });
  });
  it("the delay boundary is Triton's >=: at exactly the delay everything scanned goes, one µs before the preferred prefix", () => {
    expect(decideBatch(pending(0, 1, 2), strategy([2], 500), 4, 499)).toEqual({ send: 2 });
    expect(decideBatch(pending(0, 1, 2), strategy([2], 500), 4, 500)).toEqual({ send: 3 });
  });
  it('below every preferred size and within the delay it waits for the oldest request', () => {
    expect(decideBatch(pending(100, 150), strategy([3], 500), 8, 200)).toEqual({ waitUntilUs: 600 });
    expect(decideBatch([], strategy([3], 500), 8, 200)).toEqual({ send: 0 });
  });
  it('with the defaults (preferred [max], delay 0) sends everything up to max_batch_size', () => {
    expect(decideBatch(pending(0, 0, 0, 0, 0), strategy([4], 0), 4, 0)).toEqual({ send: 4 });
    expect(decideBatch(pending(0, 0), strategy([4], 0), 4, 0)).toEqual({ send: 2 });
  });
});

describe('implicit state per slot (spec §9)', () => {
  it('START resets to the initial value; other rows keep the slot state', () => {
    const states = new SlotStates(2, 100);
    const first = states.forRow(0, true);
    expect(first).toEqual({ initialized: true, value: 100 });
    first.value = 105;
    expect(states.forRow(0, false).value).toBe(105);
    expect(states.forRow(1, false).initialized).toBe(false);
    expect(states.forRow(0, true).value).toBe(100);
  });
});
