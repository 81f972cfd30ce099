import { assert } from './assert.ts';

/**
 * Triton's SequenceId: a tagged value, uint64 or string. uint64 5 and string "5" are different
 * sequences (spec §2). uint64 0 and "" mean "not in a sequence".
 */
export type CorrelationId =
  | { readonly kind: 'u64'; readonly value: bigint; readonly key: string }
  | { readonly kind: 'str'; readonly value: string; readonly key: string };

/** A sequence id as the scenario writes it: JSON number (u64), string, or {"u64": "…"} for big ids. */
export type ScenarioId = number | string | { readonly u64: string };

export const U64_MAX = (1n << 64n) - 1n;

export function u64Id(value: bigint): CorrelationId {
  assert(value >= 0n && value <= U64_MAX, 'u64 correlation id in range');
  return { kind: 'u64', value, key: `u:${value}` };
}

export function strId(value: string): CorrelationId {
  return { kind: 'str', value, key: `s:${value}` };
}

/** Map key: equal only for the same tag and value (computed once, when the id is made). */
export function correlationKey(id: CorrelationId): string {
  return id.key;
}

export function isNullCorrelationId(id: CorrelationId): boolean {
  return id.kind === 'u64' ? id.value === 0n : id.value.length === 0;
}

/** How Triton prints an id in messages: the decimal uint64 or the raw string, no quotes. */
export function formatCorrelationId(id: CorrelationId): string {
  return id.kind === 'u64' ? id.value.toString() : id.value;
}

export function correlationIdFromScenario(id: ScenarioId): CorrelationId {
  if (typeof id === 'string') return strId(id);
  if (typeof id === 'number') return u64Id(BigInt(id));
  return u64Id(BigInt(id.u64));
}

/** The scenario form of an id: a JSON number while it is a safe integer, else {"u64": "…"}. */
export function scenarioIdOf(id: CorrelationId): ScenarioId {
  if (id.kind === 'str') return id.value;
  return id.value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(id.value) : { u64: id.value.toString() };
}

/** The text a request id starts with: "<sequence id>:<step>". */
export function scenarioIdText(id: ScenarioId): string {
  if (typeof id === 'string') return id;
  if (typeof id === 'number') return String(id);
  return id.u64;
}
