import { describe, expect, it } from 'vitest';
import { parseVersioned } from './versioned.ts';

describe('parseVersioned', () => {
  it('reads values and fences, and nothing else', () => {
    expect(parseVersioned({ v: 4, d: null })).toEqual({ kind: 'value', version: 4, value: null });
    expect(parseVersioned({ v: 5, f: true })).toEqual({ kind: 'fence', version: 5 });
    for (const other of [null, 'text', 7, {}, { v: '4', d: 1 }, { v: 4 }]) {
      expect(parseVersioned(other)).toBeUndefined();
    }
  });
});
