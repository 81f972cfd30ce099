import { InputError } from '../src/core/input-errors.ts';
import { forEachTraceLine, parseTraceHeaderLine, type TraceLimits } from '../traces/read.ts';
import type { TraceHeader } from '../traces/writer.ts';
import { rerunHeader, type ReplayVerdict } from './replay.ts';

/**
 * Replays a trace file without holding it: line 1 is read and re-run, then the recorded lines are
 * streamed and compared with the run's, one at a time. CRLF line endings compare as LF.
 */
export function replayTraceFile(file: string, limits?: TraceLimits): ReplayVerdict {
  let header: TraceHeader | undefined;
  let run: ReturnType<typeof rerunHeader> | undefined;
  let divergence: { line: number; recorded: string | undefined; replayed: string | undefined } | undefined;
  let count = 0;
  forEachTraceLine(
    file,
    (line, lineNumber) => {
      count = lineNumber;
      if (lineNumber === 1) {
        header = parseTraceHeaderLine(line, file);
        run = rerunHeader(header, file);
      }
      const replayed = run!.lines[lineNumber - 1];
      if (line !== replayed) {
        divergence = { line: lineNumber, recorded: line, replayed };
        return false;
      }
      return true;
    },
    limits,
  );
  if (run === undefined) throw new InputError(file, 'line 1', 'empty trace: expected a header line');
  // The run wrote more lines than the trace holds: the trace ends early.
  if (divergence === undefined && run.lines.length > count) divergence = { line: count + 1, recorded: undefined, replayed: run.lines[count] };
  return divergence === undefined ? { identical: true, run } : { identical: false, run, ...divergence };
}
