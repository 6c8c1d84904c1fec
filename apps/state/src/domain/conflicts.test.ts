import { describe, expect, it } from 'vitest';
import { canMergePatch, changedTopLevelKeys, conflictPolicyFor } from './conflicts.ts';

describe('conflictPolicyFor', () => {
  const rules = [
    { scope: 'team.*', policy: 'merge' as const },
    { scope: 'cache.>', policy: 'last-writer-wins' as const },
    { scope: 'team.alpha', policy: 'reject' as const },
  ];

  it('takes the first matching rule', () => {
    expect(conflictPolicyFor('team.alpha', rules)).toBe('merge');
    expect(conflictPolicyFor('cache.a.b', rules)).toBe('last-writer-wins');
  });

  it('rejects by default', () => {
    expect(conflictPolicyFor('agent:a1', rules)).toBe('reject');
    expect(conflictPolicyFor('team.alpha', [])).toBe('reject');
  });
});

describe('changedTopLevelKeys', () => {
  it('names added, removed and changed keys, comparing values deeply', () => {
    const before = { same: { a: [1, { b: 2 }] }, changed: [1, 2], removed: 1, nested: { a: 1 } };
    const after = { same: { a: [1, { b: 2 }] }, changed: [1, 3], added: 1, nested: { b: 1 } };
    expect(changedTopLevelKeys(before, after)).toEqual(
      new Set(['changed', 'removed', 'added', 'nested']),
    );
  });

  it('sees arrays of other lengths and objects of other sizes as changed', () => {
    expect(changedTopLevelKeys({ a: [1] }, { a: [1, 2] })).toEqual(new Set(['a']));
    expect(changedTopLevelKeys({ a: { x: 1 } }, { a: { x: 1, y: 2 } })).toEqual(new Set(['a']));
    expect(changedTopLevelKeys({ a: 1 }, { a: '1' })).toEqual(new Set(['a']));
  });

  it('gives up when either document is not an object', () => {
    expect(changedTopLevelKeys([1], { a: 1 })).toBeUndefined();
    expect(changedTopLevelKeys({ a: 1 }, undefined)).toBeUndefined();
  });
});

describe('canMergePatch', () => {
  it('merges a patch that touches only unchanged keys', () => {
    expect(canMergePatch({ b: 2 }, { a: 1, b: 1 }, { a: 5, b: 1 })).toBe(true);
  });

  it('refuses a patch touching a changed key, a non-object patch or a non-object document', () => {
    expect(canMergePatch({ a: 2 }, { a: 1 }, { a: 5 })).toBe(false);
    expect(canMergePatch([1], { a: 1 }, { a: 5 })).toBe(false);
    expect(canMergePatch({ a: 1 }, 'x', { a: 5 })).toBe(false);
  });
});
