import type { ViolationSink } from '../types.ts';

/** A model object switched away from (reload, unload) must be destroyed once the run is quiescent (update spec rule 7). */
export class ModelRetirement {
  /** Retired generation → the trace index of its switch. */
  private readonly retired = new Map<number, number>();
  private readonly destroyed = new Set<number>();

  constructor(private readonly sink: ViolationSink) {}

  onRetired(generation: number, index: number): void {
    this.retired.set(generation, index);
  }

  onModelDestroyed(generation: number): void {
    this.destroyed.add(generation);
  }

  /** At the end of a quiescent run: every retired model was destroyed. */
  checkAllDestroyed(): void {
    for (const [generation, index] of this.retired) {
      if (!this.destroyed.has(generation))
        this.sink.add(`generation ${generation} was retired but never destroyed: a request or slot still references it`, [index]);
    }
  }
}
