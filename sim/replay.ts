import { InputError } from '../src/core/input-errors.ts';
import { parseScenario } from '../src/scenario/load.ts';
import { simulate, UnknownBatcherError, type RunResult, type SimulateOptions } from './simulate.ts';
import type { ParsedTrace } from '../traces/read.ts';
import type { TraceHeader } from '../traces/writer.ts';

export type ReplayVerdict =
  | { readonly identical: true; readonly run: RunResult }
  | {
      readonly identical: false;
      readonly run: RunResult;
      /** 1-based line number of the first difference. */
      readonly line: number;
      readonly recorded: string | undefined;
      readonly replayed: string | undefined;
    };

/** Recovers the simulate() options a header recorded. */
export function optionsFromHeader(trace: ParsedTrace, file: string): SimulateOptions {
  const options = trace.header.options;
  const maxEvents = options['max_events'];
  const slotOrder = options['slot_order'];
  const batcher = options['batcher'];
  const schedule = options['schedule'];
  const strictLifecycle = options['strict_lifecycle'];
  const chooseDraws = options['choose_draws'];
  const stalled = options['stalled'];
  if (stalled !== undefined && stalled !== true) throw new InputError(file, 'line 1: options.stalled', 'must be true when present');
  if (chooseDraws !== undefined && chooseDraws !== true) throw new InputError(file, 'line 1: options.choose_draws', 'must be true when present');
  if (strictLifecycle !== undefined && strictLifecycle !== true) throw new InputError(file, 'line 1: options.strict_lifecycle', 'must be true when present');
  if (schedule !== undefined && !(Array.isArray(schedule) && schedule.every((i) => typeof i === 'string' || (Number.isSafeInteger(i) && (i as number) >= 0)))) {
    throw new InputError(file, 'line 1: options.schedule', 'must be an array of task or draw labels or non-negative integers');
  }
  if (batcher !== undefined && typeof batcher !== 'string') throw new InputError(file, 'line 1: options.batcher', 'must be a string');
  if (maxEvents !== undefined && !(Number.isSafeInteger(maxEvents) && (maxEvents as number) > 0)) {
    throw new InputError(file, 'line 1: options.max_events', 'must be a positive integer');
  }
  if (slotOrder !== undefined && slotOrder !== 'triton-heap' && slotOrder !== 'instance-major') {
    throw new InputError(file, 'line 1: options.slot_order', 'must be "triton-heap" or "instance-major"');
  }
  return {
    seed: trace.header.seed,
    ...(maxEvents !== undefined ? { maxEvents: maxEvents as number } : {}),
    ...(slotOrder !== undefined ? { slotOrder: slotOrder as 'triton-heap' | 'instance-major' } : {}),
    ...(typeof batcher === 'string' ? { batcher } : {}),
    ...(Array.isArray(schedule) ? { schedule: schedule as (number | string)[] } : {}),
    ...(chooseDraws === true ? { chooseDraws: true } : {}),
    ...(strictLifecycle === true ? { strictLifecycle: true } : {}),
    // A run stops at a stall only where the recording did (traces from before stall stops, and
    // runs that never stalled, replay without it).
    stallStop: stalled === true,
  };
}

/** Re-runs a trace from its header alone and compares line by line. */
export function replayTrace(trace: ParsedTrace, file: string): ReplayVerdict {
  const run = rerunHeader(trace.header, file);
  const count = Math.max(run.lines.length, trace.lines.length);
  for (let i = 0; i < count; i++) {
    if (run.lines[i] !== trace.lines[i]) {
      return { identical: false, run, line: i + 1, recorded: trace.lines[i], replayed: run.lines[i] };
    }
  }
  return { identical: true, run };
}

/** The run a trace header records, simulated again (a real-clock header is refused: it cannot be re-run exactly). */
export function rerunHeader(header: TraceHeader, file: string): RunResult {
  if (header.clock === 'real') {
    // A live run's times come from the real clock and ONNX Runtime: nothing can re-run them exactly.
    throw new InputError(
      file,
      'line 1: clock',
      'this trace was recorded by `seqsim live` on the real clock, which cannot be replayed byte for byte; ' +
        `re-run it live (seqsim live <scenario> --seed ${header.seed}) or simulate its scenario (seqsim run)`,
    );
  }
  const scenario = parseScenario(header.scenario, `${file} (header scenario)`, '.');
  const options = optionsFromHeader({ header, events: [], lines: [] }, file);
  try {
    return simulate(scenario, options);
  } catch (error) {
    if (error instanceof UnknownBatcherError) throw new InputError(file, 'line 1: options.batcher', error.message);
    throw error;
  }
}
