/** Bytes the writer fills before handing them on: large writes and hash updates, few calls. */
const DEFAULT_CHUNK_BYTES = 1 << 20;
/** Room for any one number, boolean, null or bracket written without a capacity check of its own. */
const SMALL_BYTES = 32;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const NEWLINE = 0x0a;

/**
 * JSON written straight into bytes, exactly as `JSON.stringify` then UTF-8 would write it, without
 * a string per line: a streamed run writes hundreds of thousands of events, and building, joining
 * and encoding a string for each was most of what writing its trace cost (docs/numbers.md).
 *
 * Plain data (objects whose prototype is Object.prototype, arrays, finite numbers, strings,
 * booleans, null) is walked here: keys in the object's own order (`for…in` and JSON.stringify agree
 * on plain objects), printable-ASCII strings and non-negative 32-bit integers copied byte by byte.
 * Anything else — a string that needs escaping or is not ASCII, a fraction, a class instance, a
 * `toJSON` — is handed to JSON.stringify itself, so the bytes never differ from its.
 *
 * Full chunks go to `sink`, which must use the bytes before it returns (the buffer is reused).
 */
export class JsonBytesWriter {
  private readonly buffer: Buffer;
  private position = 0;

  constructor(
    private readonly sink: (bytes: Uint8Array) => void,
    chunkBytes = DEFAULT_CHUNK_BYTES,
  ) {
    this.buffer = Buffer.allocUnsafe(Math.max(chunkBytes, 4 * SMALL_BYTES));
  }

  /** One JSON value followed by "\n". */
  line(value: unknown): void {
    this.value(value);
    this.room(1);
    this.buffer[this.position++] = NEWLINE;
  }

  /** Text written as it is (UTF-8): a line JSON.stringify already made, such as a trace header. */
  text(text: string): void {
    // A UTF-16 unit takes at most 3 bytes in UTF-8 (a surrogate pair: 4 for its 2 units).
    const most = 3 * text.length;
    if (most > this.buffer.length) {
      this.flush();
      this.sink(Buffer.from(text, 'utf8'));
      return;
    }
    this.room(most);
    this.position += this.buffer.write(text, this.position, 'utf8');
  }

  /** Hands on what is buffered. */
  flush(): void {
    if (this.position === 0) return;
    const bytes = this.buffer.subarray(0, this.position);
    this.position = 0;
    this.sink(bytes);
  }

  private value(value: unknown): void {
    switch (typeof value) {
      case 'number':
        this.number(value);
        return;
      case 'string':
        this.string(value);
        return;
      case 'boolean':
        this.boolean(value);
        return;
      case 'object':
        if (value === null) this.ascii('null');
        else if (Array.isArray(value)) this.array(value);
        else if (Object.getPrototypeOf(value) === Object.prototype && typeof (value as { toJSON?: unknown }).toJSON !== 'function') {
          this.object(value as Readonly<Record<string, unknown>>);
        } else this.text(JSON.stringify(value));
        return;
      default:
        // undefined, functions, symbols and bigints: JSON.stringify decides (or throws).
        this.text(JSON.stringify(value));
    }
  }

  private object(object: Readonly<Record<string, unknown>>): void {
    this.room(1);
    this.buffer[this.position++] = 0x7b;
    let separator = 0;
    for (const key in object) {
      const field = object[key];
      // JSON.stringify leaves out the fields it cannot write.
      if (field === undefined || typeof field === 'function' || typeof field === 'symbol') continue;
      this.key(key, separator);
      separator = COMMA;
      // Numbers and strings inline: nearly every field of an event is one.
      if (typeof field === 'number') this.number(field);
      else if (typeof field === 'string') this.string(field);
      else if (typeof field === 'boolean') this.boolean(field);
      else this.value(field);
    }
    this.room(1);
    this.buffer[this.position++] = 0x7d;
  }

