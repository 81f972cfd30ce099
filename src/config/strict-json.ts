import { excerpt } from '../core/terminal-text.ts';

/**
 * JSON as seqsim reads every input file: JSON.parse's values, but a key given twice in one object
 * is refused (JSON.parse silently keeps the last, so a scenario's first `"end": true` would vanish),
 * and a syntax error is described by its position and a short escaped excerpt of the offending
 * token, never by the file's raw bytes (V8's messages quote the text around the error).
 */

export class JsonProblem extends Error {
  constructor(
    /** Offset in the text (UTF-16 code units) where the problem is. */
    readonly at: number,
    readonly problem: string,
    /** For a duplicate key: its JSON path (`sequences[0].steps[1].end`). */
    readonly path: string | undefined,
  ) {
    super(problem);
    this.name = 'JsonProblem';
  }
}

/** Parses JSON text; throws JsonProblem for a syntax error or a duplicate key. */
export function parseStrictJson(text: string): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    const found = scanJson(text);
    throw found ?? new JsonProblem(0, 'not valid JSON', undefined);
  }
  const duplicate = scanJson(text);
  if (duplicate !== undefined) throw duplicate;
  // V8 keeps the subject of the last regexp match alive until the next match: without this, a
  // million-step scenario's text (25 MB) would stay in memory for the whole run.
  FORGET_SUBJECT.exec('');
  return value;
}

const FORGET_SUBJECT = /^/;

/**
 * An open container. Its path is built only for an error message: the frame keeps its parent and
 * where it sits in it, because building every container's path string on a large file (a
 * million-step scenario) costs more than the scan itself.
 */
interface ObjectFrame {
  readonly kind: 'object';
  readonly parent: Frame | undefined;
  /** Its key or index in the parent when it was opened. */
  readonly slot: string | number | undefined;
  /** Keys seen so far: a short list (objects in these files have a few keys), a set past SMALL_OBJECT_KEYS. */
  keys: string[] | Set<string>;
  key: string | undefined;
}

interface ArrayFrame {
  readonly kind: 'array';
  readonly parent: Frame | undefined;
  readonly slot: string | number | undefined;
  index: number;
}

type Frame = ObjectFrame | ArrayFrame;

/** Where a child of `frame` opens: the current key or index. */
function slotIn(frame: Frame | undefined): string | number | undefined {
  if (frame === undefined) return undefined;
  return frame.kind === 'array' ? frame.index : (frame.key ?? '');
}

/** The JSON path of `frame` (`sequences[0].steps[1]`); '' for the top-level value. */
function pathOf(frame: Frame | undefined): string {
  if (frame === undefined || frame.parent === undefined) return '';
  return joinPath(pathOf(frame.parent), frame.slot);
}

function joinPath(path: string, slot: string | number | undefined): string {
  if (typeof slot === 'number') return `${path}[${slot}]`;
  return path === '' ? (slot ?? '') : `${path}.${slot ?? ''}`;
}

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

