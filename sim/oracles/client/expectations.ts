import type { ModelConfig } from '../../../src/config/types.ts';
import type { CorridValue } from '../../../src/core/events.ts';
import { tritonErrors, type TritonError } from '../../../src/core/errors.ts';
import { formatCorrelationId, isNullCorrelationId, type CorrelationId } from '../../../src/core/ids.ts';
import { accumulate, type AccumulatorModel } from '../../../src/model/reference.ts';

/*
 * What a client may expect back for one request, derived from Triton's documented behaviour
 * (shared/spec/triton-sequence-batcher.md §2, §4, §7, §8, §13) and the reference accumulator
 * (src/model) only: nothing here imports the batcher, so a batcher bug cannot hide in its own
 * expectation. The CORRID conversion below is written again from spec §1.2 for the same reason.
 */

/** What the server may hold for one id, as far as a client can know. */
export type Hypothesis = { readonly active: false } | { readonly active: true; readonly state: number };

export const INACTIVE: Hypothesis = { active: false };

/** A response as the client saw it. */
export type Outcome = { readonly kind: 'output'; readonly value: number } | { readonly kind: 'error'; readonly code: string; readonly message: string };

/** One acceptable answer and what the server holds for the id afterwards. */
export interface Allowed {
  readonly outcome: Outcome;
  readonly next: readonly Hypothesis[];
}

/** A request as it went out. */
export interface SentRequest {
  readonly key: CorrelationId;
  readonly start: boolean;
  readonly end: boolean;
  readonly value: number;
  /** Triton's backlog `timeout` parameter (µs) sent with it; 0 = none. */
  readonly timeoutUs: number;
}

/** Longest string id Triton accepts (`TRITONSERVER_InferenceRequestSetCorrelationIdString`). */
const MAX_STRING_ID = 128;

/**
 * The reference accumulator of a config (the QA "dyna" models add CORRID on END). The model only
 * knows a row is the END through an END control: with CORRID alone it adds nothing (found by the
 * differential against Triton 2.51, `backlog-fill` with a CORRID-keyed export).
 */
export function referenceModel(model: ModelConfig): AccumulatorModel {
  return {
    dataType: model.tensorDataType,
    addsCorridOnEnd: model.controls.corrid !== undefined && model.controls.end !== undefined,
    initialValue: model.initialStateValue,
  };
}

/**
 * Errors Triton returns before the sequence batcher looks at the id's sequence, in Triton's order:
 * the HTTP/gRPC front end's string-length check, PrepareForInference's CORRID type check, then the
 * scheduler's null-id check (spec §2, §4 step 2). The CORRID message's `[request id: …]` prefix is
 * the client's own label and is matched by `sameError`, not here.
 */
export function rejectionOf(model: ModelConfig, modelName: string, request: SentRequest): TritonError | undefined {
  const id = request.key;
  if (id.kind === 'str' && id.value.length > MAX_STRING_ID) return tritonErrors.stringIdTooLong();
  const corrid = model.controls.corrid;
  if (corrid !== undefined && (id.kind === 'str') !== (corrid.dataType === 'TYPE_STRING')) {
    const expected = corrid.dataType === 'TYPE_STRING' ? 'BYTES' : corrid.dataType.replace('TYPE_', '');
    return tritonErrors.corridDataType(undefined, corrid.tensorName, id.kind === 'str' ? 'BYTES' : 'UINT64', modelName, expected);
  }
  if (isNullCorrelationId(id)) return tritonErrors.nullCorrelationId(modelName);
  return undefined;
}

/** Whether an error is the expected one; the CORRID type message may carry any client request id. */
export function sameError(expected: TritonError, code: string, message: string): boolean {
  if (code !== expected.code) return false;
  if (message === expected.message) return true;
  const prefix = '[request id: <id_unknown>] ';
  if (!expected.message.startsWith(prefix)) return false;
  return /^\[request id: [^\]]*\] /.test(message) && message.slice(message.indexOf('] ') + 2) === expected.message.slice(prefix.length);
}

/**
 * Every answer Triton may give `request` when the server holds `hypothesis` for its id, with what it
 * holds afterwards. `inBacklogTimeout`: the request carried a backlog timeout and may have waited in
 * the backlog (spec §7); `cancelSent`: the client cancelled a request of this sequence (spec §8).
 */
export function allowedAnswers(
  model: ModelConfig,
  modelName: string,
  request: SentRequest,
  hypothesis: Hypothesis,
  allowances: { readonly backlogTimeout: boolean; readonly cancelSent: boolean },
): Allowed[] {
  const allowed: Allowed[] = [];
  const reference = referenceModel(model);
  if (!request.start && !hypothesis.active) {
    // Spec §4 step 7: no START, id in neither map. Nothing changes on the server.
    const error = tritonErrors.missingStart(formatCorrelationId(request.key), modelName);
    return [{ outcome: { kind: 'error', code: error.code, message: error.message }, next: [INACTIVE] }];
  }
  const base = request.start ? reference.initialValue : (hypothesis as { state: number }).state;
  const step = accumulate(
    reference,
    { ready: true, start: request.start, end: request.end, input: request.value, corrid: corridCarried(model, request.key) },
    base,
  );
  if (step.kind === 'output') {
    // END frees the id at enqueue (spec §4 step 11): after it the id is unknown to the server.
    allowed.push({ outcome: { kind: 'output', value: step.output }, next: [request.end ? INACTIVE : { active: true, state: step.state }] });
  }
  if (allowances.backlogTimeout) {
    // Spec §7: the whole backlogged sequence expired; its later requests need a START.
    const error = tritonErrors.backlogTimeout();
    allowed.push({ outcome: { kind: 'error', code: error.code, message: error.message }, next: [INACTIVE] });
  }
  if (allowances.cancelSent) {
    // Spec §8: a cancel found at a queue front releases the slot; inside Oldest's batcher only the request goes.
    const error = tritonErrors.cancelled();
    allowed.push({ outcome: { kind: 'error', code: error.code, message: error.message }, next: [INACTIVE, hypothesis] });
  }
  return allowed;
}

/**
 * The CORRID value the model receives for an id (spec §1.2): 32-bit types carry the low 32 bits of
 * the uint64, INT64 the same bits read as signed, STRING the string. Only the "dyna" accumulator
 * reads it, on END.
 */
export function corridCarried(model: ModelConfig, id: CorrelationId): CorridValue {
  if (id.kind === 'str') return id.value;
  const raw = id.value;
  switch (model.controls.corrid?.dataType) {
    case 'TYPE_UINT32':
      return Number(raw & 0xffff_ffffn);
    case 'TYPE_INT32':
      return Number(BigInt.asIntN(32, raw));
    case 'TYPE_INT64': {
      const signed = BigInt.asIntN(64, raw);
      return Number.isSafeInteger(Number(signed)) ? Number(signed) : { i64: signed.toString() };
    }
    case 'TYPE_STRING':
      return raw.toString();
    default:
      return Number.isSafeInteger(Number(raw)) ? Number(raw) : { u64: raw.toString() };
  }
}

/** A hypothesis' identity, so a set of them stays small. */
export function hypothesisKey(hypothesis: Hypothesis): string {
  return hypothesis.active ? `a:${hypothesis.state}` : 'i';
}

export function describeOutcome(outcome: Outcome): string {
  return outcome.kind === 'output' ? `output ${outcome.value}` : `error ${outcome.code} ${JSON.stringify(outcome.message)}`;
}
