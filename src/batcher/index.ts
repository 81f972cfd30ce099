export { SequenceBatchScheduler, MAX_STRING_ID_LENGTH, BACKLOG_IDLE_RECHECK_US } from './scheduler.ts';
export type { BatcherDeps, BatcherOptions, HeldSlot } from './scheduler.ts';
export { TritonSlotHeap, InstanceMajorSlotHeap, makeFreeSlotPool } from './slot-heap.ts';
export type { SlotRef, SlotOrder } from './slot-heap.ts';
export { corridValue, controlTensorValues } from './controls.ts';
