import type { z } from 'zod';
import type { ConfigIssue } from './config-issue.ts';
import { coerceEnvValue } from './env-coercion.ts';
import { type ConfigPath, setAtPath } from './paths.ts';
import { schemaAtPath } from './schema-walk.ts';
import type { PlainObject } from './values.ts';

/** The environment as `process.env` gives it. */
export type Env = Readonly<Record<string, string | undefined>>;

/** Which variable set which path (a variable holding JSON sets a whole subtree). */
export interface EnvOrigin {
  path: string[];
  name: string;
}

/** The env layer of a service's config. */
export interface EnvLayer {
  values: PlainObject;
  origins: EnvOrigin[];
  issues: ConfigIssue[];
}

const PREFIX = 'SB_';
const SEGMENT = /^[A-Za-z0-9]+(?:_[A-Za-z0-9]+)*$/;

/** `MAX_ATTEMPTS` → `maxAttempts`. */
export function envSegmentToKey(segment: string): string {
  return segment
    .toLowerCase()
    .replace(/_([a-z0-9])/g, (_match, next: string) => next.toUpperCase());
}

/** `['router', 'retry', 'maxAttempts']` → `SB_ROUTER__RETRY__MAX_ATTEMPTS`. */
export function envNameOf(path: ConfigPath): string {
  return `${PREFIX}${path.map((key) => key.replace(/([A-Z])/g, '_$1').toUpperCase()).join('__')}`;
}

/**
 * Reads the `SB_*` variables a service takes: those whose first segment is a top-level key of
 * its schema (the shared sections and its own). Other services' variables and `SB_*` names the
 * schema does not know at the top (such as the CLI's `SB_API_KEY`) are someone else's and are
 * left alone; an unknown key under a section the service reads is kept, so the strict schema
 * names it. Values are read by the schema type at their path.
 */
export function readEnvLayer(env: Env, schema: z.core.$ZodObject): EnvLayer {
  const topKeys = new Set(Object.keys(schema._zod.def.shape));
  const found: { name: string; path: string[]; raw: string }[] = [];
  const issues: ConfigIssue[] = [];
  for (const [name, raw] of Object.entries(env)) {
    if (raw === undefined || !name.startsWith(PREFIX)) continue;
    const segments = name.slice(PREFIX.length).split('__');
    const top = envSegmentToKey(segments[0] as string);
    if (!topKeys.has(top)) continue;
    if (!segments.every((segment) => SEGMENT.test(segment))) {
      issues.push({
        key: '',
        source: { kind: 'env', name },
        message:
          'malformed name: `__` separates keys, each key is letters and digits joined by `_`',
      });
      continue;
    }
    found.push({ name, path: segments.map(envSegmentToKey), raw });
  }
  // Shallow paths first, so `SB_NATS__TLS__CA` refines a whole `SB_NATS__TLS` given as JSON.
  found.sort((a, b) => a.path.length - b.path.length || a.name.localeCompare(b.name));
  let values: PlainObject = {};
  for (const { path, raw } of found) {
    const target = schemaAtPath(schema, path);
    values = setAtPath(values, path, target === undefined ? raw : coerceEnvValue(target, raw));
  }
  return { values, origins: found.map(({ name, path }) => ({ name, path })), issues };
}
