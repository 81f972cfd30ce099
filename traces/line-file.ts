import { closeSync, openSync, writeSync } from 'node:fs';
import { errorMessage } from '../src/core/error-message.ts';

/** Bytes of trace lines buffered before they go to disk. */
const FLUSH_BYTES = 1024 * 1024;

/** Appends lines to a file in large writes; a write error stops the writing (kept, reported at the end), never the server. */
export class LineFile {
  private readonly fd: number;
  private buffer: string[] = [];
  private bytes = 0;
  failure: string | undefined;

  constructor(readonly path: string) {
    this.fd = openSync(path, 'w');
  }

  line(text: string): void {
    if (this.failure !== undefined) return;
    this.buffer.push(text);
    this.bytes += text.length + 1;
    if (this.bytes >= FLUSH_BYTES) this.flush();
  }

  flush(): void {
    if (this.failure !== undefined || this.buffer.length === 0) return;
    const text = `${this.buffer.join('\n')}\n`;
    this.buffer = [];
    this.bytes = 0;
    try {
      writeSync(this.fd, text);
    } catch (error) {
      this.failure = errorMessage(error);
    }
  }

  close(): void {
    this.flush();
    closeSync(this.fd);
  }
}