/** The first syntax error or duplicate key in `text`, or undefined. Iterative: nesting depth cannot overflow the stack. */
export function scanJson(text: string): JsonProblem | undefined {
  const stack: Frame[] = [];
  let at = 0;
  // A plain loop: a sticky regex per whitespace run costs more than the rest of the scan.
  const skip = (): void => {
    while (at < text.length) {
      const c = text.charCodeAt(at);
      if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) return;
      at++;
    }
  };
  const unexpected = (what: string): JsonProblem =>
    at >= text.length
      ? new JsonProblem(at, `unexpected end of input, expected ${what}`, undefined)
      : new JsonProblem(at, `expected ${what}, found ${excerpt(tokenAt(text, at), 16)}`, undefined);
  /** Reads a string starting at `at` (a quote); returns its raw text or a problem. */
  const string = (): string | JsonProblem => {
    const start = at;
    at++;
    let escaped = false;
    for (;;) {
      if (at >= text.length) return new JsonProblem(start, 'unterminated string', undefined);
      const c = text.charCodeAt(at);
      if (c === 0x22) break;
      if (c < 0x20) return new JsonProblem(at, 'a control character inside a string (write it as an escape like \\n)', undefined);
      if (c === 0x5c) {
        escaped = true;
        const next = text[at + 1];
        if (next === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(at + 2, at + 6))) return new JsonProblem(at, `bad escape ${excerpt(text.slice(at, at + 6), 8)}`, undefined);
          at += 6;
          continue;
        }
        if (next === undefined || !'"\\/bfnrt'.includes(next)) return new JsonProblem(at, `bad escape ${excerpt(text.slice(at, at + 2), 8)}`, undefined);
        at += 2;
        continue;
      }
      at++;
    }
    at++;
    const raw = text.slice(start, at);
    return escaped ? (JSON.parse(raw) as string) : raw.slice(1, -1);
  };
  /** A value's end: the container expects a comma or its close next. */
  const valueDone = (): void => {
    const top = stack[stack.length - 1];
    if (top?.kind === 'array') top.index++;
  };

  skip();
  let expectValue = true;
  for (;;) {
    if (expectValue) {
      skip();
      const c = text[at];
      if (c === '{') {
        stack.push({ kind: 'object', parent: stack[stack.length - 1], slot: slotIn(stack[stack.length - 1]), keys: [], key: undefined });
        at++;
        skip();
        if (text[at] === '}') {
          at++;
          stack.pop();
          valueDone();
          expectValue = false;
          continue;
        }
        const key = readKey();
        if (key !== undefined) return key;
        continue;
      }
      if (c === '[') {
        stack.push({ kind: 'array', parent: stack[stack.length - 1], slot: slotIn(stack[stack.length - 1]), index: 0 });
        at++;
        skip();
        if (text[at] === ']') {
          at++;
          stack.pop();
          valueDone();
          expectValue = false;
          continue;
        }
        continue;
      }
      if (c === '"') {
        const value = string();
        if (value instanceof JsonProblem) return value;
      } else if (c === 't' || c === 'f' || c === 'n') {
        const word = c === 't' ? 'true' : c === 'f' ? 'false' : 'null';
        if (!text.startsWith(word, at)) return unexpected('a value');
        at += word.length;
      } else {
        NUMBER.lastIndex = at;
        if (NUMBER.exec(text) === null) return unexpected('a value');
        at = NUMBER.lastIndex;
      }
      valueDone();
      expectValue = false;
      continue;
    }
    skip();
    const top = stack[stack.length - 1];
    if (top === undefined) {
      if (at < text.length) return new JsonProblem(at, `unexpected ${excerpt(tokenAt(text, at), 16)} after the JSON value`, undefined);
      return undefined;
    }
    const c = text[at];
    if (c === ',') {
      at++;
      if (top.kind === 'object') {
        skip();
        const key = readKey();
        if (key !== undefined) return key;
      } else expectValue = true;
      continue;
    }
    if ((top.kind === 'object' && c === '}') || (top.kind === 'array' && c === ']')) {
      at++;
      stack.pop();
      valueDone();
      continue;
    }
    return unexpected(top.kind === 'object' ? "',' or '}'" : "',' or ']'");
  }

  /** `"key":` in the object on top of the stack; sets expectValue. Returns a problem, if any. */
  function readKey(): JsonProblem | undefined {
    const top = stack[stack.length - 1] as ObjectFrame;
    if (text[at] !== '"') return unexpected('a key in double quotes');
    const keyAt = at;
    const key = string();
    if (key instanceof JsonProblem) return key;
    top.key = key;
    if (hasKey(top, key))
      return new JsonProblem(keyAt, `key ${excerpt(key, 40)} is given twice in one object (JSON would silently keep the last)`, joinPath(pathOf(top), top.key));
    addKey(top, key);
    skip();
    if (text[at] !== ':') return unexpected("':'");
    at++;
    expectValue = true;
    return undefined;
  }
}

/** Past this many keys an object's keys go into a set. */
const SMALL_OBJECT_KEYS = 16;

function hasKey(frame: ObjectFrame, key: string): boolean {
  return Array.isArray(frame.keys) ? frame.keys.includes(key) : frame.keys.has(key);
}

function addKey(frame: ObjectFrame, key: string): void {
  if (!Array.isArray(frame.keys)) frame.keys.add(key);
  else if (frame.keys.length < SMALL_OBJECT_KEYS) frame.keys.push(key);
  else frame.keys = new Set([...frame.keys, key]);
}

/** The token at `at`: a run of word characters, or one character. */
function tokenAt(text: string, at: number): string {
  const word = /[\w.+-]+/y;
  word.lastIndex = at;
  return word.exec(text)?.[0] ?? text[at] ?? '';
}