  /** `"key":`, after a comma when `separator` is one (0: the first key); keys that need escaping go through JSON.stringify. */
  private key(key: string, separator: number): void {
    const length = key.length;
    if (length + 4 > this.buffer.length) {
      if (separator !== 0) this.ascii(',');
      this.text(`${JSON.stringify(key)}:`);
      return;
    }
    this.room(length + 4);
    const buffer = this.buffer;
    let at = this.position;
    if (separator !== 0) buffer[at++] = separator;
    buffer[at++] = QUOTE;
    for (let index = 0; index < length; index++) {
      const code = key.charCodeAt(index);
      if (code < 0x20 || code > 0x7e || code === QUOTE || code === BACKSLASH) {
        if (separator !== 0) this.ascii(',');
        this.text(`${JSON.stringify(key)}:`);
        return;
      }
      buffer[at++] = code;
    }
    buffer[at++] = QUOTE;
    buffer[at++] = COLON;
    this.position = at;
  }

  private array(array: readonly unknown[]): void {
    this.room(1);
    this.buffer[this.position++] = 0x5b;
    for (let index = 0; index < array.length; index++) {
      this.room(1);
      if (index > 0) this.buffer[this.position++] = COMMA;
      const item = array[index];
      // In an array JSON.stringify writes null where it cannot write the item.
      if (item === undefined || typeof item === 'function' || typeof item === 'symbol') this.ascii('null');
      else this.value(item);
    }
    this.room(1);
    this.buffer[this.position++] = 0x5d;
  }

  /** Non-negative 32-bit integers digit by digit; anything else as JSON.stringify writes it ("null" for NaN). */
  private number(value: number): void {
    if (!(value >= 0 && value <= 0x7fffffff && (value | 0) === value)) {
      this.ascii(JSON.stringify(value));
      return;
    }
    this.room(SMALL_BYTES);
    let digits = 1;
    for (let rest = value; rest >= 10; rest = (rest / 10) | 0) digits++;
    const buffer = this.buffer;
    let at = this.position + digits;
    this.position = at;
    let rest = value;
    do {
      buffer[--at] = 0x30 + (rest % 10);
      rest = (rest / 10) | 0;
    } while (rest > 0);
  }

  /** Printable ASCII without `"` or `\` is copied as it is; JSON.stringify escapes the rest. */
  private string(text: string): void {
    const length = text.length;
    if (length + 2 > this.buffer.length) {
      this.text(JSON.stringify(text));
      return;
    }
    this.room(length + 2);
    const buffer = this.buffer;
    let at = this.position;
    buffer[at++] = QUOTE;
    for (let index = 0; index < length; index++) {
      const code = text.charCodeAt(index);
      if (code < 0x20 || code > 0x7e || code === QUOTE || code === BACKSLASH) {
        this.text(JSON.stringify(text));
        return;
      }
      buffer[at++] = code;
    }
    buffer[at++] = QUOTE;
    this.position = at;
  }

  /** `true` or `false`, byte by byte: the rows of every batch carry three. */
  private boolean(value: boolean): void {
    this.room(SMALL_BYTES);
    const buffer = this.buffer;
    let at = this.position;
    if (value) {
      buffer[at++] = 0x74;
      buffer[at++] = 0x72;
      buffer[at++] = 0x75;
      buffer[at++] = 0x65;
    } else {
      buffer[at++] = 0x66;
      buffer[at++] = 0x61;
      buffer[at++] = 0x6c;
      buffer[at++] = 0x73;
      buffer[at++] = 0x65;
    }
    this.position = at;
  }

  /** Text known to be ASCII and short (a number JSON.stringify wrote, true, false, null). */
  private ascii(text: string): void {
    this.room(SMALL_BYTES);
    const buffer = this.buffer;
    let at = this.position;
    for (let index = 0; index < text.length; index++) buffer[at++] = text.charCodeAt(index);
    this.position = at;
  }

  /** Makes room for `bytes` more (at most the buffer's size) by handing on what is buffered. */
  private room(bytes: number): void {
    if (this.position + bytes > this.buffer.length) this.flush();
  }
}
