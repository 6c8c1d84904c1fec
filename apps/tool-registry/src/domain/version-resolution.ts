import { SbError, type ToolVersionStatus } from '@switchboard/protocol';
import semver from 'semver';

/** What resolution needs to know of a version. */
export interface VersionEntry {
  version: string;
  status: ToolVersionStatus;
}

/**
 * Checks that `range` is a semver range (`^1.2`, `>=1 <3`, `1.4.0`).
 * @throws SbError `E_VALIDATION` naming the range otherwise.
 */
export function assertValidRange(range: string): void {
  if (semver.validRange(range) === null) {
    throw new SbError(
      'E_VALIDATION',
      `"${range}" is not a semver range; use e.g. 1.2.3, ^1.2, ~1.2.0 or >=1.0.0 <2.0.0`,
      { details: { path: 'range' } },
    );
  }
}

/**
 * The version a caller gets, or undefined. Retired versions are never picked. Without a range:
 * the latest stable (no prerelease) active version. A range that names one exact version picks
 * it even when deprecated; any other range picks the highest active version it satisfies
 * (prereleases only as semver allows: when the range names a prerelease of that same version).
 */
export function resolveVersion<T extends VersionEntry>(
  entries: readonly T[],
  range?: string,
): T | undefined {
  const exact = range === undefined ? null : semver.valid(range);
  if (exact !== null) {
    return entries.find((entry) => entry.status !== 'retired' && semver.eq(entry.version, exact));
  }
  const candidates = entries.filter(
    (entry) =>
      entry.status === 'active' &&
      (range === undefined
        ? semver.prerelease(entry.version) === null
        : semver.satisfies(entry.version, range)),
  );
  return newestFirst(candidates)[0];
}

/** The entries sorted by version, highest first (semver precedence). */
export function newestFirst<T extends VersionEntry>(entries: readonly T[]): T[] {
  return [...entries].sort((a, b) => semver.rcompare(a.version, b.version));
}
