import type { TraceEvent } from '../../src/core/events.ts';
import type { Ledger } from './ledger.ts';
import type { Violation } from './types.ts';
import { ExecutionOrder } from './routing/execution-order.ts';
import { SlotOccupancy } from './routing/slot-occupancy.ts';

export interface RoutingResult {
  readonly violations: Violation[];
  /** Slots held at the end of the run, with the requests of the sequence holding each. */
  readonly heldAtEnd: readonly { slot: string; sequenceKey: string; requests: readonly string[] }[];
  /** Backlogged sequences never resolved by the end of the run, with their backlog event. */
  readonly backlogAtEnd: { sequenceKey: string; index: number }[];
}

/**
 * Follows every request into its sequence's slot (affinity), checks execution order within the
 * sequence (order), that slots are held exclusively (slot-accounting) and that the backlog is
 * served FIFO (liveness). `totalSlots` undefined: the slot count changes during the run.
 */
export function checkRouting(events: readonly TraceEvent[], ledger: Ledger, totalSlots: number | undefined): RoutingResult {
  const occupancy = new SlotOccupancy(ledger, totalSlots);
  const execution = new ExecutionOrder(ledger, occupancy);
  let lastInstantT = -1;
  events.forEach((event, index) => {
    if (event.t !== lastInstantT) {
      // Between instants the batcher has finished reacting.
      if (lastInstantT >= 0) occupancy.checkIdleSlotsWhileBacklogged(index - 1);
      lastInstantT = event.t;
    }
    switch (event.type) {
      case 'arrive':
        return occupancy.onArrive(event);
      case 'reject':
        return occupancy.onReject(event);
      case 'backlog':
        return occupancy.onBacklog(event, index);
      case 'assign':
        return occupancy.onAssign(event, index);
      case 'reap':
        return occupancy.onReap(event);
      case 'release':
        return occupancy.onRelease(event, index);
      case 'execute':
        return execution.onExecute(event, index);
      case 'cancel':
        return execution.onCancel(event);
      default:
        return;
    }
  });
  if (events.length > 0) occupancy.checkIdleSlotsWhileBacklogged(events.length - 1);
  return {
    violations: [...execution.violations(), ...occupancy.violations()],
    heldAtEnd: occupancy.heldAtEnd(),
    backlogAtEnd: occupancy.backlogAtEnd(),
  };
}
