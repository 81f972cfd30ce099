import { InputError } from '../core/input-errors.ts';
import { fieldShape } from './pbtxt-fields.ts';

/**
 * The JSON form of a ModelConfig → protobuf text format (a Triton config.pbtxt), canonically: fields
 * in the object's order, two-space indentation, messages as `field { … }`, repeated fields as
 * lists (`dims: [ 1, 2 ]`, `input [ { … }, { … } ]`, an empty one as `field: [ ]`), map entries as
 * `field { key: "…" value … }` blocks, enum values bare, strings double-quoted with C escapes.
 * parsePbtxt(writePbtxt(c)) equals c for every config in canonical JSON form: integers as numbers
 * while they are safe, 64-bit ones beyond 2^53 as decimal strings (as parsePbtxt gives them).
 */
export function writePbtxt(config: Readonly<Record<string, unknown>>, file = 'config.pbtxt'): string {
  const lines: string[] = [];
  new PbtxtWriter(lines, file).fields(config, '', 0, '');
  return `${lines.join('\n')}\n`;
}

/** Enum-typed fields of model_config.proto: their values are written as bare identifiers. */
const ENUM_FIELDS = new Set(['data_type', 'kind', 'format', 'priority', 'timeout_action']);
/** 64-bit integer fields, whose values beyond 2^53 the JSON form holds as decimal strings. */
const INT64_FIELDS = new Set([
  'dims',
  'shape',
  'max_sequence_idle_microseconds',
  'max_queue_delay_microseconds',
  'default_timeout_microseconds',
  'versions',
  'priority_levels',
  'default_priority_level',
  'max_queue_size',
  'model_version',
]);
const ENUM_VALUE = /^[A-Z][A-Z0-9_]*$/;
const FIELD_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const DECIMAL_INTEGER = /^-?(0|[1-9]\d*)$/;
/** Words the text-format parser reads as something other than an identifier. */
const SPECIAL_WORDS = /^(inf|infinity|nan)$/i;
const LONE_SURROGATE = /\p{Surrogate}/u;

class PbtxtWriter {
  constructor(
    private readonly lines: string[],
    private readonly file: string,
  ) {}

  /** The fields of one message; `parent` is the field holding it ('' at the top), `path` its JSON path. */
  fields(message: Readonly<Record<string, unknown>>, parent: string, depth: number, path: string): void {
    const pad = '  '.repeat(depth);
    for (const [name, value] of Object.entries(message)) {
      if (value === undefined) continue;
      const at = path ? `${path}.${name}` : name;
      if (!FIELD_NAME.test(name)) this.fail(at, `'${name}' is not a field name`);
      const shape = fieldShape(parent, name);
      if (shape === 'map') this.map(name, value, depth, at);
      else if (shape === 'repeated') this.repeated(name, value, depth, at);
      else if (isMessage(value)) this.message(`${pad}${name} {`, value, name, depth, at);
      else this.lines.push(`${pad}${name}: ${this.scalar(name, value, at)}`);
    }
  }

  /** `opener` is the line that opens the message (`  name {`, or `  {` in a list). */
  private message(opener: string, value: Readonly<Record<string, unknown>>, name: string, depth: number, path: string, after = ''): void {
    this.lines.push(opener);
    this.fields(value, name, depth + 1, path);
    this.lines.push(`${'  '.repeat(depth)}}${after}`);
  }

  private repeated(name: string, value: unknown, depth: number, path: string): void {
    const pad = '  '.repeat(depth);
    if (!Array.isArray(value)) this.fail(path, `repeated field '${name}' needs a list`);
    if (value.length === 0) {
      this.lines.push(`${pad}${name}: [ ]`);
      return;
    }
    if (value.every((item) => !isMessage(item))) {
      this.lines.push(`${pad}${name}: [ ${value.map((item, i) => this.scalar(name, item, `${path}[${i}]`)).join(', ')} ]`);
      return;
    }
    if (!value.every(isMessage)) this.fail(path, `list '${name}' mixes messages and values`);
    this.lines.push(`${pad}${name} [`);
    for (const [i, item] of value.entries()) this.message(`${pad}  {`, item, name, depth + 1, `${path}[${i}]`, i < value.length - 1 ? ',' : '');
    this.lines.push(`${pad}]`);
  }

  /** A map as repeated `{ key: … value: … }` entries, in the object's key order. */
  private map(name: string, value: unknown, depth: number, path: string): void {
    const pad = '  '.repeat(depth);
    if (!isMessage(value)) this.fail(path, `map field '${name}' needs an object`);
    const entries = Object.entries(value);
    if (entries.length === 0) {
      this.lines.push(`${pad}${name}: [ ]`);
      return;
    }
    for (const [key, entry] of entries) {
      const at = `${path}.${key}`;
      this.lines.push(`${pad}${name} {`);
      this.lines.push(`${pad}  key: ${this.string(key, at)}`);
      if (isMessage(entry)) this.message(`${pad}  value {`, entry, 'value', depth + 1, at);
      else if (Array.isArray(entry)) this.fail(at, 'a map value cannot be a list');
      // A map<string, string> value is a string even when it looks like a number or an enum.
      else this.lines.push(`${pad}  value: ${typeof entry === 'string' ? this.string(entry, at) : this.scalar('value', entry, at)}`);
      this.lines.push(`${pad}}`);
    }
  }

  private scalar(field: string, value: unknown, path: string): string {
    switch (typeof value) {
      case 'boolean':
        return value ? 'true' : 'false';
      case 'number':
        if (!Number.isFinite(value)) return this.fail(path, `${value} cannot be written in a config`);
        // -0 is a float's: written as an integer it would read back as 0.
        if (Object.is(value, -0)) return '-0.0';
        // An integral double beyond 2^53 in exponent form, so it reads back as this number, not as a 64-bit integer.
        return Number.isInteger(value) && !Number.isSafeInteger(value) ? value.toExponential() : String(value);
      case 'string':
        if (ENUM_FIELDS.has(field) && ENUM_VALUE.test(value) && !SPECIAL_WORDS.test(value)) return value;
        if (INT64_FIELDS.has(field) && DECIMAL_INTEGER.test(value)) return value;
        return this.string(value, path);
      default:
        return this.fail(path, `cannot write ${value === null ? 'null' : typeof value} in a config`);
    }
  }

  /** A double-quoted string: UTF-8 as is, quotes, backslashes and control characters escaped. */
  private string(value: string, path: string): string {
    if (LONE_SURROGATE.test(value)) this.fail(path, 'the string is not valid Unicode (a lone surrogate): protobuf text needs UTF-8');
    let text = '"';
    for (const char of value) {
      const code = char.codePointAt(0)!;
      if (char === '"') text += '\\"';
      else if (char === '\\') text += '\\\\';
      else if (char === '\n') text += '\\n';
      else if (char === '\r') text += '\\r';
      else if (char === '\t') text += '\\t';
      else if (code < 0x20 || code === 0x7f) text += `\\${code.toString(8).padStart(3, '0')}`;
      else text += char;
    }
    return `${text}"`;
  }

  private fail(path: string, problem: string): never {
    throw new InputError(this.file, path, problem);
  }
}

function isMessage(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
