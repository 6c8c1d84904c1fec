import { describe, expect, it } from 'vitest';
import {
  assertValidRange,
  newestFirst,
  resolveVersion,
  type VersionEntry,
} from './version-resolution.ts';

const v = (version: string, status: VersionEntry['status'] = 'active'): VersionEntry => ({
  version,
  status,
});

const catalog = [
  v('1.0.0'),
  v('1.2.0'),
  v('1.10.0', 'deprecated'),
  v('2.0.0-beta.1'),
  v('0.9.0', 'retired'),
  v('1.3.0-rc.1'),
];

describe('resolveVersion', () => {
  it('picks the latest stable active version by default, not a deprecated or prerelease one', () => {
    expect(resolveVersion(catalog)?.version).toBe('1.2.0');
  });

  it('compares versions as semver, not as text', () => {
    expect(resolveVersion([v('1.9.0'), v('1.10.0')])?.version).toBe('1.10.0');
  });

  it('picks the highest active version a range satisfies', () => {
    expect(resolveVersion(catalog, '^1.0.0')?.version).toBe('1.2.0');
    expect(resolveVersion(catalog, '~1.0.0')?.version).toBe('1.0.0');
    expect(resolveVersion(catalog, '>=1.0.0 <1.2.0')?.version).toBe('1.0.0');
  });

  it('skips prereleases unless the range names a prerelease of the same version', () => {
    expect(resolveVersion(catalog, '>=2.0.0-0')?.version).toBe('2.0.0-beta.1');
    expect(resolveVersion(catalog, '^2.0.0')).toBeUndefined();
  });

  it('picks a deprecated version only when the range names it exactly', () => {
    expect(resolveVersion(catalog, '1.10.0')?.version).toBe('1.10.0');
    expect(resolveVersion(catalog, '>=1.10.0')).toBeUndefined();
  });

  it('never picks a retired version, even named exactly', () => {
    expect(resolveVersion(catalog, '0.9.0')).toBeUndefined();
    expect(resolveVersion(catalog, '<1.0.0')).toBeUndefined();
  });

  it('finds nothing without a stable active version', () => {
    expect(resolveVersion([v('1.0.0', 'deprecated'), v('2.0.0-alpha')])).toBeUndefined();
    expect(resolveVersion([])).toBeUndefined();
  });
});

describe('assertValidRange', () => {
  it('accepts semver ranges and refuses anything else with the path', () => {
    expect(() => assertValidRange('^1.2 || 3.x')).not.toThrow();
    expect(() => assertValidRange('latest')).toThrow(
      expect.objectContaining({ code: 'E_VALIDATION', details: { path: 'range' } }),
    );
  });
});

describe('newestFirst', () => {
  it('orders by semver precedence, prereleases below their release', () => {
    expect(newestFirst([v('1.0.0-rc.1'), v('0.2.0'), v('1.0.0')]).map((e) => e.version)).toEqual([
      '1.0.0',
      '1.0.0-rc.1',
      '0.2.0',
    ]);
  });
});
