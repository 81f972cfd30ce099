import { instanceSignatures } from '../../src/config/model-diff.ts';

/** Triton's default idle timeout when the config leaves it 0 (SEQUENCE_IDLE_DEFAULT_MICROSECONDS). */
const DEFAULT_IDLE_US = 1_000_000;

/**
 * The facts of a model configuration that decide what a client sees: batch size, instances, slots,
 * strategy and its knobs, idle timeout, control tensors, tensors, states. Read the same tolerant
 * way from the scenario's config and from the server's `GET /v2/models/<m>/config` (Triton prints
 * every field, defaults included, in its JSON), so only real differences remain.
 */
export function configFacts(config: Readonly<Record<string, unknown>>): Record<string, string> {
  const batching = record(config['sequence_batching']);
  const maxBatchSize = integer(config['max_batch_size']);
  const oldest = record(batching['oldest']);
  const isOldest = batching['oldest'] !== undefined && batching['oldest'] !== null;
  const direct = record(batching['direct']);
  const idleUs = integer(batching['max_sequence_idle_microseconds']);
  const candidates = integer(oldest['max_candidate_sequences']);
  const preferred = list(oldest['preferred_batch_size']).map(integer);
  const facts: Record<string, string> = {
    max_batch_size: String(maxBatchSize),
    instances: String(instanceSignatures(config).length),
    strategy: isOldest ? 'oldest' : 'direct',
    slots_per_instance: String(isOldest && candidates > 0 ? candidates : Math.max(1, maxBatchSize)),
    max_sequence_idle_microseconds: String(idleUs > 0 ? idleUs : DEFAULT_IDLE_US),
    control_input: controls(batching).join(', '),
    input: tensors(config['input']).join(', '),
    output: tensors(config['output']).join(', '),
    state: list(batching['state'])
      .map((s) => `${String(record(s)['input_name'])}→${String(record(s)['output_name'])}`)
      .join(', '),
    iterative_sequence: String(batching['iterative_sequence'] === true),
  };
  if (isOldest) {
    facts['oldest.preferred_batch_size'] = (preferred.length > 0 ? preferred : maxBatchSize > 0 ? [maxBatchSize] : []).join(',');
    facts['oldest.max_queue_delay_microseconds'] = String(integer(oldest['max_queue_delay_microseconds']));
    facts['oldest.preserve_ordering'] = String(oldest['preserve_ordering'] === true);
  } else {
    facts['direct.max_queue_delay_microseconds'] = String(integer(direct['max_queue_delay_microseconds']));
    facts['direct.minimum_slot_utilization'] = String(Number(direct['minimum_slot_utilization'] ?? 0));
  }
  return facts;
}

/** The facts where the server's config and the scenario's differ, as "field: server X, scenario Y". */
export function configDifferences(server: Readonly<Record<string, unknown>>, scenario: Readonly<Record<string, unknown>>): string[] {
  const ours = configFacts(scenario);
  const theirs = configFacts(server);
  return Object.keys(ours)
    .filter((field) => ours[field] !== theirs[field])
    .map((field) => `${field}: server ${JSON.stringify(theirs[field] ?? '')}, scenario ${JSON.stringify(ours[field])}`);
}

/** "CONTROL_SEQUENCE_START START INT32 [0,1]" per control, sorted (order in the config does not matter). */
function controls(batching: Record<string, unknown>): string[] {
  const found: string[] = [];
  for (const input of list(batching['control_input'])) {
    const name = String(record(input)['name'] ?? '');
    for (const control of list(record(input)['control'])) {
      const c = record(control);
      const kind = String(c['kind'] ?? 'CONTROL_SEQUENCE_START');
      const pairs: [string, unknown][] = [
        ['INT32', c['int32_false_true']],
        ['FP32', c['fp32_false_true']],
        ['BOOL', c['bool_false_true']],
      ];
      const boolean = pairs.find(([, values]) => list(values).length > 0);
      const type = kind === 'CONTROL_SEQUENCE_CORRID' ? String(c['data_type'] ?? '') : boolean ? `${boolean[0]} ${JSON.stringify(list(boolean[1]))}` : '';
      found.push(`${kind} ${name} ${type}`.trim());
    }
  }
  return found.sort();
}

function tensors(value: unknown): string[] {
  return list(value)
    .map((t) => {
      const tensor = record(t);
      return `${String(tensor['name'] ?? '')} ${String(tensor['data_type'] ?? '')} ${JSON.stringify(list(tensor['dims']).map(integer))}`;
    })
    .sort();
}

function record(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

/** Numbers, or decimal strings (a protobuf JSON mapping writes 64-bit integers as strings). */
function integer(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && /^-?\d+$/.test(value)) return Number(value);
  return 0;
}
