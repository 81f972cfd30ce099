/**
 * The shell commands of the documentation, so a test can run them as a reader would.
 *
 * - ```` ```console ```` blocks are transcripts: `$ command`, then the output it prints (stdout; for a
 *   command expected to exit 2, stderr). In expected output `⋯` stands for any text within a line,
 *   and a line holding only `⋯` for any number of lines.
 * - ```` ```sh ```` blocks list commands without their output.
 * - A trailing comment `# exit N …` gives the exit code a command must have (default 0).
 */

export interface DocCommand {
  readonly file: string;
  /** 1-based line of the command in its file. */
  readonly line: number;
  readonly text: string;
  readonly words: readonly string[];
  readonly exitCode: number;
  /** Expected output lines (console blocks only). */
  readonly output: readonly string[] | undefined;
}

/** Any text within a line; a line of its own: any number of lines. */
export const ANY = '⋯';

/** A comment starts at a `#` that begins a word outside quotes. */
function splitComment(line: string): { command: string; comment: string } {
  let quote: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quote !== undefined) {
      if (c === quote) quote = undefined;
      continue;
    }
    if (c === "'" || c === '"') quote = c;
    else if (c === '#' && (i === 0 || /\s/.test(line[i - 1]!))) return { command: line.slice(0, i).trimEnd(), comment: line.slice(i + 1).trim() };
  }
  return { command: line.trimEnd(), comment: '' };
}

/** Shell words of a simple command; undefined when it uses syntax a test cannot run safely without a shell. */
export function shellWords(command: string): string[] | undefined {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  for (let i = 0; i < command.length; i++) {
    const c = command[i]!;
    if (c === "'" || c === '"') {
      const end = command.indexOf(c, i + 1);
      if (end < 0) return undefined;
      word += command.slice(i + 1, end);
      inWord = true;
      i = end;
    } else if (/\s/.test(c)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else if ('|&;<>$`*?(){}'.includes(c)) {
      return undefined;
    } else {
      word += c;
      inWord = true;
    }
  }
  if (inWord) words.push(word);
  return words;
}

function command(file: string, line: number, raw: string, output: string[] | undefined): DocCommand | undefined {
  const { command: text, comment } = splitComment(raw);
  if (text === '') return undefined;
  const exit = /^exit (\d+)\b/.exec(comment);
  return { file, line, text, words: shellWords(text) ?? [], exitCode: exit ? Number(exit[1]) : 0, output };
}

/** Every command of the `sh` and `console` blocks of a Markdown text, in order. */
export function docCommands(file: string, markdown: string): DocCommand[] {
  const lines = markdown.split('\n');
  const found: DocCommand[] = [];
  for (let i = 0; i < lines.length; i++) {
    const fence = /^```(sh|console)\s*$/.exec(lines[i]!);
    if (fence === null) continue;
    const end = lines.findIndex((l, j) => j > i && l.startsWith('```'));
    const body = lines.slice(i + 1, end);
    if (fence[1] === 'sh') {
      body.forEach((l, k) => {
        const c = command(file, i + 2 + k, l, undefined);
        if (c !== undefined) found.push(c);
      });
    } else {
      body.forEach((l, k) => {
        if (!l.startsWith('$ ')) return;
        const next = body.findIndex((m, j) => j > k && m.startsWith('$ '));
        const output = body.slice(k + 1, next < 0 ? body.length : next);
        const c = command(file, i + 2 + k, l.slice(2), output);
        if (c !== undefined) found.push(c);
      });
    }
    i = end;
  }
  return found;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Whether actual output lines match the expected ones (`⋯` wildcards, see above). */
export function outputMatches(expected: readonly string[], actual: readonly string[]): boolean {
  const patterns = expected.map((line) => (line.trim() === ANY ? undefined : new RegExp(`^${line.split(ANY).map(escapeRegExp).join('.*')}$`)));
  const match = (e: number, a: number): boolean => {
    if (e === patterns.length) return a === actual.length;
    const pattern = patterns[e];
    if (pattern === undefined) {
      for (let skip = a; skip <= actual.length; skip++) if (match(e + 1, skip)) return true;
      return false;
    }
    return a < actual.length && pattern.test(actual[a]!) && match(e + 1, a + 1);
  };
  return match(0, 0);
}
