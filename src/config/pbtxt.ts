import { oneLine } from '../core/terminal-text.ts';
import { InputError } from '../core/input-errors.ts';
import { fieldShape, isBooleanField, isMessageValuedMap, mapEntryDefaults } from './pbtxt-fields.ts';

/**
 * Protobuf text format (a Triton config.pbtxt) → the JSON form of a ModelConfig, which
 * normalizeModelConfig() then checks. npm has no maintained package that parses text format
 * without compiling the .proto first, so this is a small parser; pbtxt-fields.ts says which fields
 * repeat, which are maps and which are bools. Errors name file, line:column and the problem.
 *
 * Grammar: messages `{ … }` or `< … >`, `field: value`, `field { … }` (the colon before a message
 * is optional), list syntax `field: [a, b]`, `;` or `,` after a field, `#` comments, enums as bare
 * identifiers, strings in '…' or "…" with C escapes (adjacent strings concatenate), numbers in
 * decimal, hex (0x…), octal (0…) or float form with an optional f suffix.
 */
type Value = string | number | boolean | Record<string, unknown> | Value[];

/** Deeper than any ModelConfig: stops a hostile file from exhausting the stack. */
const MAX_DEPTH = 64;
const SIMPLE_ESCAPES: Readonly<Record<string, number>> = {
  a: 7,
  b: 8,
  f: 12,
  n: 10,
  r: 13,
  t: 9,
  v: 11,
  '\\': 92,
  "'": 39,
  '"': 34,
  '?': 63,
};

