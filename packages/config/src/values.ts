/** A plain JSON-like object: what config files, env vars and overrides produce. */
export type PlainObject = Record<string, unknown>;

/** True for a plain object (not an array, not null, not a class instance such as a Date). */
export function isPlainObject(value: unknown): value is PlainObject {
  if (typeof value !== 'object' || value === null) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** Structural equality over JSON-like values (what config values are). */
export function isDeepEqual(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((item, index) => isDeepEqual(item, b[index]));
  }
  if (isPlainObject(a) && isPlainObject(b)) {
    const keys = Object.keys(a);
    return (
      keys.length === Object.keys(b).length &&
      keys.every((key) => Object.hasOwn(b, key) && isDeepEqual(a[key], b[key]))
    );
  }
  return false;
}

/**
 * Freezes a value and everything it holds, so a config snapshot handed to a reader never changes
 * under it (a change builds a new snapshot instead).
 */
export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

/**
 * Merges `over` onto `under`: plain objects merge key by key, anything else (arrays included) in
 * `over` replaces what is under it. Returns new objects; the inputs are left as they are.
 */
export function deepMerge(under: unknown, over: unknown): unknown {
  if (over === undefined) return under;
  if (!isPlainObject(under) || !isPlainObject(over)) return over;
  const merged: PlainObject = { ...under };
  for (const [key, value] of Object.entries(over)) merged[key] = deepMerge(under[key], value);
  return merged;
}
