import { isPlainObject, type PlainObject } from './values.ts';

/** A setting's path as segments: `['router', 'retry', 'maxAttempts']`. */
export type ConfigPath = readonly string[];

/** `router.retry.maxAttempts` → its segments. */
export function splitKey(key: string): string[] {
  return key.split('.');
}

/** Segments → the dotted key reports and overrides use. */
export function joinKey(path: ConfigPath): string {
  return path.join('.');
}

/** The value at `path`, or undefined when any step is missing or not an object. */
export function getAtPath(root: unknown, path: ConfigPath): unknown {
  let node = root;
  for (const segment of path) {
    if (!isPlainObject(node)) return undefined;
    node = node[segment];
  }
  return node;
}

/** True when the object tree holds a value (even `null`) at `path`. */
export function hasAtPath(root: unknown, path: ConfigPath): boolean {
  let node = root;
  for (const segment of path) {
    if (!isPlainObject(node) || !Object.hasOwn(node, segment)) return false;
    node = node[segment];
  }
  return true;
}

/**
 * A copy of `root` with `value` at `path` (objects created on the way; a non-object in the way is
 * replaced). `undefined` removes the key. Only the objects along the path are copied.
 */
export function setAtPath(root: unknown, path: ConfigPath, value: unknown): PlainObject {
  const base: PlainObject = isPlainObject(root) ? { ...root } : {};
  const [head, ...rest] = path;
  if (head === undefined) return base;
  if (rest.length === 0) {
    if (value === undefined) delete base[head];
    else base[head] = value;
    return base;
  }
  base[head] = setAtPath(base[head], rest, value);
  return base;
}

/** True when `path` equals `prefix` or lies under it. */
export function isAtOrUnder(path: ConfigPath, prefix: ConfigPath): boolean {
  return prefix.length <= path.length && prefix.every((segment, index) => path[index] === segment);
}

/**
 * True when `path` matches a pattern such as `nats.pass` or `**.tls.key`: `*` stands for one
 * segment, `**` for any number of segments (none included). A pattern also covers every path
 * under what it matches, so marking a section secret or live marks everything in it.
 */
export function matchesPattern(path: ConfigPath, pattern: string): boolean {
  return matchFrom(path, 0, splitKey(pattern), 0);
}

function matchFrom(
  path: ConfigPath,
  at: number,
  pattern: readonly string[],
  from: number,
): boolean {
  const segment = pattern[from];
  if (segment === undefined) return true;
  if (segment === '**') {
    for (let skip = at; skip <= path.length; skip += 1) {
      if (matchFrom(path, skip, pattern, from + 1)) return true;
    }
    return false;
  }
  const actual = path[at];
  if (actual === undefined || (segment !== '*' && segment !== actual)) return false;
  return matchFrom(path, at + 1, pattern, from + 1);
}
