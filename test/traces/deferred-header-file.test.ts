import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { DeferredHeaderTraceFile, eventsPathFor } from '../../traces/deferred-header-file.ts';
import { serializeTrace, traceText } from '../../traces/writer.ts';
import type { TraceEvent } from '../../src/core/events.ts';

const dir = mkdtempSync(join(tmpdir(), 'seqsim-deferred-'));

describe('DeferredHeaderTraceFile', () => {
  it('writes the bytes serializeTrace gives for the same header and events, whatever the header holds', () => {
    const events: TraceEvent[] = [
      { t: 0, type: 'send', request: '1:0', sequence: 1, step: 0, start: true, end: false, value: 1 },
      { t: 5, type: 'arrive', request: '1:0' },
      { t: 9, type: 'response', request: '1:0', sequence: 1, step: 0, output: 1 },
      { t: 9, type: 'violation', oracle: 'outputs', message: 'é ✗ "quoted"', events: [2] },
    ];
    const header = { type: 'header', note: 'x'.repeat(100_000) } as const;
    const path = join(dir, 'trace.jsonl');
    const file = new DeferredHeaderTraceFile(path);
    for (const event of events) file.event(event);
    const hash = file.finish(header, { interrupted: 2 });
    const expected = serializeTrace(header as never, events, { interrupted: 2 });
    expect(readFileSync(path, 'utf8')).toBe(traceText(expected));
    expect(hash).toBe(expected.hash);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('abort removes the temporary events and leaves no trace written', () => {
    const path = join(dir, 'aborted.jsonl');
    const file = new DeferredHeaderTraceFile(path);
    file.event({ t: 0, type: 'arrive', request: 'a' });
    file.abort();
    expect(readdirSync(dir).filter((f) => f.startsWith('aborted'))).toEqual([]);
  });

  it('keeps the events beside a plain or new trace file, in the temporary folder for a device or pipe', () => {
    const plain = join(dir, 'plain.jsonl');
    writeFileSync(plain, '');
    expect(dirname(eventsPathFor(plain))).toBe(dir);
    expect(dirname(eventsPathFor(join(dir, 'new.jsonl')))).toBe(dir);
    expect(dirname(eventsPathFor('/dev/null'))).toBe(tmpdir());
    expect(eventsPathFor(plain)).not.toBe(eventsPathFor(plain));
  });
});
