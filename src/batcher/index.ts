export { SequenceBatchScheduler } from './scheduler.ts';
export { MAX_STRING_ID_LENGTH } from './request-validation.ts';
export { BACKLOG_IDLE_RECHECK_US } from './reaper.ts';
export type { BatcherDeps, BatcherOptions, HeldSlot } from './scheduler-context.ts';
export { TritonSlotHeap, InstanceMajorSlotHeap, makeFreeSlotPool } from './slot-heap.ts';
export type { SlotRef, SlotOrder } from './slot-heap.ts';
export { corridValue, controlTensorValues } from './controls.ts';
