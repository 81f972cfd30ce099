import { closeSync, fstatSync, openSync, readSync, statSync, type Stats } from 'node:fs';

/**
 * Every file seqsim reads on a user's behalf is read through here: it must be a regular file (a
 * device such as /dev/zero or /dev/urandom, a pipe or a folder never ends or is not a file), its
 * size is checked before reading, and the read stops at the limit even if the file grows meanwhile.
 */

export const MiB = 1024 * 1024;
export const GiB = 1024 * MiB;

/** Why a path cannot be read, as one short phrase (ENOENT and friends keep their code, which users search for). */
export class FileReadProblem extends Error {
  constructor(readonly problem: string) {
    super(problem);
    this.name = 'FileReadProblem';
  }
}

function kindOf(stats: Stats): string {
  if (stats.isDirectory()) return 'a folder';
  if (stats.isCharacterDevice()) return 'a character device';
  if (stats.isBlockDevice()) return 'a block device';
  if (stats.isFIFO()) return 'a pipe';
  if (stats.isSocket()) return 'a socket';
  return 'not a regular file';
}

/** "2 GiB", "64 MiB", "4 KiB" for round sizes, else exact bytes (two sizes in one message must not look equal). */
export function formatLimit(bytes: number): string {
  if (bytes >= GiB && bytes % GiB === 0) return `${bytes / GiB} GiB`;
  if (bytes >= MiB && bytes % MiB === 0) return `${bytes / MiB} MiB`;
  if (bytes >= 1024 && bytes % 1024 === 0) return `${bytes / 1024} KiB`;
  return `${bytes} bytes`;
}

/**
 * Opens `path` for reading when it is a regular file of at most `maxBytes`; the caller closes the
 * descriptor. Throws FileReadProblem (the errno code, or what the path is and the limit).
 */
export function openRegularFile(path: string, maxBytes: number): { fd: number; size: number } {
  let fd: number;
  try {
    // Checked before opening too: opening a pipe blocks until something writes to it.
    const before = statSync(path);
    if (!before.isFile()) throw new FileReadProblem(`${kindOf(before)}, not a regular file`);
    fd = openSync(path, 'r');
  } catch (error) {
    if (error instanceof FileReadProblem) throw error;
    throw new FileReadProblem((error as NodeJS.ErrnoException).code ?? String(error));
  }
  try {
    const stats = fstatSync(fd);
    if (!stats.isFile()) throw new FileReadProblem(`${kindOf(stats)}, not a regular file`);
    if (stats.size > maxBytes) throw new FileReadProblem(`${formatLimit(stats.size)} is larger than the ${formatLimit(maxBytes)} limit`);
    return { fd, size: stats.size };
  } catch (error) {
    closeSync(fd);
    throw error;
  }
}

/** Reads a whole regular file of at most `maxBytes` (checked before and while reading). */
export function readBoundedFile(path: string, maxBytes: number): Buffer {
  const { fd, size } = openRegularFile(path, maxBytes);
  try {
    // Room for one byte more than the size tells a file that grew from one that did not.
    let buffer = Buffer.allocUnsafe(Math.min(maxBytes, size) + 1);
    let length = 0;
    for (;;) {
      if (length === buffer.length) {
        if (length > maxBytes) throw new FileReadProblem(`grew past the ${formatLimit(maxBytes)} limit while being read`);
        const larger = Buffer.allocUnsafe(Math.min(maxBytes + 1, buffer.length * 2));
        buffer.copy(larger, 0, 0, length);
        buffer = larger;
      }
      const read = readSync(fd, buffer, length, buffer.length - length, null);
      if (read === 0) break;
      length += read;
    }
    if (length > maxBytes) throw new FileReadProblem(`grew past the ${formatLimit(maxBytes)} limit while being read`);
    return buffer.subarray(0, length);
  } finally {
    closeSync(fd);
  }
}

/** Reads at most the first `bytes` bytes of a regular file of at most `maxBytes` (a data file's prefix). */
export function readFilePrefix(path: string, bytes: number, maxBytes: number): { prefix: Buffer; size: number } {
  const { fd, size } = openRegularFile(path, maxBytes);
  try {
    const prefix = Buffer.alloc(Math.min(bytes, size));
    let length = 0;
    while (length < prefix.length) {
      const read = readSync(fd, prefix, length, prefix.length - length, null);
      if (read === 0) break;
      length += read;
    }
    return { prefix: prefix.subarray(0, length), size };
  } finally {
    closeSync(fd);
  }
}

/** UTF-8 text of a bounded file; V8 cannot hold strings past ~512 MiB, so the limit must stay below it. */
export function readBoundedText(path: string, maxBytes: number): string {
  return readBoundedFile(path, maxBytes).toString('utf8');
}
