import { describe, expect, it } from 'vitest';
import { applyMergePatch } from '../../sim/compare/merge-patch.ts';

describe('applyMergePatch (RFC 7396)', () => {
  // RFC 7396 Appendix A, every row: target, patch, result.
  const appendixA: [unknown, unknown, unknown][] = [
    [{ a: 'b' }, { a: 'c' }, { a: 'c' }],
    [{ a: 'b' }, { b: 'c' }, { a: 'b', b: 'c' }],
    [{ a: 'b' }, { a: null }, {}],
    [{ a: 'b', b: 'c' }, { a: null }, { b: 'c' }],
    [{ a: ['b'] }, { a: 'c' }, { a: 'c' }],
    [{ a: 'c' }, { a: ['b'] }, { a: ['b'] }],
    [{ a: { b: 'c' } }, { a: { b: 'd', c: null } }, { a: { b: 'd' } }],
    [{ a: [{ b: 'c' }] }, { a: [1] }, { a: [1] }],
    [
      ['a', 'b'],
      ['c', 'd'],
      ['c', 'd'],
    ],
    [{ a: 'b' }, ['c'], ['c']],
    [{ a: 'foo' }, null, null],
    [{ a: 'foo' }, 'bar', 'bar'],
    [{ e: null }, { a: 1 }, { e: null, a: 1 }],
    [[1, 2], { a: 'b', c: null }, { a: 'b' }],
    [{}, { a: { bb: { ccc: null } } }, { a: { bb: {} } }],
  ];
  it.each(appendixA)('Appendix A: %j patched with %j gives %j', (target, patch, result) => {
    expect(applyMergePatch(target, patch)).toStrictEqual(result);
  });

  it('RFC 7396 section 3: the document example (null deletes, arrays replaced whole, nested merge)', () => {
    const target = { title: 'Goodbye!', author: { givenName: 'John', familyName: 'Doe' }, tags: ['example', 'sample'], content: 'This will be unchanged' };
    const patch = { title: 'Hello!', phoneNumber: '+01-123-456-7890', author: { familyName: null }, tags: ['example'] };
    expect(applyMergePatch(target, patch)).toStrictEqual({
      title: 'Hello!',
      author: { givenName: 'John' },
      tags: ['example'],
      content: 'This will be unchanged',
      phoneNumber: '+01-123-456-7890',
    });
  });

  it('does not modify its arguments', () => {
    const target = { sequence_batching: { direct: {}, max_sequence_idle_microseconds: 5 } };
    const patch = { sequence_batching: { direct: null, oldest: { max_candidate_sequences: 2 } } };
    const before = JSON.stringify([target, patch]);
    expect(applyMergePatch(target, patch)).toStrictEqual({ sequence_batching: { max_sequence_idle_microseconds: 5, oldest: { max_candidate_sequences: 2 } } });
    expect(JSON.stringify([target, patch])).toBe(before);
  });

  it('keeps a "__proto__" key of a parsed patch as a plain key (no prototype change)', () => {
    const result = applyMergePatch({}, JSON.parse('{"__proto__": {"polluted": true}}')) as Record<string, unknown>;
    expect(Object.getPrototypeOf(result)).toBe(Object.prototype);
    expect(Object.keys(result)).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });
});
