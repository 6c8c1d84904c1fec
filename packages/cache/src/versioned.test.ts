import { describe, expect, it } from 'vitest';
import { parseVersioned, versionedWriteAllowed } from './versioned.ts';

describe('parseVersioned', () => {
  it('reads values and fences, and nothing else', () => {
    expect(parseVersioned({ v: 4, d: null })).toEqual({ kind: 'value', version: 4, value: null });
    expect(parseVersioned({ v: 5, f: true })).toEqual({ kind: 'fence', version: 5 });
    for (const other of [null, 'text', 7, {}, { v: '4', d: 1 }, { v: 4 }]) {
      expect(parseVersioned(other)).toBeUndefined();
    }
  });
});

describe('versionedWriteAllowed', () => {
  it('lets anything replace what is not a versioned entry', () => {
    for (const current of [undefined, null, 'text', 7, {}, { v: '4' }]) {
      expect(versionedWriteAllowed(current, 1, false)).toBe(true);
      expect(versionedWriteAllowed(current, 1, true)).toBe(true);
    }
  });

  it('takes a value only above a held value, and at or above a held fence', () => {
    expect(versionedWriteAllowed({ v: 3, d: 'x' }, 3, false)).toBe(false);
    expect(versionedWriteAllowed({ v: 3, d: 'x' }, 4, false)).toBe(true);
    expect(versionedWriteAllowed({ v: 3, f: true }, 2, false)).toBe(false);
    expect(versionedWriteAllowed({ v: 3, f: true }, 3, false)).toBe(true);
  });

  it('takes a fence only above whatever version is held', () => {
    expect(versionedWriteAllowed({ v: 3, d: 'x' }, 3, true)).toBe(false);
    expect(versionedWriteAllowed({ v: 3, f: true }, 4, true)).toBe(true);
  });
});