const IDENTIFIER = /[A-Za-z_][A-Za-z0-9_]*/y;
const NUMBER = /-?(?:0[xX][0-9a-fA-F]+|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?[fF]?)(?![A-Za-z0-9_.])/y;
const WORD = /-?[A-Za-z_][A-Za-z0-9_]*(?![A-Za-z0-9_.])/y;
const ANY_TOKEN = /[^\s,;:{}<>[\]#]+/y;

export function parsePbtxt(text: string, file: string): Record<string, unknown> {
  const parser = new PbtxtParser(text, file);
  return parser.message('', undefined, 0);
}

class PbtxtParser {
  private at = 0;

  constructor(
    private readonly text: string,
    private readonly file: string,
  ) {}

  /** Fields up to `close` (or the end of the text at the top level); `owner` is the enclosing field. */
  message(owner: string, close: string | undefined, depth: number): Record<string, unknown> {
    if (depth > MAX_DEPTH) this.fail('messages nested too deeply');
    const result: Record<string, unknown> = {};
    for (;;) {
      this.skip();
      if (this.at >= this.text.length) {
        if (close !== undefined) this.fail(`expected '${close}' before the end of the file`);
        return result;
      }
      if (close !== undefined && this.text[this.at] === close) {
        this.at++;
        return result;
      }
      this.field(owner, result, depth);
      this.skip();
      if (this.text[this.at] === ';' || this.text[this.at] === ',') this.at++;
    }
  }

  private field(owner: string, result: Record<string, unknown>, depth: number): void {
    const fieldAt = this.at;
    const name = this.identifier();
    this.skip();
    const shape = fieldShape(owner, name);
    let value: Value;
    const next = this.text[this.at];
    if (next === ':') {
      this.at++;
      this.skip();
      value = this.text[this.at] === '[' ? this.list(name, depth) : this.value(name, depth);
    } else if (next === '{' || next === '<') {
      value = this.value(name, depth);
    } else if (next === '[') {
      // A list of messages may leave out the colon: `input [ { … }, { … } ]`.
      value = this.list(name, depth);
    } else {
      this.fail(`expected ':' or '{' after field '${shorten(name)}'`);
    }
    if (Array.isArray(value) && shape === 'single') this.fail(`field '${shorten(name)}' takes one value, not a list`, fieldAt);
    const values = Array.isArray(value) ? value : [value];
    if (shape === 'map') {
      this.addMapEntries(result, name, values, fieldAt);
      return;
    }
    const converted = values.map((v) => (isBooleanField(name) && (v === 0 || v === 1) ? v === 1 : v));
    if (shape === 'repeated') {
      const list = (result[name] as Value[] | undefined) ?? [];
      list.push(...converted);
      result[name] = list;
      return;
    }
    if (Object.hasOwn(result, name)) this.fail(`field '${shorten(name)}' is given twice but is not repeated`, fieldAt);
    result[name] = converted[0];
  }

  /**
   * Map entries `{ key: … value: … }` become object fields (a later key replaces an earlier one).
   * An entry may leave out its key or value, as in protobuf text format: `parameters: {}` is one
   * entry with key "" and an empty value.
   */
  private addMapEntries(result: Record<string, unknown>, name: string, entries: readonly Value[], fieldAt: number): void {
    const map = (result[name] as Record<string, unknown> | undefined) ?? {};
    const usage = `map field '${shorten(name)}' takes entries like { key: "…" value: ${isMessageValuedMap(name) ? '{ … }' : '"…"'} }`;
    const defaults = mapEntryDefaults(name);
    for (const entry of entries) {
      if (typeof entry !== 'object' || Array.isArray(entry)) this.fail(usage, fieldAt);
      const key = entry['key'] ?? defaults.key;
      const value = entry['value'] ?? defaults.value;
      if (Object.keys(entry).some((k) => k !== 'key' && k !== 'value') || (typeof key !== 'string' && typeof key !== 'number')) this.fail(usage, fieldAt);
      Object.defineProperty(map, String(key), { value, enumerable: true, writable: true, configurable: true });
    }
    result[name] = map;
  }

  private list(owner: string, depth: number): Value[] {
    this.at++;
    const list: Value[] = [];
    for (;;) {
      this.skip();
      if (this.text[this.at] === ']') {
        this.at++;
        return list;
      }
      list.push(this.value(owner, depth));
      this.skip();
      if (this.text[this.at] === ',') this.at++;
      else if (this.text[this.at] !== ']') this.fail("expected ',' or ']' in a list");
    }
  }

  private value(owner: string, depth: number): Value {
    const char = this.text[this.at];
    if (char === '{' || char === '<') {
      this.at++;
      return this.message(owner, char === '{' ? '}' : '>', depth + 1);
    }
    if (char === '"' || char === "'") return this.string();
    return this.scalar();
  }

  private string(): string {
    const bytes: number[] = [];
    // Adjacent string literals concatenate, as in protobuf text format.
    while (this.text[this.at] === '"' || this.text[this.at] === "'") {
      const quote = this.text[this.at]!;
      this.at++;
      for (;;) {
        if (this.at >= this.text.length) this.fail('unterminated string');
        const char = String.fromCodePoint(this.text.codePointAt(this.at)!);
        if (char === '\n') this.fail('newline inside a string');
        this.at += char.length;
        if (char === quote) break;
        if (char === '\\') this.escape(bytes);
        else bytes.push(...Buffer.from(char, 'utf8'));
      }
      this.skip();
    }
    return Buffer.from(bytes).toString('utf8');
  }

  /** C escapes as protobuf's tokenizer knows them: \n …, \NNN octal, \xHH, \uXXXX, \UXXXXXXXX. */
  private escape(bytes: number[]): void {
    const char = this.text[this.at] ?? '';
    const simple = SIMPLE_ESCAPES[char];
    if (simple !== undefined) {
      this.at++;
      bytes.push(simple);
      return;
    }
    const octal = /^[0-7]{1,3}/.exec(this.text.slice(this.at, this.at + 3));
    if (octal !== null) {
      this.at += octal[0].length;
      bytes.push(Number.parseInt(octal[0], 8) & 0xff);
      return;
    }
    const hex = /^x([0-9a-fA-F]{1,2})/.exec(this.text.slice(this.at, this.at + 3));
    if (hex !== null) {
      this.at += hex[0].length;
      bytes.push(Number.parseInt(hex[1]!, 16));
      return;
    }
    const unicode = /^(?:u([0-9a-fA-F]{4})|U([0-9a-fA-F]{8}))/.exec(this.text.slice(this.at, this.at + 9));
    const codePoint = unicode === null ? undefined : Number.parseInt(unicode[1] ?? unicode[2]!, 16);
    if (unicode === null || codePoint === undefined || codePoint > 0x10ffff) this.fail(`unsupported escape '\\${char}'`);
    this.at += unicode[0].length;
    bytes.push(...Buffer.from(String.fromCodePoint(codePoint), 'utf8'));
  }

  private scalar(): string | number | boolean {
    const numberToken = this.match(NUMBER);
    const number = numberToken === undefined ? undefined : parseNumber(numberToken);
    if (numberToken !== undefined && number !== undefined) {
      this.at += numberToken.length;
      return number;
    }
    const word = this.match(WORD);
    if (word === undefined) {
      const token = this.match(ANY_TOKEN);
      return this.fail(
        token === undefined ? `unexpected character ${JSON.stringify(this.text[this.at] ?? 'end of file')}` : `cannot read value '${shorten(token)}'`,
      );
    }
    if (/^-?(inf|infinity|nan)$/i.test(word)) this.fail(`'${shorten(word)}' is not a number seqsim can use`);
    if (word.startsWith('-')) this.fail(`cannot read value '${shorten(word)}'`);
    this.at += word.length;
    if (word === 'true' || word === 'True' || word === 't') return true;
    if (word === 'false' || word === 'False' || word === 'f') return false;
    return word;
  }

  private identifier(): string {
    const name = this.match(IDENTIFIER);
    // One character: what stands where a name should is often the file's content, not a typo.
    if (name === undefined)
      this.fail(`expected a field name, found ${this.at < this.text.length ? `'${shorten(this.text[this.at]!)}'` : 'the end of the file'}`);
    this.at += name.length;
    return name;
  }

  /** The token of `pattern` (a sticky regex) at the cursor, without moving it. */
  private match(pattern: RegExp): string | undefined {
    pattern.lastIndex = this.at;
    return pattern.exec(this.text)?.[0];
  }

  private skip(): void {
    for (;;) {
      const char = this.text[this.at];
      if (char === ' ' || char === '\t' || char === '\n' || char === '\r' || char === '\f' || char === '\v') this.at++;
      else if (char === '#') {
        while (this.at < this.text.length && this.text[this.at] !== '\n') this.at++;
      } else return;
    }
  }

  private fail(problem: string, at = this.at): never {
    throw new InputError(this.file, lineColumn(this.text, at), problem);
  }
}

/** A token of the file as an error quotes it: short and with control characters escaped (a file may be anything). */
function shorten(token: string): string {
  return oneLine(token.length > 16 ? `${token.slice(0, 16)}…` : token);
}

/** "line L:C" (both from 1) of offset `at`: where an error in a text file is. */
export function lineColumn(text: string, at: number): string {
  const before = text.slice(0, at);
  return `line ${before.split('\n').length}:${at - before.lastIndexOf('\n')}`;
}

/**
 * A number token, or undefined. Integers beyond 2^53 stay decimal strings, as Triton's JSON form
 * writes 64-bit fields, so they are not rounded.
 */
function parseNumber(token: string): number | string | undefined {
  const negative = token.startsWith('-');
  const body = negative ? token.slice(1) : token;
  let magnitude: bigint | undefined;
  if (/^0[xX][0-9a-fA-F]+$/.test(body)) magnitude = BigInt(body);
  else if (/^0[0-7]+$/.test(body)) magnitude = BigInt(`0o${body.slice(1)}`);
  else if (/^(0|[1-9]\d*)$/.test(body)) magnitude = BigInt(body);
  if (magnitude !== undefined) {
    const value = negative ? -magnitude : magnitude;
    return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value.toString();
  }
  if (/[.eEfF]/.test(body) && !/^0[xX]/.test(body)) {
    const value = Number(body.replace(/[fF]$/, ''));
    if (Number.isFinite(value)) return negative ? -value : value;
  }
  return undefined;
}
