import type { ScenarioId } from '../core/ids.ts';
import type { ModelConfig } from '../config/types.ts';
import type { FaultPlan } from './faults.ts';

/** A latency: fixed µs, or uniform integer in [min, max] drawn from the run's seed. */
export type Latency = number | { readonly min: number; readonly max: number };

export interface ScenarioStep {
  readonly value: number;
  readonly start: boolean;
  readonly end: boolean;
  readonly gapUs: number;
  readonly timeoutUs: number;
  /** Client cancels this request this long after sending it; undefined = never. */
  readonly cancelAfterUs: number | undefined;
}

export interface ScenarioSequence {
  readonly id: ScenarioId;
  readonly startUs: number;
  readonly mode: 'sync' | 'stream';
  readonly steps: readonly ScenarioStep[];
}

export interface StopEvent {
  readonly atUs: number;
  readonly kind: 'stop';
  readonly exitTimeoutUs: number;
}

/**
 * A loaded, validated scenario. `normalized` is the JSON written into the trace header
 * (Triton JSON model config with defaults filled in); `seqsim replay` re-runs from it alone.
 */
export interface Scenario {
  readonly name: string;
  readonly seed: number | undefined;
  readonly model: ModelConfig;
  readonly executorLatencyUs: Latency;
  readonly transportLatencyUs: Latency;
  readonly sequences: readonly ScenarioSequence[];
  /** The fault plan (`faults` block); undefined = no faults. */
  readonly faults: FaultPlan | undefined;
  readonly lifecycle: readonly StopEvent[];
  /** Pinned same-instant decisions (labels or option indices); undefined = the seed decides. */
  readonly schedule?: readonly (number | string)[];
  readonly normalized: Readonly<Record<string, unknown>>;
}

/** Bad user input: names the file, the field (JSON path) and the problem. CLI exit code 2. */
export class InputError extends Error {
  constructor(
    readonly file: string,
    readonly field: string,
    readonly problem: string,
  ) {
    super(`${file}: ${field ? `${field}: ` : ''}${problem}`);
    this.name = 'InputError';
  }
}
