import type { ModelConfig } from '../../src/config/types.ts';
import type { ScenarioId } from '../../src/core/ids.ts';
import type { ClientRecorder } from './client-recorder.ts';
import type { DrivePlayer } from './player.ts';
import type { PlannedSequence } from './plan.ts';

/** What the slot-leak probe found. */
export interface ProbeResult {
  readonly slots: number;
  /** Probe sequences whose START got an output within the deadline. */
  readonly admitted: number;
  /** The trace line of the `probe` event. */
  readonly line: number;
}

/**
 * The slot-leak probe: after the workload (and after the idle timeout, so that every sequence a
 * client abandoned has been reaped), as many new sequences as the config has slots START at once
 * and hold their slots until every one of them is answered; then they END. A slot that was never
 * freed keeps one of them in the backlog: fewer than `slots` are admitted within the deadline
 * (then the others END, so the waiting one gets in and nothing is left behind).
 */
export async function probeSlots(player: DrivePlayer, recorder: ClientRecorder, ids: readonly ScenarioId[], deadlineUs: number): Promise<ProbeResult> {
  const slots = ids.length;
  const line = recorder.record({ type: 'probe', sequences: slots });
  let admitted = 0;
  let release!: () => void;
  const allIn = new Promise<void>((resolve) => (release = resolve));
  const timer = setTimeout(release, deadlineUs / 1000);
  const startUs = recorder.nowUs();
  const sequences: PlannedSequence[] = ids.map((id, index) => ({
    index: -1 - index,
    id,
    prefix: `${typeof id === 'object' ? id.u64 : String(id)}`,
    mode: 'sync',
    startUs,
    steps: [
      { value: 1, start: true, end: false, gapUs: 0, timeoutUs: 0, cancelAfterUs: undefined },
      { value: 2, start: false, end: true, gapUs: 0, timeoutUs: 0, cancelAfterUs: undefined },
    ],
  }));
  // The requests may wait for the others' ENDs after a leak: they get twice the deadline.
  await Promise.all(
    sequences.map((sequence) =>
      player.playSequence(
        sequence,
        async (step, answer) => {
          if (step !== 0) return;
          if (answer === 'output' && recorder.nowUs() - startUs <= deadlineUs) {
            admitted++;
            if (admitted === slots) release();
          }
          await allIn;
        },
        2 * deadlineUs,
      ),
    ),
  );
  clearTimeout(timer);
  return { slots, admitted, line };
}

/**
 * Ids for the probe that no scenario sequence uses: numbers above every numeric id (strings of
 * digits when the model's CORRID is TYPE_STRING, which the accumulator adds as a number).
 */
export function probeIds(model: ModelConfig, used: readonly ScenarioId[], count: number): ScenarioId[] {
  let highest = 0;
  for (const id of used) {
    const text = typeof id === 'object' ? id.u64 : String(id);
    if (/^\d{1,15}$/.test(text)) highest = Math.max(highest, Number(text));
  }
  const base = Math.max(highest + 1, 900_000_000);
  const asString = model.controls.corrid?.dataType === 'TYPE_STRING';
  return Array.from({ length: count }, (_, index) => (asString ? String(base + index) : base + index));
}
