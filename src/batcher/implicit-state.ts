import type { SlotState } from '../core/request.ts';

/**
 * Implicit state per slot (spec §9). START discards the slot's state and starts from the model's
 * initial value (initial_state, else 0 as the QA accumulator defines it).
 */
export class SlotStates {
  private readonly states: SlotState[] = [];

  constructor(
    slotCount: number,
    private readonly initialValue: number,
  ) {
    for (let slot = 0; slot < slotCount; slot++) this.states.push({ initialized: false, value: 0 });
  }

  /** The state a real row reads and updates; reset first when the row carries START. */
  forRow(slot: number, start: boolean): SlotState {
    if (start) this.states[slot] = { initialized: true, value: this.initialValue };
    return this.states[slot]!;
  }
}

/** A throw-away state for a padding row, so padding never touches a real slot's state. */
export function paddingState(): SlotState {
  return { initialized: false, value: 0 };
}
