import { describe, expect, it } from 'vitest';
import yargs from 'yargs';
import { fastParse } from '../../cli/fast-args.ts';
import { exploreCommand } from '../../cli/commands/explore.ts';

/** What yargs gives explore's run() for `seqsim explore …args` (the keys it reads), or the error it throws. */
function yargsParse(args: readonly string[]): Record<string, unknown> {
  let got: Record<string, unknown> | undefined;
  const parser = yargs(['explore', ...args])
    .strict()
    .exitProcess(false)
    .fail((message, error) => {
      throw error ?? new Error(message);
    })
    .command(
      'explore [scenario]',
      '',
      (y) => exploreCommand.builder(y),
      (parsed) => {
        got = parsed as Record<string, unknown>;
      },
    );
  parser.parseSync();
  const keys = [...Object.keys(exploreCommand.fast!.options), 'scenario'];
  return Object.fromEntries(keys.filter((key) => got![key] !== undefined).map((key) => [key, got![key]]));
}

describe('the fast path parses explore as yargs does (cli/fast-args.ts)', () => {
  const plain = [
    [],
    ['--generate'],
    [
      '--generate',
      '--batcher',
      'bug:slot-leak-on-end',
      '--from',
      '100001',
      '--seeds',
      '10000000',
      '--workers',
      '1',
      '--time-budget',
      '3s',
      '--no-shrink',
      '--json',
      '--out',
      '/tmp/x',
    ],
    ['--generate', '--lifecycle', '--faults', 'uniform', '--keep-going', '--max-events', '5000', '--shard', '2/3'],
    ['--generate', '--seeds=40', '--out=out/e', '--faults=none', '--svg', '--metamorphic'],
    ['scenario.json', '--seeds', '010', '--list-bugs'],
    ['--from', '0012', 'dir/scenario.json'],
  ];
  for (const args of plain) {
    it(`reads \`explore ${args.join(' ')}\` as yargs does`, () => {
      const fast = fastParse(args, exploreCommand.fast!);
      expect(fast).toBeDefined();
      expect(fast).toEqual(yargsParse(args));
    });
  }

  // Each has another reading, an alias, help or an error: yargs parses them.
  const leftToYargs = [
    ['--help'],
    ['-h'],
    ['help'],
    ['--generate', 'true'],
    ['--generate=false'],
    ['--seeds', '-5'],
    ['--seeds', '1e3'],
    ['--seeds', 'many'],
    ['--seeds', '1', '--seeds', '2'],
    ['--faults', 'bogus'],
    ['--timeBudget', '3s'],
    ['--no-seeds'],
    ['--unknown'],
    ['--out'],
    ['--out='],
    ['a.json', 'b.json'],
    ['--', 'a.json'],
  ];
  for (const args of leftToYargs) {
    it(`leaves \`explore ${args.join(' ')}\` to yargs`, () => {
      expect(fastParse(args, exploreCommand.fast!)).toBeUndefined();
    });
  }
});
