import { describe, expect, it } from 'vitest';
import { docCommands, outputMatches, shellWords } from './doc-commands.ts';

describe('reading the commands of a page', () => {
  const page = [
    'text',
    '```console',
    '$ npx seqsim run a.json  # exit 1: a violation',
    'first line',
    '⋯',
    '$ npx seqsim replay "my trace.jsonl"',
    '```',
    '```sh',
    '# a comment',
    'npm ci',
    '```',
    '```jsonc',
    '$ not a command',
    '```',
  ].join('\n');

  it('takes console transcripts with their output and exit code, sh lines, and nothing else', () => {
    const commands = docCommands('p.md', page);
    expect(commands.map((c) => [c.line, c.text, c.exitCode, c.output])).toEqual([
      [3, 'npx seqsim run a.json', 1, ['first line', '⋯']],
      [6, 'npx seqsim replay "my trace.jsonl"', 0, []],
      [10, 'npm ci', 0, undefined],
    ]);
    expect(commands[1]!.words).toEqual(['npx', 'seqsim', 'replay', 'my trace.jsonl']);
  });

  it('refuses shell syntax it cannot run without a shell', () => {
    expect(shellWords('for k in 1 2; do x $k; done')).toBeUndefined();
    expect(shellWords('a | b')).toBeUndefined();
    expect(shellWords("a 'b c' d")).toEqual(['a', 'b c', 'd']);
  });

  it('matches output with ⋯ for any text in a line and, alone, for any lines', () => {
    expect(outputMatches(['done in ⋯ s'], ['done in 0.2 s'])).toBe(true);
    expect(outputMatches(['done in ⋯ s'], ['done in 0.2 ms'])).toBe(false);
    expect(outputMatches(['a', '⋯', 'z'], ['a', 'b', 'c', 'z'])).toBe(true);
    expect(outputMatches(['a', '⋯', 'z'], ['a', 'z'])).toBe(true);
    expect(outputMatches(['a', 'z'], ['a', 'b', 'z'])).toBe(false);
    expect(outputMatches(['hash (x.y)'], ['hash (xay)'])).toBe(false);
  });
});
