import { subjectMatches } from '@switchboard/authz';
import type { ConflictPolicy } from '../config.ts';
import { isJsonObject, type JsonValue } from './merge-patch.ts';

/** The policy of the first rule whose pattern matches `scope`; `reject` when none does. */
export function conflictPolicyFor(
  scope: string,
  rules: ReadonlyArray<{ scope: string; policy: ConflictPolicy }>,
): ConflictPolicy {
  return rules.find((rule) => subjectMatches(rule.scope, scope))?.policy ?? 'reject';
}

/**
 * The top-level keys whose values differ between two documents; undefined when either is not an
 * object (then the whole document changed, and no patch can be said to avoid the change).
 */
export function changedTopLevelKeys(
  before: JsonValue | undefined,
  after: JsonValue | undefined,
): Set<string> | undefined {
  if (!isJsonObject(before) || !isJsonObject(after)) return undefined;
  const changed = new Set<string>();
  for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) {
    if (!sameJson(before[key], after[key])) changed.add(key);
  }
  return changed;
}

/**
 * True when a stale merge patch may be re-applied on the current document: the patch is an
 * object and touches none of the top-level keys changed since the version it was written for.
 */
export function canMergePatch(
  patch: JsonValue,
  atExpected: JsonValue | undefined,
  current: JsonValue | undefined,
): boolean {
  const changed = changedTopLevelKeys(atExpected, current);
  if (changed === undefined || !isJsonObject(patch)) return false;
  return Object.keys(patch).every((key) => !changed.has(key));
}

function sameJson(a: JsonValue | undefined, b: JsonValue | undefined): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((item, index) => sameJson(item, b[index]));
  }
  if (isJsonObject(a) && isJsonObject(b)) {
    const keys = Object.keys(a);
    return (
      keys.length === Object.keys(b).length &&
      keys.every((key) => key in b && sameJson(a[key], b[key]))
    );
  }
  return false;
}
