import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { EMBEDDED_SUBSET } from './embedded-subset.ts';
import { testModeOf } from './mode.ts';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

describe('the embedded subset', () => {
  it('names test files that exist, each once', () => {
    for (const file of EMBEDDED_SUBSET) {
      expect(file).toMatch(/^(apps|packages)\/[^/]+\/src\/.+\.test\.ts$/);
      expect(existsSync(join(repoRoot, file)), file).toBe(true);
    }
    expect(new Set(EMBEDDED_SUBSET).size).toBe(EMBEDDED_SUBSET.length);
  });
});

describe('the test mode', () => {
  it('is distributed unless SB_MODE says embedded, and refuses anything else', () => {
    expect(testModeOf({})).toBe('distributed');
    expect(testModeOf({ SB_MODE: '' })).toBe('distributed');
    expect(testModeOf({ SB_MODE: 'embedded' })).toBe('embedded');
    expect(() => testModeOf({ SB_MODE: 'laptop' })).toThrow(/distributed or embedded/);
  });
});
