import { describe, expect, it } from 'vitest';
import { diffJson } from './json-diff.ts';

describe('diffJson', () => {
  it('finds nothing between equal documents', () => {
    expect(diffJson({ a: [1, { b: 2 }] }, { a: [1, { b: 2 }] })).toEqual([]);
    expect(diffJson(null, null)).toEqual([]);
  });

  it('names each added, removed and changed path of nested objects and arrays', () => {
    const before = { plan: { steps: ['a', 'b', 'c'], owner: 'ann' }, done: false };
    const after = { plan: { steps: ['a', 'B'], due: '2026-12-01' }, done: true };
    expect(diffJson(before, after)).toEqual([
      { path: '$.done', kind: 'changed', before: false, after: true },
      { path: '$.plan.due', kind: 'added', after: '2026-12-01' },
      { path: '$.plan.owner', kind: 'removed', before: 'ann' },
      { path: '$.plan.steps[1]', kind: 'changed', before: 'b', after: 'B' },
      { path: '$.plan.steps[2]', kind: 'removed', before: 'c' },
    ]);
  });

  it('treats a change of type as one change, and quotes keys that are not identifiers', () => {
    expect(diffJson({ 'two words': [1] }, { 'two words': { 0: 1 } })).toEqual([
      { path: '$["two words"]', kind: 'changed', before: [1], after: { 0: 1 } },
    ]);
    expect(diffJson([1], [1, 2])).toEqual([{ path: '$[1]', kind: 'added', after: 2 }]);
    expect(diffJson('a', 1)).toEqual([{ path: '$', kind: 'changed', before: 'a', after: 1 }]);
  });
});
