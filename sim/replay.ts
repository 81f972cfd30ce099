import { InputError } from '../src/core/input-errors.ts';
import { parseScenario } from '../src/scenario/load.ts';
import { simulate, type RunResult, type SimulateOptions } from './simulate.ts';
import { UnknownBatcherError } from './pipeline/batcher-choice.ts';
import { decodeSimOptions } from './pipeline/header-options.ts';
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

/** Recovers the simulate() options a header recorded (sim/pipeline/header-options.ts decodes them). */
export function optionsFromHeader(trace: ParsedTrace, file: string): SimulateOptions & { readonly batcher: string } {
  const { settings, stalled } = decodeSimOptions(trace.header.options, file);
  return {
    seed: trace.header.seed,
    ...settings,
    // A run stops at a stall only where the recording did (traces from before stall stops, and
    // runs that never stalled, replay without it).
    stallStop: stalled,
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
  if (header.recorded_from === 'client') {
    throw new InputError(
      file,
      'line 1: recorded_from',
      'this trace was recorded by a client (`seqsim drive`) against a real server, which cannot be replayed; ' +
        `drive it again (npx seqsim drive <scenario> --url … --seed ${header.seed}) or simulate its scenario (npx seqsim run <scenario>)`,
    );
  }
  if (header.clock === 'real') {
    // A live run's times come from the real clock and ONNX Runtime: nothing can re-run them exactly.
    throw new InputError(
      file,
      'line 1: clock',
      'this trace was recorded by `seqsim live` on the real clock, which cannot be replayed byte for byte; ' +
        `re-run it live (npx seqsim live <scenario> --seed ${header.seed}) or simulate its scenario (npx seqsim run <scenario>)`,
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
