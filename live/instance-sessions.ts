import type * as ort from 'onnxruntime-node';
import { assert } from '../src/core/assert.ts';

/** Opens one more InferenceSession of a model (on the provider the run settled on). */
export type OpenSession = () => Promise<ort.InferenceSession>;

/**
 * The ONNX Runtime sessions of one model object, one per model instance, keyed by the instance's
 * trace number. The first model's instances are opened before the clock starts; instances that a
 * lifecycle update adds, or a reload's new model object brings, open on their first batch (Triton
 * builds them while loading; here the first batch waits for it, and the trace shows the delay).
 */
export class InstanceSessions {
  private readonly sessions = new Map<number, ort.InferenceSession | Promise<ort.InferenceSession>>();

  constructor(
    private readonly open: OpenSession,
    opened: ReadonlyMap<number, ort.InferenceSession> = new Map(),
  ) {
    for (const [instance, session] of opened) this.sessions.set(instance, session);
  }

  /** The instance's session: at once when open, else once it has opened. */
  sessionFor(instance: number): ort.InferenceSession | Promise<ort.InferenceSession> {
    assert(Number.isInteger(instance) && instance >= 0, 'an instance number');
    let session = this.sessions.get(instance);
    if (session === undefined) {
      const opening = this.open().then((opened) => {
        this.sessions.set(instance, opened);
        return opened;
      });
      this.sessions.set(instance, opening);
      session = opening;
    }
    return session;
  }

  /**
   * Every session opened so far (to release them, and to re-run batches for the overhead figure);
   * one that failed to open failed its batches already and is left out.
   */
  async all(): Promise<ort.InferenceSession[]> {
    const settled = await Promise.allSettled(this.sessions.values());
    return settled.flatMap((outcome) => (outcome.status === 'fulfilled' ? [outcome.value] : []));
  }
}
