/** Thrown when an invariant of the system under test or the simulator does not hold. */
export class InvariantError extends Error {
  constructor(readonly invariant: string) {
    super(`invariant violated: ${invariant}`);
    this.name = 'InvariantError';
  }
}

/** TigerBeetle-style assertion: states an invariant where it must hold, so a bug fails at its source. */
export function assert(condition: unknown, invariant: string): asserts condition {
  if (!condition) throw new InvariantError(invariant);
}
