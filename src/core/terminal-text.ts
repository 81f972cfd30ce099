/**
 * Text for a terminal: a scenario name, a file's bytes or a client's string must not move the
 * cursor, clear the screen, change colours or reorder what is shown. Every control character (C0
 * but tab and newline, DEL, C1) and every bidirectional-text control (U+061C, U+200E/F, U+202A–E,
 * U+2066–9) becomes a visible `\uXXXX`, which inside a JSON string still means the same text.
 */

const UNSAFE = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/g;
const UNSAFE_OR_NEWLINE = /[\u0000-\u001F\u007F-\u009F\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/g;

const escaped = (c: string): string => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;

/** Escapes what a terminal would act on; newlines and tabs stay (multi-line output). */
export function terminalText(text: string): string {
  return text.replace(UNSAFE, escaped);
}

/** One line for a terminal: as terminalText, with newlines and tabs escaped too (error messages). */
export function oneLine(text: string): string {
  return text.replace(UNSAFE_OR_NEWLINE, escaped);
}

/**
 * A short excerpt of untrusted text (a token of a file that is not what it should be): at most
 * `max` characters, escaped, quoted. Errors quote this, never more of a file's content.
 */
export function excerpt(text: string, max = 24): string {
  const cut = text.length > max ? `${text.slice(0, max)}…` : text;
  return `"${oneLine(cut).replace(/"/g, '\\"')}"`;
}
