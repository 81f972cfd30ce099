import { describe, expect, it } from 'vitest';
import { parsePositiveInt, parseSeed } from '../../cli/options.ts';
import { cli } from '../helpers/cli.ts';

describe('number flags name what was wrong with the value', () => {
  it('a value that is not a number says so (yargs hands it over as NaN, which JSON prints as null)', () => {
    expect(() => parsePositiveInt(Number.NaN, '--seeds')).toThrow('--seeds must be a positive integer, got something that is not a number');
  });

  it('a flag given twice is told to be given once', () => {
    expect(() => parsePositiveInt([3, 4], '--seeds')).toThrow('--seeds must be a positive integer, got 2 values (3, 4): give it once');
  });

  it('other values are shown as written', () => {
    expect(() => parsePositiveInt(-5, '--workers')).toThrow('--workers must be a positive integer, got -5');
    expect(() => parseSeed('x', '--from')).toThrow('--from must be an integer, got "x"');
    expect(parseSeed('12')).toBe(12);
    expect(parsePositiveInt(7, '--seeds')).toBe(7);
  });

  it('through the command line: one line, exit 2', async () => {
    const result = await cli('explore', '--generate', '--seeds', 'abc');
    expect(result.code).toBe(2);
    expect(result.err.trim()).toBe('seqsim: --seeds must be a positive integer, got something that is not a number');
  });
});

describe('a flag that takes a value must be given one', () => {
  it.each([
    [['explore', '--generate', '--seeds'], '--seeds needs a value'],
    [['explore', '--generate', '--seeds', '--workers', '1'], '--seeds needs a value'],
    [['run', 'sim/examples/direct-basic.json', '--trace'], '--trace needs a value'],
  ])('seqsim %j: one line, exit 2, instead of a run with the default', async (argv, message) => {
    const result = await cli(...argv);
    expect(result.code).toBe(2);
    expect(result.err.trim()).toBe(`seqsim: ${message}`);
    expect(result.out).toBe('');
  });
});
