import { InputError } from '../scenario/types.ts';

/**
 * Protobuf text format → the JSON form of a Triton ModelConfig. No maintained npm package parses
 * text format without compiling the .proto, so this is a small parser; which fields repeat comes
 * from the ModelConfig schema below, so a single entry still becomes an array.
 */
const REPEATED_FIELDS = new Set([
  'input', 'output', 'batch_input', 'batch_output', 'instance_group', 'gpus', 'secondary_devices', 'dims', 'control_input',
  'control', 'int32_false_true', 'fp32_false_true', 'bool_false_true', 'preferred_batch_size', 'state', 'initial_state',
  'model_warmup', 'cc_model_filenames', 'metric_tags', 'reshape', 'priority_queue_policy', 'host_policy', 'versions',
  'source_input', 'target_name', 'step', 'input_map', 'output_map', 'agents', 'parameters', 'label_filename', 'profile',
]);

type Value = string | number | boolean | Record<string, unknown> | unknown[];

const MAX_DEPTH = 64;

export function parsePbtxt(text: string, file: string): Record<string, unknown> {
  return new PbtxtParser(text, file).message(undefined, 0);
}

class PbtxtParser {
  private at = 0;

  constructor(
    private readonly text: string,
    private readonly file: string,
  ) {}

  message(close: string | undefined, depth: number): Record<string, unknown> {
    if (depth > MAX_DEPTH) this.fail('messages nested too deeply');
    const result: Record<string, unknown> = {};
    for (;;) {
      this.skip();
      if (this.at >= this.text.length) {
        if (close !== undefined) this.fail(`expected '${close}' before the end of the file`);
        return result;
      }
      const char = this.text[this.at]!;
      if (close !== undefined && char === close) {
        this.at++;
        return result;
      }
      const name = this.identifier();
      this.skip();
      let value: Value;
      if (this.text[this.at] === ':') {
        this.at++;
        this.skip();
        value = this.value(depth);
      } else if (this.text[this.at] === '{' || this.text[this.at] === '<' || this.text[this.at] === '[') {
        // Messages and lists of messages may omit the colon: `input [ { … } ]`.
        value = this.value(depth);
      } else {
        this.fail(`expected ':' or '{' after field '${name}'`);
      }
      this.add(result, name, value);
      this.skip();
      if (this.text[this.at] === ';' || this.text[this.at] === ',') this.at++;
    }
  }

  private add(result: Record<string, unknown>, name: string, value: Value): void {
    const existing = result[name];
    if (REPEATED_FIELDS.has(name)) {
      const list = (existing as unknown[] | undefined) ?? [];
      if (Array.isArray(value)) list.push(...value);
      else list.push(value);
      result[name] = list;
    } else {
      if (existing !== undefined) this.fail(`field '${name}' given twice (it is not repeated)`);
      result[name] = value;
    }
  }

  private value(depth: number): Value {
    const char = this.text[this.at];
    if (char === '{') {
      this.at++;
      return this.message('}', depth + 1);
    }
    if (char === '<') {
      this.at++;
      return this.message('>', depth + 1);
    }
    if (char === '[') {
      this.at++;
      const list: Value[] = [];
      for (;;) {
        this.skip();
        if (this.text[this.at] === ']') {
          this.at++;
          return list;
        }
        list.push(this.value(depth + 1));
        this.skip();
        if (this.text[this.at] === ',') this.at++;
        else if (this.text[this.at] !== ']') this.fail("expected ',' or ']' in a list");
      }
    }
    if (char === '"' || char === "'") return this.string();
    return this.scalar();
  }

  private string(): string {
    let result = '';
    // Adjacent string literals concatenate, as in protobuf text format.
    while (this.text[this.at] === '"' || this.text[this.at] === "'") {
      const quote = this.text[this.at]!;
      this.at++;
      for (;;) {
        if (this.at >= this.text.length) this.fail('unterminated string');
        const char = this.text[this.at++]!;
        if (char === quote) break;
        if (char === '\n') this.fail('newline inside a string');
        if (char !== '\\') {
          result += char;
          continue;
        }
        const escaped = this.text[this.at++];
        const map: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', '"': '"', "'": "'", '0': '\0' };
        if (escaped === undefined || map[escaped] === undefined) this.fail(`unsupported escape '\\${escaped ?? ''}'`);
        result += map[escaped]!;
      }
      this.skip();
    }
    return result;
  }

  private scalar(): string | number | boolean {
    const match = /^[A-Za-z0-9_.+-]+/.exec(this.text.slice(this.at, this.at + 400));
    if (match === null) this.fail(`unexpected character ${JSON.stringify(this.text[this.at])}`);
    const token = match[0];
    this.at += token.length;
    if (token === 'true' || token === 'True' || token === 't') return true;
    if (token === 'false' || token === 'False' || token === 'f') return false;
    if (/^[+-]?0x[0-9a-fA-F]+$/.test(token)) return Number.parseInt(token, 16);
    if (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?[fF]?$/.test(token)) {
      const number = Number(token.replace(/[fF]$/, ''));
      // 64-bit integers beyond 2^53 stay strings, as Triton's JSON form writes them.
      return Number.isInteger(number) && !Number.isSafeInteger(number) ? token : number;
    }
    if (/^[+-]?(inf|infinity|nan)$/i.test(token)) this.fail(`'${token}' is not a usable number here`);
    if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(token)) return token;
    this.fail(`cannot read value '${token}'`);
  }

  private identifier(): string {
    const match = /^[A-Za-z_][A-Za-z0-9_]*/.exec(this.text.slice(this.at, this.at + 200));
    if (match === null) this.fail(`expected a field name, found ${JSON.stringify(this.text.slice(this.at, this.at + 10))}`);
    this.at += match[0].length;
    return match[0];
  }

  private skip(): void {
    for (;;) {
      const char = this.text[this.at];
      if (char === ' ' || char === '\t' || char === '\n' || char === '\r') this.at++;
      else if (char === '#') {
        while (this.at < this.text.length && this.text[this.at] !== '\n') this.at++;
      } else return;
    }
  }

  private fail(problem: string): never {
    const before = this.text.slice(0, this.at);
    const line = before.split('\n').length;
    const column = this.at - before.lastIndexOf('\n');
    throw new InputError(this.file, `line ${line}:${column}`, problem);
  }
}
