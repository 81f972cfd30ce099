import { closeSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import { InputError } from '../src/core/input-errors.ts';
import { errorMessage } from '../src/core/error-message.ts';

/** A trace written as its run goes (run, serve): a path it cannot write is bad input before the run starts. */
export function prepareTracePath(path: string): void {
  try {
    mkdirSync(dirname(path), { recursive: true });
    closeSync(openSync(path, 'a'));
  } catch (error) {
    throw new InputError(path, '', `cannot write the trace: ${(error as NodeJS.ErrnoException).code ?? errorMessage(error)}`);
  }
}
