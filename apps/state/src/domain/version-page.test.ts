import { describe, expect, it } from 'vitest';
import { versionPage } from './version-page.ts';

describe('versionPage', () => {
  it('points at the last version of a full page, and nowhere after a short one', () => {
    const rows = [{ version: 9 }, { version: 8 }];
    expect(versionPage(rows, 2)).toEqual({ items: rows, nextCursor: '8' });
    expect(versionPage(rows, 3)).toEqual({ items: rows, nextCursor: null });
    expect(versionPage([], 0)).toEqual({ items: [], nextCursor: null });
  });
});
