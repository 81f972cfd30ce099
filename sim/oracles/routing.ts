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
 * Online: fed one event at a time, in trace order.
 */
export class RoutingOracle {
  private readonly occupancy: SlotOccupancy;
  private readonly execution: ExecutionOrder;
  private lastInstantT = -1;
  private lastIndex = -1;

  constructor(ledger: Ledger, totalSlots: number | undefined) {
    this.occupancy = new SlotOccupancy(ledger, totalSlots);
    this.execution = new ExecutionOrder(ledger, this.occupancy);
  }

  observe(event: TraceEvent, index: number): void {
    const occupancy = this.occupancy;
    if (event.t !== this.lastInstantT) {
      // Between instants the batcher has finished reacting.
      if (this.lastInstantT >= 0) occupancy.checkIdleSlotsWhileBacklogged(index - 1);
      this.lastInstantT = event.t;
    }
    this.lastIndex = index;
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
        this.execution.onExecute(event, index);
        break;
      case 'cancel':
        this.execution.onCancel(event);
        break;
    }
  }

  /** After the last event. */
  finish(): RoutingResult {
    const occupancy = this.occupancy;
    if (this.lastIndex >= 0) occupancy.checkIdleSlotsWhileBacklogged(this.lastIndex);
    return {
      violations: [...this.execution.violations(), ...occupancy.violations()],
      heldAtEnd: occupancy.heldAtEnd(),
      backlogAtEnd: occupancy.backlogAtEnd(),
    };
  }
}

/** RoutingOracle over a whole trace. */
export function checkRouting(events: readonly TraceEvent[], ledger: Ledger, totalSlots: number | undefined): RoutingResult {
  const routing = new RoutingOracle(ledger, totalSlots);
  for (let index = 0; index < events.length; index++) routing.observe(events[index]!, index);
  return routing.finish();
}
