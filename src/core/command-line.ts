/**
 * Command lines seqsim prints for the user to paste (reproduce, replay, draw). They start with
 * `npx seqsim`, which runs in a clone of seqsim and in any project that depends on it, whether or
 * not the bin is on PATH; every word is quoted for a POSIX shell, so paths with spaces still work.
 */
export const SEQSIM_COMMAND = 'npx seqsim';

const PLAIN_WORD = /^[A-Za-z0-9_.,:=/@+%-]+$/;

/** One shell word: as is when a shell would not interpret it, else single-quoted. */
export function shellWord(text: string): string {
  return PLAIN_WORD.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}

/** `npx seqsim <words…>`, each word quoted as a shell needs it. */
export function seqsimCommandLine(...words: readonly (string | number)[]): string {
  return [SEQSIM_COMMAND, ...words.map((word) => shellWord(String(word)))].join(' ');
}
