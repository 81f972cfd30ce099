/*
 * What a Triton load does to a READY model (spec: triton-model-update.md rule 1, §1):
 * ModelLifeCycle::AsyncLoad updates in place only when the normalised configs differ in nothing
 * but `instance_group` and `version_policy` (ConfigChangeRequiresReload) and the model's files are
 * unmodified; anything else is a reload. Identical configs are a no-op update.
 */

import { isSharedModel } from './normalize.ts';

export type LoadKind = 'noop' | 'update' | 'reload';

/** Top-level fields an in-place update may change (core PR #388 added version_policy). */
const UPDATABLE_FIELDS = ['instance_group', 'version_policy'];

export function classifyLoad(current: Readonly<Record<string, unknown>>, next: Readonly<Record<string, unknown>>, filesChanged: boolean): LoadKind {
  if (filesChanged) return 'reload';
  if (texts(current).reloadable !== texts(next).reloadable) return 'reload';
  return texts(current).whole === texts(next).whole ? 'noop' : 'update';
}

interface ConfigTexts {
  /** The config canonically. */
  readonly whole: string;
  /** Without the fields an update may change. */
  readonly reloadable: string;
}

/** Texts (and signatures) of shared, frozen configs (explore's generated models): worked out once per config. */
const sharedTexts = new WeakMap<object, ConfigTexts>();
const sharedSignatures = new WeakMap<object, readonly string[]>();

function texts(config: Readonly<Record<string, unknown>>): ConfigTexts {
  const known = sharedTexts.get(config);
  if (known !== undefined) return known;
  const made = { whole: canonical(config), reloadable: canonical(withoutFields(config, UPDATABLE_FIELDS)) };
  if (isSharedModel(config)) sharedTexts.set(config, made);
  return made;
}

/**
 * One instance per entry, in model order, each with its signature: the instance_group entry
 * without `name` and `count`, plus the device id (TritonModelInstance::Signature). KIND_GPU with
 * `gpus` runs `count` instances per listed GPU; seqsim's other instances have no device (-1).
 */
export function instanceSignatures(normalized: Readonly<Record<string, unknown>>): readonly string[] {
  const known = sharedSignatures.get(normalized);
  if (known !== undefined) return known;
  const groups = (normalized['instance_group'] ?? []) as Record<string, unknown>[];
  const signatures: string[] = [];
  for (const group of groups) {
    const shape = canonical(withoutFields(group, ['name', 'count']));
    const count = Number(group['count'] ?? 1);
    const gpus = group['kind'] === 'KIND_GPU' && Array.isArray(group['gpus']) && group['gpus'].length > 0 ? (group['gpus'] as number[]) : [-1];
    for (const device of gpus) for (let i = 0; i < count; i++) signatures.push(`${shape}#${device}`);
  }
  if (isSharedModel(normalized)) sharedSignatures.set(normalized, Object.freeze(signatures));
  return signatures;
}

export interface InstancePlan {
  /** Indices into the current instance list that stay. */
  readonly kept: readonly number[];
  /** Indices into the current instance list that go. */
  readonly removed: readonly number[];
  /** Signatures of the instances to create. */
  readonly added: readonly string[];
}

/**
 * Matches instances by signature as TritonModel::PrepareInstances does: per signature, existing
 * instances are reused from the back of the list, so the front-most surplus ones are removed
 * (deterministic; idleness plays no part, spec §3.4).
 */
export function planInstances(current: readonly string[], next: readonly string[]): InstancePlan {
  const wanted = new Map<string, number>();
  for (const signature of next) wanted.set(signature, (wanted.get(signature) ?? 0) + 1);
  const kept: number[] = [];
  const removed: number[] = [];
  const have = new Map<string, number>();
  for (let index = current.length - 1; index >= 0; index--) {
    const signature = current[index]!;
    const reused = have.get(signature) ?? 0;
    if (reused < (wanted.get(signature) ?? 0)) {
      have.set(signature, reused + 1);
      kept.push(index);
    } else removed.push(index);
  }
  const added: string[] = [];
  for (const [signature, count] of wanted) for (let i = have.get(signature) ?? 0; i < count; i++) added.push(signature);
  return { kept: kept.reverse(), removed: removed.reverse(), added };
}

function withoutFields(object: Readonly<Record<string, unknown>>, fields: readonly string[]): Record<string, unknown> {
  const copy: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(object)) if (!fields.includes(key)) copy[key] = value;
  return copy;
}

/** JSON with object keys sorted: protobuf equality does not depend on field order. */
export function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
