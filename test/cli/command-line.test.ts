import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { seqsimCommandLine, shellWord } from '../../src/core/command-line.ts';

describe('printed command lines', () => {
  it('start with npx seqsim and keep plain words as they are', () => {
    expect(seqsimCommandLine('run', 'out/explore/outputs-seed3.min.json', '--seed', 3, '--batcher', 'bug:end-releases-early')).toBe(
      'npx seqsim run out/explore/outputs-seed3.min.json --seed 3 --batcher bug:end-releases-early',
    );
  });

  it('quote words a shell would split or expand, so the line pastes as printed', () => {
    expect(shellWord('my scenarios/a b.json')).toBe("'my scenarios/a b.json'");
    expect(shellWord("it's")).toBe("'it'\\''s'");
    expect(shellWord('$HOME')).toBe("'$HOME'");
    // What a POSIX shell makes of the quoted words is the original words.
    const words = ['a b', "it's", '$HOME', '*', 'x;y', 'plain-1.json'];
    const echoed = spawnSync('sh', ['-c', `printf '%s\\n' ${words.map(shellWord).join(' ')}`], { encoding: 'utf8' });
    expect(echoed.stdout.split('\n').slice(0, -1)).toEqual(words);
  });
});
