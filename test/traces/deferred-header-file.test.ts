import { describe, expect, it } from 'vitest';
import { lstatSync, mkdtempSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
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

  it('writes the same bytes whether the header is the one expected (hashed as written, renamed into place) or another', () => {
    const events: TraceEvent[] = [
      { t: 0, type: 'arrive', request: 'a' },
      { t: 4, type: 'execute', instance: 0, batch: 0, rows: [{ slot: 0, request: 'a', sequence: 1, start: true, end: false, ready: true, corrid: 1 }] },
    ];
    const expectedHeader = { type: 'header', options: { stalled: false }, note: 'é'.repeat(50) };
    const otherHeader = { type: 'header', options: { stalled: true }, note: 'é'.repeat(50) };
    for (const [name, header] of [
      ['as-expected', expectedHeader],
      ['equal-copy', { ...expectedHeader }],
      ['other', otherHeader],
    ] as const) {
      const path = join(dir, `${name}.jsonl`);
      writeFileSync(path, 'an older trace, longer than the new one '.repeat(100));
      const file = new DeferredHeaderTraceFile(path, expectedHeader);
      for (const event of events) file.event(event);
      const hash = file.finish(header);
      const expected = serializeTrace(header as never, events);
      expect(readFileSync(path, 'utf8'), name).toBe(traceText(expected));
      expect(hash, name).toBe(expected.hash);
    }
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('writes through a link to the trace, which stays a link', () => {
    const target = join(dir, 'target.jsonl');
    const link = join(dir, 'link.jsonl');
    writeFileSync(target, '');
    symlinkSync(target, link);
    const header = { type: 'header' };
    const file = new DeferredHeaderTraceFile(link, header);
    file.event({ t: 0, type: 'arrive', request: 'a' });
    file.finish(header);
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(readFileSync(target, 'utf8')).toBe(traceText(serializeTrace(header as never, [{ t: 0, type: 'arrive', request: 'a' }])));
  });

  it('abort removes the temporary events and leaves no trace written (an older one as it was)', () => {
    const path = join(dir, 'aborted.jsonl');
    const file = new DeferredHeaderTraceFile(path);
    file.event({ t: 0, type: 'arrive', request: 'a' });
    file.abort();
    expect(readdirSync(dir).filter((f) => f.startsWith('aborted'))).toEqual([]);
    const kept = join(dir, 'kept.jsonl');
    writeFileSync(kept, 'an older trace\n');
    const expecting = new DeferredHeaderTraceFile(kept, { type: 'header' });
    expecting.event({ t: 0, type: 'arrive', request: 'a' });
    expecting.abort();
    expect(readFileSync(kept, 'utf8')).toBe('an older trace\n');
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
