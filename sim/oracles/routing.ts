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
  for (let index = 0; index < events.length; index++) {
    const event = events[index]!;
    if (event.t !== lastInstantT) {
      // Between instants the batcher has finished reacting.
      if (lastInstantT >= 0) occupancy.checkIdleSlotsWhileBacklogged(index - 1);
      lastInstantT = event.t;
    }
    switch (event.type) {
      case 'arrive':
        occupancy.onArrive(event);
        break;
      case 'reject':
        occupancy.onReject(event, index);
        break;
      case 'backlog':
        occupancy.onBacklog(event, index);
        break;
      case 'assign':
        occupancy.onAssign(event, index);
        break;
      case 'reap':
        occupancy.onReap(event);
        break;
      case 'release':
        occupancy.onRelease(event, index);
        break;
      case 'execute':
        execution.onExecute(event, index);
        break;
      case 'cancel':
        execution.onCancel(event);
        break;
    }
  }
  if (events.length > 0) occupancy.checkIdleSlotsWhileBacklogged(events.length - 1);
  return {
    violations: [...execution.violations(), ...occupancy.violations()],
    heldAtEnd: occupancy.heldAtEnd(),
    backlogAtEnd: occupancy.backlogAtEnd(),
  };
}
