// What changed between two versions of a JSON document, as a list of paths, for the agent page's
// state diff. Objects are compared key by key and arrays index by index; anything else (or a
// change of type) is one changed value.

/** One difference: where (`$.plan.steps[2]`), and the values on each side. */
export type JsonChange =
  | { path: string; kind: 'added'; after: unknown }
  | { path: string; kind: 'removed'; before: unknown }
  | { path: string; kind: 'changed'; before: unknown; after: unknown };

type Container = Record<string, unknown> | unknown[];

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function sameKind(a: unknown, b: unknown): a is Container {
  return (Array.isArray(a) && Array.isArray(b)) || (isObject(a) && isObject(b));
}

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

function childPath(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  return IDENTIFIER.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
}

function walk(path: string, before: unknown, after: unknown, changes: JsonChange[]): void {
  if (sameKind(before, after)) {
    const b = before as Record<string | number, unknown>;
    const a = after as Record<string | number, unknown>;
    const keys = Array.isArray(before)
      ? Array.from({ length: Math.max(before.length, (after as unknown[]).length) }, (_, i) => i)
      : [...new Set([...Object.keys(before), ...Object.keys(after as object)])].sort();
    for (const key of keys) {
      const here = childPath(path, key);
      if (!(key in a)) changes.push({ path: here, kind: 'removed', before: b[key] });
      else if (!(key in b)) changes.push({ path: here, kind: 'added', after: a[key] });
      else walk(here, b[key], a[key], changes);
    }
    return;
  }
  if (JSON.stringify(before) !== JSON.stringify(after)) {
    changes.push({ path, kind: 'changed', before, after });
  }
}

/** The differences from `before` to `after`; empty when they are equal. */
export function diffJson(before: unknown, after: unknown): JsonChange[] {
  const changes: JsonChange[] = [];
  walk('$', before, after, changes);
  return changes;
}
