import type { JsonReader } from '../config/json-reader.ts';
import type { StopEvent } from './types.ts';

/** Triton's default server exit timeout (tritonserver --exit-timeout-secs=30). */
export const DEFAULT_EXIT_TIMEOUT_US = 30_000_000;

const ACTIONS = ['load', 'unload', 'stop'] as const;
const FIELDS = ['at_us', 'load', 'files_changed', 'load_us', 'policy', 'drain_timeout_us', 'unload', 'stop', 'exit_timeout_us'];
/** Parts of SCENARIO.md's lifecycle block that arrive with the strategy-switching work. */
const NOT_YET = ['load', 'unload', 'files_changed', 'load_us', 'policy', 'drain_timeout_us'];

/**
 * The `lifecycle` block: entries in time order, one action each. Only `stop` (server shutdown,
 * spec §11) is simulated so far; the model-management fields are refused by name.
 */
export function readLifecycle(reader: JsonReader, maxTimeUs: number): StopEvent[] {
  const events: StopEvent[] = [];
  for (const entry of reader.array()) {
    const event = readEntry(entry, maxTimeUs);
    const previous = events[events.length - 1];
    if (previous !== undefined && event.atUs < previous.atUs) {
      entry.child('at_us').fail(`lifecycle entries must be in time order: ${event.atUs} comes before the previous entry's ${previous.atUs}`);
    }
    if (previous !== undefined) entry.fail('nothing can follow a server stop: the server is gone');
    events.push(event);
  }
  return events;
}

function readEntry(entry: JsonReader, maxTimeUs: number): StopEvent {
  entry.object();
  entry.onlyKeys(FIELDS);
  const atUs = entry.required('at_us', 'when the event happens (at_us)').nonNegativeInt(maxTimeUs);
  const actions = ACTIONS.filter((action) => entry.has(action));
  if (actions.length === 0) entry.fail(`names no action: give one of ${ACTIONS.join(', ')}`);
  if (actions.length > 1) entry.fail(`names ${actions.join(' and ')}: give one action per entry`);
  for (const field of NOT_YET) {
    if (entry.has(field)) entry.child(field).fail(`not supported yet: ${entry.pathOf(field)} — model loads, unloads and switch policies arrive with the strategy-switching work`);
  }
  if (entry.child('stop').boolean() !== true) entry.child('stop').fail('must be true (leave the entry out for no stop)');
  const exitTimeoutUs = entry.optional('exit_timeout_us', (r) => r.nonNegativeInt(maxTimeUs), DEFAULT_EXIT_TIMEOUT_US);
  return { atUs, kind: 'stop', exitTimeoutUs };
}
