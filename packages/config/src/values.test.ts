import { describe, expect, it } from 'vitest';
import { deepFreeze, deepMerge, isDeepEqual, isPlainObject } from './values.ts';

describe('values', () => {
  it('tells plain objects from arrays, null, class instances and scalars', () => {
    expect(isPlainObject({})).toBe(true);
    expect(isPlainObject(Object.create(null))).toBe(true);
    expect(isPlainObject([])).toBe(false);
    expect(isPlainObject(null)).toBe(false);
    expect(isPlainObject(new Date())).toBe(false);
    expect(isPlainObject('x')).toBe(false);
  });

  it('compares JSON-like values by structure', () => {
    expect(isDeepEqual({ a: [1, { b: 2 }] }, { a: [1, { b: 2 }] })).toBe(true);
    expect(isDeepEqual([1, 2], [1, 2, 3])).toBe(false);
    expect(isDeepEqual([1, 2], [1, 3])).toBe(false);
    expect(isDeepEqual({ a: 1 }, { a: 1, b: 2 })).toBe(false);
    expect(isDeepEqual({ a: 1, c: 2 }, { a: 1, b: 2 })).toBe(false);
    expect(isDeepEqual({ a: undefined }, { b: undefined })).toBe(false);
    expect(isDeepEqual([], {})).toBe(false);
    expect(isDeepEqual(Number.NaN, Number.NaN)).toBe(true);
    expect(isDeepEqual('1', 1)).toBe(false);
  });

  it('merges objects key by key while lists and scalars replace', () => {
    const under = { a: { b: 1, c: [1, 2] }, d: 'x' };
    const merged = deepMerge(under, { a: { c: [3] }, e: true });
    expect(merged).toEqual({ a: { b: 1, c: [3] }, d: 'x', e: true });
    expect(under).toEqual({ a: { b: 1, c: [1, 2] }, d: 'x' });
    expect(deepMerge({ a: 1 }, undefined)).toEqual({ a: 1 });
    expect(deepMerge('text', { a: 1 })).toEqual({ a: 1 });
  });

  it('freezes a value all the way down', () => {
    const value = deepFreeze({ a: { b: [1, { c: 2 }] } });
    expect(Object.isFrozen(value.a.b[1])).toBe(true);
    expect(deepFreeze(3)).toBe(3);
    expect(deepFreeze(value)).toBe(value);
  });
});
